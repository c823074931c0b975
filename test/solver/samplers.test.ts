import { describe, expect, it } from 'vitest';
import { gaussianNoise, perImageNoise, sample, SamplingAbortedError, timeGrid, type SolverName, type StepInfo } from '../../src/solver/index.js';
import { biAnchorRule, gaussLegendre, LOBATTO_ALPHA } from '../../src/solver/quadrature.js';
import { testEngine } from '../helpers/engine.js';
import { GaussianCorrector, GaussianField, GaussianModel } from './oracle.js';

const field = new GaussianField(0.5, [0.5, -0.5, 0]);
const size = [2, 3] as const;

async function setup() {
  const engine = await testEngine();
  return { engine, model: new GaussianModel(engine, field), sidenet: new GaussianCorrector(engine, field) };
}

describe('samplers: calls, steps, cancellation, noise', () => {
  const expected: Record<SolverName, (n: number) => [number, number]> = {
    ba: (n) => [n, 2 * n - 1],
    'ba-single': (n) => [n, n],
    euler: (n) => [n, 0],
    heun: (n) => [2 * n - 1, 0],
    'dpm++2m': (n) => [n, 0],
    rk4: (n) => [4 * n, 0],
  };
  for (const solver of Object.keys(expected) as SolverName[]) {
    it(`${solver}: backbone calls (${{ heun: '2N − 1', rk4: '4N' }[solver as string] ?? 'N'}), SideNet calls, one submit per step, with and without CFG; frees every intermediate`, async () => {
      const { engine, model, sidenet } = await setup();
      await engine.sync();
      const liveBefore = engine.poolStats().liveBytes;
      for (const nfe of [1, 2, 5]) {
        for (const scale of [1, 2]) {
          model.calls = 0;
          sidenet.calls = 0;
          const steps: StepInfo[] = [];
          let submits = 0;
          const submit = engine.submit;
          // Queue submissions: submit() with nothing recorded (before a read-back) sends nothing.
          engine.submit = function (this: typeof engine) { if (this.pendingDispatches) submits++; return submit.call(this); };
          let result;
          try {
            result = await sample(engine, { model, sidenet, solver, nfe, labels: [0, 1], noise: 3, size, guidance: { scale, interval: null }, onStep: (s) => steps.push(s) });
          } finally {
            engine.submit = submit;
          }
          const [calls, sideCalls] = expected[solver](nfe);
          expect(result.backboneCalls).toBe(calls);
          expect(model.calls).toBe(calls);
          expect(result.sidenetCalls).toBe(sideCalls);
          expect(sidenet.calls).toBe(sideCalls);
          expect(submits).toBe(nfe);
          expect(steps.map((s) => s.step)).toEqual(Array.from({ length: nfe }, (_, i) => i + 1));
          expect(steps.map((s) => s.t)).toEqual(timeGrid(nfe).slice(1));
          expect(steps[nfe - 1].backboneCalls).toBe(calls);
          expect(result.latent.shape).toEqual([2, 4, ...size]);
          result.latent.dispose();
          // Everything the run allocated was released: only the models' own tensors stay live.
          expect(engine.poolStats().liveBytes).toBe(liveBefore);
        }
      }
    });
  }

  it('cancels between steps with an AbortError, freeing the run\'s tensors', async () => {
    const { engine, model, sidenet } = await setup();
    await engine.sync();
    const liveBefore = engine.poolStats().liveBytes;
    const controller = new AbortController();
    const run = sample(engine, {
      model, sidenet, solver: 'ba', nfe: 6, labels: [0], noise: 1, size, signal: controller.signal,
      onStep: (s) => s.step === 2 && controller.abort(),
    });
    await expect(run).rejects.toThrow(/aborted before step 3 of 6/);
    const err = await run.catch((e) => e);
    expect(err).toBeInstanceOf(SamplingAbortedError);
    expect(err.name).toBe('AbortError');
    expect(engine.poolStats().liveBytes).toBe(liveBefore);
  });

  it('per-image noise: image i is gaussianNoise(seed + i) whatever batch it is drawn in', () => {
    const whole = perImageNoise(9, 0, 5, 6);
    expect(Array.from(whole.subarray(12, 18))).toEqual(Array.from(gaussianNoise(11, 6)));
    expect(Array.from(perImageNoise(9, 2, 3, 6))).toEqual(Array.from(whole.subarray(12)));
    expect(Array.from(whole.subarray(0, 6))).not.toEqual(Array.from(whole.subarray(6, 12)));
  });

  it('seeded noise is deterministic, standard normal, and equals an uploaded tensor', async () => {
    const a = gaussianNoise(42, 4001);
    expect(Array.from(a)).toEqual(Array.from(gaussianNoise(42, 4001)));
    expect(gaussianNoise(43, 10)[0] !== a[0]).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const variance = a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.06);
    expect(Math.abs(variance - 1)).toBeLessThan(0.08);
    const { engine, model } = await setup();
    const fromSeed = await sample(engine, { model, solver: 'euler', nfe: 2, labels: [1, 0], noise: 9, size });
    const noise = engine.upload(gaussianNoise(9, 2 * 4 * 6), [2, 4, ...size]);
    const fromTensor = await sample(engine, { model, solver: 'euler', nfe: 2, labels: [1, 0], noise });
    expect(Array.from(await fromSeed.latent.read())).toEqual(Array.from(await fromTensor.latent.read()));
  });

  it('rules as data: bi-anchor weights per §4, Gauss–Legendre integrates degree 2K − 1 exactly', () => {
    const lob = biAnchorRule();
    expect(LOBATTO_ALPHA).toBeCloseTo(0.2763932, 7);
    lob.weights.forEach((w, i) => expect(w).toBeCloseTo([1 / 12, 5 / 12, 5 / 12, 1 / 12][i], 14));
    biAnchorRule(1 / 3).weights.forEach((w, i) => expect(w).toBeCloseTo([1 / 8, 3 / 8, 3 / 8, 1 / 8][i], 14));
    biAnchorRule(0.25).weights.forEach((w, i) => expect(w).toBeCloseTo([1 / 18, 4 / 9, 4 / 9, 1 / 18][i], 14));
    for (let K = 1; K <= 5; K++) {
      const r = gaussLegendre(K);
      for (let d = 0; d <= 2 * K - 1; d++) {
        const q = r.nodes.reduce((s, c, k) => s + r.weights[k] * c ** d, 0);
        expect(q).toBeCloseTo(1 / (d + 1), 13);
      }
    }
    expect(() => gaussLegendre(6)).toThrow(/K must be 1..5/);
    expect(timeGrid(4)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    const shifted = timeGrid(4, { shift: 3 });
    expect(shifted[0]).toBe(1);
    expect(shifted[4]).toBe(0);
    expect(shifted[2]).toBeCloseTo(0.75, 14);
  });

  it('names bad options', async () => {
    const { engine, model } = await setup();
    await expect(sample(engine, { model, solver: 'ba', nfe: 2, labels: [0], noise: 1, size })).rejects.toThrow(/needs a SideNet/);
    await expect(sample(engine, { model, solver: 'euler', nfe: 0, labels: [0], noise: 1, size })).rejects.toThrow(/nfe must be a positive integer/);
    await expect(sample(engine, { model, solver: 'euler', nfe: 2, labels: [0], noise: 1 })).rejects.toThrow(/needs size/);
    const noise = engine.zeros([2, 4, 2, 3]);
    await expect(sample(engine, { model, solver: 'euler', nfe: 2, labels: [0], noise })).rejects.toThrow(/labels: 1 given for a batch of 2/);
  });
});
