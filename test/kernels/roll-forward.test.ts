import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { rollForward } from '../../src/gpu/ops/roll-forward.js';
import { expectClose, roundToF16 } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { rollForwardRef } from '../reference/roll-forward.js';

describe('roll_forward kernel (SideNet training)', () => {
  for (const dtype of ['f32', 'f16'] as const) {
    it(`${dtype}: x − h_b·Σ w_k (v + Δ_k) for 1–4 nodes, random ragged shapes, h of both signs`, async (ctx) => {
      const engine = await testEngine();
      if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const rng = new Rng(dtype === 'f32' ? 41 : 42);
      for (let trial = 0; trial < 6; trial++) {
        const shape = [rng.int(1, 3), rng.int(1, 5), rng.int(1, 9), rng.int(1, 11)];
        const n = shape.reduce((a, b) => a * b, 1);
        const nodes = rng.int(1, 4);
        const raw = Array.from({ length: nodes }, () => rng.uniform(0.1, 1));
        const weights = raw.map((w) => w / raw.reduce((a, b) => a + b, 0)); // a rule: weights sum to 1
        const round = (a: Float32Array) => (dtype === 'f16' ? Float32Array.from(roundToF16(a)) : a);
        const x = round(rng.array(n));
        const v = round(rng.array(n));
        const deltas = round(rng.array(nodes * n, -0.3, 0.3));
        const h = Array.from({ length: shape[0] }, () => rng.uniform(-0.5, 0.5));
        const hUsed = dtype === 'f16' ? Array.from(roundToF16(h)) : h;
        const out = rollForward(engine, engine.upload(x, shape, dtype), engine.upload(v, shape, dtype), engine.upload(deltas, [nodes * shape[0], ...shape.slice(1)], dtype), h, weights);
        expect(out.shape).toEqual(shape);
        expectClose(await out.read(), rollForwardRef(x, v, deltas, hUsed, weights), dtype === 'f32' ? { atol: 1e-6, rtol: 1e-5 } : { atol: 2e-3, rtol: 2e-3 }, `trial ${trial} [${shape}] ${nodes} nodes`);
        out.dispose();
      }
    });
  }

  it('names bad arguments', async () => {
    const engine = await testEngine();
    const x = engine.zeros([2, 3]);
    expect(() => rollForward(engine, x, x, engine.zeros([6, 3]), [0.1, 0.2], [0.5, 0.5])).toThrow(/deltas \[6, 3\] is not 2 × \[2, 3\]/);
    expect(() => rollForward(engine, x, x, engine.zeros([4, 3]), [0.1], [0.5, 0.5])).toThrow(/1 offsets h for 2 images/);
    expect(() => rollForward(engine, x, x, engine.zeros([10, 3]), [0.1, 0.2], [0.2, 0.2, 0.2, 0.2, 0.2])).toThrow(ShapeError);
  });
});
