/**
 * Long sampling runs keep every per-step resource flat. Sampling records and submits step
 * after step without waiting for the GPU; unbounded, the queue ahead of a slower GPU grew
 * without limit, and with it the driver's memory maps (lavapipe maps memory for every queued
 * dispatch) until the process hit vm.max_map_count and died with SIGSEGV around step 1,300
 * (Euler, shipped model, batch 1). The engine now waits once the queue passes
 * maxQueuedDispatches.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { ImageGenerator } from '../../src/generator.js';
import { tinySitFile } from './tiny-models.js';

const STEPS = 3000;
const MAX_QUEUED = 512;

const memoryMaps = () => readFileSync('/proc/self/maps', 'utf8').split('\n').length;

describe('a 3,000-step run', () => {
  it(`Euler for ${STEPS} steps: queued work stays under the bound, and pool, uniform arena, staging, pipelines and the process's memory maps stay flat`, async () => {
    const engine = await Engine.create({ maxQueuedDispatches: MAX_QUEUED });
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile() });
    type Snapshot = ReturnType<Engine['resourceStats']> & { step: number; created: number; live: number; idle: number; maps: number };
    const snapshots: Snapshot[] = [];
    let dispatchesPerStep = 0;
    // Snapshots after every 100th step's submit. No onStep: with one, each step would wait for
    // the GPU (GPU-time progress), and the queue this test is about would never build up.
    const submit = engine.submit.bind(engine);
    let steps = 0;
    engine.submit = async (options) => {
      const pending = engine.pendingDispatches;
      const timing = await submit(options);
      if (!pending) return timing;
      steps++;
      if (steps === 2) dispatchesPerStep = pending;
      if (steps % 100 === 0) {
        const pool = engine.poolStats();
        snapshots.push({ step: steps, ...engine.resourceStats(), created: pool.created, live: pool.liveBytes, idle: pool.idleBytes, maps: memoryMaps() });
      }
      return timing;
    };
    // A batch large enough that the GPU is slower than the host's recording: work queues up.
    const latent = await generator.generate({ labels: Array.from({ length: 8 }, (_, i) => i), solver: 'euler', nfe: STEPS });
    expect(Array.from(await latent.readFloat32()).every(Number.isFinite)).toBe(true);
    latent.dispose();
    const maxQueued = Math.max(...snapshots.map((s) => s.queuedDispatches));
    const first = snapshots[0];
    console.log(`long run: ${dispatchesPerStep} dispatches per step; most queued ${maxQueued}; memory maps ${first.maps} at step 100, ` +
      `${Math.max(...snapshots.map((s) => s.maps))} at most`);
    // The host did run ahead of the GPU (the bound was reached), and never past it.
    expect(maxQueued).toBeGreaterThan(MAX_QUEUED - 2 * dispatchesPerStep);
    expect(maxQueued).toBeLessThanOrEqual(MAX_QUEUED + dispatchesPerStep);
    for (const s of snapshots) {
      expect({ step: s.step, created: s.created, live: s.live, idle: s.idle, arena: s.uniformArenaBytes, staging: s.stagingBuffers, pipelines: s.pipelines })
        .toEqual({ step: s.step, created: first.created, live: first.live, idle: first.idle, arena: first.uniformArenaBytes, staging: 0, pipelines: first.pipelines });
      // Unbounded queueing added about one map per queued dispatch: ~25,000 by step 3,000. Bounded,
      // the count wanders by hundreds as Dawn releases its objects lazily (garbage collection,
      // the waiter's polling cadence, the machine's load): a margin of a few queue lengths.
      expect(s.maps, `memory maps at step ${s.step}`).toBeLessThan(first.maps + 4 * MAX_QUEUED);
    }
    generator.dispose();
    engine.dispose();
  });
});
