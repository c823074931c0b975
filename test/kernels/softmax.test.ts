import { describe, expect, it } from 'vitest';
import { softmax } from '../../src/gpu/ops/softmax.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { softmaxRef } from '../reference/attention.js';

// exp in f32 has ~1e-7 relative error per term; rows sum to 1, so absolute 1e-6 is ample.
const SOFTMAX_F32: Tolerance = { atol: 1e-6, rtol: 1e-5 };

describe('softmax over the last dimension', () => {
  // Row lengths around the workgroup (64), far above it, and 1.
  const cases: number[][] = [[1, 1], [3, 1], [5, 7], [4, 64], [3, 65], [2, 3, 100], [2, 1000], [1, 4099]];
  for (const shape of cases) {
    it(`[${shape}] matches the reference (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(shape.reduce((a, b) => a * 31 + b, 0));
      const n = shape[shape.length - 1];
      const x = rng.array(shape.reduce((a, b) => a * b, 1), -8, 8);
      const out = softmax(engine, engine.upload(x, shape));
      expect(out.shape).toEqual(shape);
      expectClose(await out.read(), softmaxRef(x, n), SOFTMAX_F32, `softmax [${shape}]`);
    });
  }

  it('is stable for large-magnitude inputs (±1e4) where plain exp overflows', async () => {
    const engine = await testEngine();
    const rng = new Rng(9);
    const x = rng.array(3 * 130, -1e4, 1e4);
    x[5] = 3e4; // one dominant entry in row 0
    // Inputs ~1e4 carry f32 rounding ~1e-3 already, so exp(x - max) is exact only to ~1e-3 relative.
    expectClose(await softmax(engine, engine.upload(x, [3, 130])).read(), softmaxRef(x, 130), { atol: 1e-6, rtol: 2e-3 }, 'large logits');
  });

  it('matches the reference in f16 storage (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(10);
    const x = rng.array(4 * 77, -6, 6);
    const out = softmax(engine, engine.upload(x, [4, 77], 'f16'));
    expect(out.dtype).toBe('f16');
    expectClose(await out.read(), softmaxRef(roundToF16(x), 77), F16_TOL, 'f16 softmax');
  });

  it('rejects a mismatched output, naming both shapes', async () => {
    const engine = await testEngine();
    expect(() => softmax(engine, engine.zeros([3, 4]), engine.zeros([3, 5]))).toThrow(ShapeError);
    expect(() => softmax(engine, engine.zeros([3, 4]), engine.zeros([3, 5]))).toThrow(/softmax: out \[3, 5\] must have the size of x \[3, 4\]/);
    expect(() => softmax(engine, engine.zeros([3, 4]), engine.zeros([3, 4], 'f16'))).toThrow(/softmax: mixes f32 and f16/);
  });
});
