import { describe, expect, it } from 'vitest';
import { ImageGenerator } from '../../src/generator.js';
import { acquireDevice } from '../../src/gpu/device.js';
import { Engine } from '../../src/gpu/engine.js';
import { createImageTexture } from '../../src/gpu/texture.js';
import type { SolverName } from '../../src/solver/index.js';
import { tinySideNetFile, tinySitFile } from './tiny-models.js';
import { trackDevice } from './tracking-device.js';

const SAMPLES = 200;
/** The request pattern repeats every 6 samples (solver × guidance × texture path); two cycles warm the pool. */
const WARMUP = 12;
const SOLVERS: SolverName[] = ['ba', 'euler', 'dpm++2m'];

describe('soak', () => {
  it(`${SAMPLES} consecutive samples (generate → texture, mixed solvers) keep GPU memory flat: after warm-up no buffer is created, live and pooled bytes, device buffers and textures stay constant`, async () => {
    const host = (await acquireDevice()).device;
    const tracked = trackDevice(host);
    const engine = await Engine.create({ device: tracked.device });
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(), sidenet: tinySideNetFile() });
    await engine.sync();
    const weights = engine.poolStats().liveBytes;
    const target = createImageTexture(engine, 24, 12);
    type Snapshot = { created: number; live: number; idle: number; peak: number; deviceBuffers: number; deviceBytes: number; textures: number };
    const snapshots: Snapshot[] = [];
    const started = performance.now();
    for (let i = 0; i < SAMPLES; i++) {
      const latent = await generator.generate({ labels: [i % 10, (i * 7) % 11], solver: SOLVERS[i % 3], nfe: 3, guidance: i % 2 ? 1.5 : 1, seed: i });
      if (i % 6 < 3) {
        await generator.decodeToTexture(latent, { texture: target });
      } else {
        const made = await generator.decodeToTexture(latent);
        if (i % 12 === 3) await generator.readPixels(made);
        made.destroy();
      }
      latent.dispose();
      await engine.sync();
      const pool = engine.poolStats();
      snapshots.push({
        created: pool.created, live: pool.liveBytes, idle: pool.idleBytes, peak: pool.peakBytes,
        deviceBuffers: tracked.liveBuffers(), deviceBytes: tracked.liveBufferBytes(), textures: tracked.liveTextures(),
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const settled = snapshots[WARMUP - 1];
    console.log(`soak: ${SAMPLES} samples in ${seconds.toFixed(1)} s; after warm-up: ${settled.created} pool buffers, ` +
      `${(settled.idle / 1024).toFixed(0)} KiB idle, ${(settled.deviceBytes / 1024).toFixed(0)} KiB on the device in ${settled.deviceBuffers} buffers`);
    // Every sample hands back all it made: only the weights stay live.
    for (const s of snapshots) expect(s.live).toBe(weights);
    for (let i = WARMUP; i < SAMPLES; i++) expect({ sample: i, ...snapshots[i] }).toEqual({ sample: i, ...settled });
    expect(settled.textures).toBe(1);
    target.destroy();
    generator.dispose();
    engine.dispose();
    expect(tracked.liveBuffers()).toBe(0);
    expect(tracked.liveTextures()).toBe(0);
    host.destroy();
  });
});
