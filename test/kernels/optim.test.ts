import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { sumSquares } from '../../src/gpu/ops/grad.js';
import { adamw, emaUpdate } from '../../src/gpu/ops/optim.js';
import { expectClose, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { adamwRef, clipGradNormRef, type AdamWRefState } from '../reference/grad.js';

// f32 state against the f64 reference (PyTorch's documented AdamW and clip_grad_norm_, see
// test/reference/grad.ts) over several steps: each step rounds p, m, v to f32 (relative 6e-8)
// and the update divides m by √v, so errors stay at a few f32 ulps of p (O(1)) and of m, v.
const PARAM_TOL: Tolerance = { atol: 1e-6, rtol: 1e-5 };
// m can cancel to ~0 from O(gradScale) terms: its absolute error is a few ulps of the gradients.
const momentTol = (gradScale: number): Tolerance => ({ atol: 2e-7 * gradScale, rtol: 1e-5 });
// v is a positive sum of squares (no cancellation): relative error only.
const V_TOL: Tolerance = { atol: 1e-12, rtol: 2e-6 };

describe('adamw (fused, PyTorch semantics)', () => {
  const configs = [
    { name: 'no clipping, no weight decay', lr: 1e-3, weightDecay: 0, maxGradNorm: undefined, gradScale: 1 },
    { name: 'weight decay 0.05, lr 1e-2, betas (0.8, 0.95)', lr: 1e-2, weightDecay: 0.05, beta1: 0.8, beta2: 0.95, maxGradNorm: undefined, gradScale: 1 },
    { name: 'clip 1.0 active (norm ~ 30)', lr: 1e-4, weightDecay: 0, maxGradNorm: 1.0, gradScale: 1 },
    { name: 'clip 1.0 inactive (norm ~ 0.3), eps 1e-6, decay 0.1', lr: 1e-3, weightDecay: 0.1, eps: 1e-6, maxGradNorm: 1.0, gradScale: 0.01 },
  ];
  for (const c of configs) {
    it(`${c.name}: 5 steps match the f64 reference`, async () => {
      const engine = await testEngine();
      const rng = new Rng(c.lr * 1e6 + c.weightDecay * 100);
      const n = 1037; // not a multiple of the workgroup
      const p0 = rng.array(n);
      const opts = { lr: c.lr, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, eps: c.eps ?? 1e-8, weightDecay: c.weightDecay };
      const ref: AdamWRefState = { params: Float64Array.from(p0), m: new Float64Array(n), v: new Float64Array(n) };
      const params = engine.upload(p0, [n]);
      const m = engine.zeros([n]);
      const v = engine.zeros([n]);
      for (let step = 1; step <= 5; step++) {
        const g = rng.array(n, -c.gradScale, c.gradScale);
        const grads = engine.upload(g, [n]);
        let clipped: ArrayLike<number> = g;
        let gradNormSq;
        if (c.maxGradNorm !== undefined) {
          const clip = clipGradNormRef(g, c.maxGradNorm);
          clipped = clip.grads;
          if (c.gradScale === 1) expect(clip.totalNorm).toBeGreaterThan(c.maxGradNorm);
          else expect(clip.totalNorm).toBeLessThan(c.maxGradNorm);
          gradNormSq = sumSquares(engine, grads);
        }
        adamwRef(ref, clipped, step, opts);
        adamw(engine, { params, grads, m, v }, { step, ...opts, maxGradNorm: c.maxGradNorm, gradNormSq });
        expectClose(await params.read(), ref.params, PARAM_TOL, `params after step ${step}`);
        expectClose(await m.read(), ref.m, momentTol(c.gradScale), `m after step ${step}`);
        expectClose(await v.read(), ref.v, V_TOL, `v after step ${step}`);
        // The gradients themselves are left as they were.
        expect(Array.from(await grads.read())).toEqual(Array.from(g));
      }
    });
  }

  it('updates views into flat arenas (one dispatch over all parameters at once)', async () => {
    const engine = await testEngine();
    const rng = new Rng(77);
    const align = engine.limits.minStorageBufferOffsetAlignment / 4;
    const n = 300;
    const arena = (data: Float32Array) => engine.upload(data, [align + n]);
    const p0 = rng.array(align + n);
    const g0 = rng.array(align + n);
    const params = arena(p0);
    const grads = arena(g0);
    const m = arena(new Float32Array(align + n));
    const v = arena(new Float32Array(align + n));
    const view = (t: typeof params) => engine.view(t, align, [n]);
    adamw(engine, { params: view(params), grads: view(grads), m: view(m), v: view(v) }, { step: 1, lr: 0.01, weightDecay: 0.1 });
    const ref: AdamWRefState = { params: Float64Array.from(p0.subarray(align)), m: new Float64Array(n), v: new Float64Array(n) };
    adamwRef(ref, g0.subarray(align), 1, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 });
    const after = await params.read();
    expect(Array.from(after.subarray(0, align))).toEqual(Array.from(p0.subarray(0, align)));
    expectClose(after.subarray(align), ref.params, PARAM_TOL, 'params in the view');
  });

  it('rejects mismatched sizes, a missing norm and bad steps', async () => {
    const engine = await testEngine();
    const t = () => engine.zeros([8]);
    expect(() => adamw(engine, { params: t(), grads: engine.zeros([7]), m: t(), v: t() }, { step: 1, lr: 1 })).toThrow(/adamw: grads \[7\] must have 8 elements/);
    expect(() => adamw(engine, { params: t(), grads: t(), m: t(), v: t() }, { step: 1, lr: 1, maxGradNorm: 1 })).toThrow(/needs gradNormSq/);
    expect(() => adamw(engine, { params: t(), grads: t(), m: t(), v: t() }, { step: 0, lr: 1 })).toThrow(ShapeError);
  });
});

describe('emaUpdate', () => {
  it('ema = decay·ema + (1 − decay)·params over several steps', async () => {
    const engine = await testEngine();
    const rng = new Rng(5);
    const n = 1000;
    const e0 = rng.array(n);
    const ema = engine.upload(e0, [n]);
    const ref = Float64Array.from(e0);
    const decay = 0.9996;
    for (let k = 0; k < 3; k++) {
      const p = rng.array(n);
      emaUpdate(engine, ema, engine.upload(p, [n]), decay);
      for (let i = 0; i < n; i++) ref[i] = decay * ref[i] + (1 - decay) * p[i];
    }
    expectClose(await ema.read(), ref, { atol: 1e-6, rtol: 1e-6 }, 'ema');
  });
});
