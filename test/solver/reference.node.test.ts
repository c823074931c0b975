import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SideNetModel } from '../../src/model/sidenet.js';
import { SitModel } from '../../src/model/sit.js';
import { gaussianNoise, sample, type SolverName } from '../../src/solver/index.js';
import { convert } from '../../tools/convert-weights/index.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { fixtureNames } from '../helpers/fixtures.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const fixtureRoot = 'test/fixtures/samplers';
const out = mkdtempSync(join(tmpdir(), 'ba-samplers-'));
/**
 * Per-step states against the PyTorch float64 reference (tools/reference/samplers.py), relative
 * to the largest |state| of the run. A float32 PyTorch run of the same sampler drifts ≤ 3e-7
 * (`f32_drift`); the engine's f32 kernels (different summation orders) land within ~3e-7 (measured on lavapipe); 5e-6 leaves room for GPUs.
 * Guiding the wrong half, a node at the wrong time or a missing sign moves states by > 1e-2.
 */
const TOL = { atol: 0, rtol: 0, scaleTol: 5e-6 };

interface Run {
  key: string;
  solver: SolverName;
  nfe: number;
  alpha?: number;
  nodes?: number;
  guidance: { scale: number; interval: [number, number] | null; channels: 3 | 4 } | null;
  backbone_calls: number;
  sidenet_calls: number;
}

describe('samplers equal the PyTorch reference step by step (converter → SitModel + SideNetModel)', () => {
  for (const name of fixtureNames(fixtureRoot)) {
    it(name, async () => {
      const engine = await testEngine();
      const io = readSafetensorsFile(join(fixtureRoot, name, 'trajectories.safetensors'));
      const config = JSON.parse(io.metadata.config);
      const sitFile = join(out, `${name}-sit.safetensors`);
      const sideFile = join(out, `${name}-side.safetensors`);
      await convert({ input: join(fixtureRoot, name, config.sit.checkpoint), output: sitFile, heads: config.sit.heads });
      await convert({ input: join(fixtureRoot, name, config.sidenet.checkpoint), output: sideFile, heads: config.sidenet.heads });
      const model = await SitModel.load(engine, sitFile);
      const sidenet = await SideNetModel.load(engine, sideFile);
      expect(model.convention).toBe(config.sit.convention);

      const noise = io.tensors.get('noise')!;
      const labels = Array.from(io.tensors.get('labels')!.data);
      // The Python port of the seeded generator agrees with gaussianNoise().
      expectClose(gaussianNoise(config.noise_seed, noise.data.length), noise.data, { atol: 1e-6, rtol: 0 }, 'seeded noise');
      const noiseT = engine.upload(noise.data, noise.shape);
      const per = noise.data.length;

      for (const run of config.runs as Run[]) {
        const states = io.tensors.get(`states.${run.key}`)!;
        const got: Float32Array[] = [];
        const result = await sample(engine, {
          model, sidenet, solver: run.solver, nfe: run.nfe, labels, noise: noiseT,
          alpha: run.alpha, nodes: run.nodes,
          guidance: run.guidance ? { scale: run.guidance.scale, interval: run.guidance.interval, channels: run.guidance.channels } : undefined,
          debugState: async (state) => { got.push((await state.readFloat32()).slice(0, per)); },
        });
        expect(result.backboneCalls).toBe(run.backbone_calls);
        expect(result.sidenetCalls).toBe(run.sidenet_calls);
        expect(got.length).toBe(states.shape[0]);
        let scale = 0;
        for (const v of states.data) scale = Math.max(scale, Math.abs(v));
        let worst = 0;
        got.forEach((g, i) => {
          const want = states.data.subarray(i * per, (i + 1) * per);
          // Tolerance relative to the run's state scale (not each step's).
          const r = expectClose(g, want, { ...TOL, atol: TOL.scaleTol * scale, scaleTol: 0 }, `${name}/${run.key} step ${i + 1}`);
          worst = Math.max(worst, r.maxAbsError / scale);
        });
        console.log(`${name}/${run.key}: max |engine − reference| / max|state| = ${worst.toExponential(1)}`);
        expectClose(await result.latent.read(), states.data.subarray((states.shape[0] - 1) * per), { atol: TOL.scaleTol * scale, rtol: 0 }, `${name}/${run.key} result`);
        result.latent.dispose();
      }

      // Passes per BA step: backbone + SideNet (3 offsets) + SideNet (1 offset), both planned, + 2 fused
      // quadrature passes + the NaN/Inf check of the new state (+ 1 raw→REPA conversion of the
      // end anchor for 'sit'/learn_sigma models).
      await engine.submit();
      const B2 = 2 * labels.length;
      const x2 = engine.upload(new Float32Array(B2 * per / labels.length), [B2, ...noise.shape.slice(1)]);
      const y2 = [...labels, ...labels];
      const dispatches = (f: () => { dispose(): void }) => { const before = engine.pendingDispatches; f().dispose(); return engine.pendingDispatches - before; };
      const backbone = dispatches(() => model.forward(x2, Array(B2).fill(0.5), y2));
      // The run plans its probes: their conditioning is computed up front, outside the steps.
      const fwd = () => sidenet.delta(x2, x2, Array(B2).fill(0.5), [0.1, 0.2, 0.3], y2);
      const bwd = () => sidenet.delta(x2, x2, Array(B2).fill(0.5), [-0.1], y2);
      const unplanned = dispatches(fwd);
      const plan = sidenet.plan([{ t: Array(B2).fill(0.5), offsets: [0.1, 0.2, 0.3] }, { t: Array(B2).fill(0.5), offsets: [-0.1] }], y2);
      const withConditioning = dispatches(fwd);
      const forwardProbe = dispatches(fwd);
      const backwardProbe = dispatches(bwd);
      plan.dispose();
      expect(withConditioning).toBe(unplanned);
      expect(forwardProbe).toBeLessThan(unplanned);
      await engine.submit();
      const perStep: number[] = [];
      const submit = engine.submit;
      engine.submit = function (this: typeof engine) { perStep.push(this.pendingDispatches); return submit.call(this); };
      try {
        (await sample(engine, { model, sidenet, solver: 'ba', nfe: 3, labels, noise: noiseT, guidance: { scale: 1.5 } })).latent.dispose();
      } finally {
        engine.submit = submit;
      }
      const small = config.sit.convention === 'sit' ? 4 : 3;
      console.log(`${name}: BA step = backbone ${backbone} + SideNet ${forwardProbe} + ${backwardProbe} + ${small} small passes; measured per step ${perStep.join(', ')}`);
      // Step 1 also holds the initial [x ‖ x] copy (2) and the first backbone call (+ its conversion).
      expect(perStep[1]).toBe(backbone + forwardProbe + backwardProbe + small);
      x2.dispose();
      noiseT.dispose();
      model.dispose();
      sidenet.dispose();
    });
  }
});
