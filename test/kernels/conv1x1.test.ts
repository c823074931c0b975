import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { conv1x1 } from '../../src/gpu/ops/conv.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { conv1x1Ref } from '../reference/conv1x1.js';

// f32 accumulation of up to Cin products of O(1) terms (weights scaled by 1/sqrt(Cin)); f64 reference.
const F32_TOL: Tolerance = { atol: 2e-5, rtol: 1e-4 };

type Shape4 = [number, number, number, number];

for (const dtype of ['f32', 'f16'] as const) {
  for (const variant of ['direct', 'tiled', 'matmul'] as const) {
    describe(`conv1x1 (${variant}, ${dtype})`, () => {
      it('equals the f64 reference on random shapes, with and without bias and residual', async (ctx) => {
        const engine = await testEngine();
        if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
        const round = (v: Float32Array) => (dtype === 'f16' ? Float32Array.from(roundToF16(v)) : v);
        const rng = new Rng(dtype === 'f32' ? 301 : 302);
        // Size-1 edges, pixel counts off the 4-pixel and 256-pixel (direct) / 64-pixel (tiled)
        // blocks, channel counts off the 8-channel (direct) / 32-channel (tiled) blocks, input
        // channels past the tiled body's 32-channel chunk, and the SideNet's 32 -> 32 and 32 -> 96.
        const cases: [Shape4, number][] = [
          [[1, 1, 1, 1], 1],
          [[2, 3, 5, 7], 9],
          [[3, 32, 16, 16], 32],
          [[2, 32, 16, 16], 96],
          [[1, 17, 17, 19], 13],
          [[4, 5, 1, 3], 47],
          [[2, 70, 5, 13], 33],
          [[1, 64, 8, 8], 100],
        ];
        for (let trial = 0; trial < 3; trial++) cases.push([[rng.int(1, 4), rng.int(1, 40), rng.int(1, 20), rng.int(1, 20)], rng.int(1, 50)]);
        for (const [shape, cout] of cases) {
          const [batch, cin, height, width] = shape;
          const pixels = height * width;
          const x = round(rng.array(batch * cin * pixels));
          const weight = round(rng.normals(cout * cin, 1 / Math.sqrt(cin)));
          const bias = round(rng.array(cout));
          const residual = round(rng.array(batch * cout * pixels));
          const xT = engine.upload(x, shape, dtype);
          const wT = engine.upload(weight, [cout, cin, 1, 1], dtype);
          for (const [withBias, withResidual] of [[false, false], [true, false], [false, true], [true, true]]) {
            const out = conv1x1(engine, xT, wT, {
              variant,
              bias: withBias ? engine.upload(bias, [cout], dtype) : undefined,
              residual: withResidual ? engine.upload(residual, [batch, cout, height, width], dtype) : undefined,
            });
            expect(out.shape).toEqual([batch, cout, height, width]);
            expect(out.dtype).toBe(dtype);
            const ref = conv1x1Ref(x, batch, cin, pixels, weight, cout, withBias ? bias : undefined, withResidual ? residual : undefined);
            expectClose(await out.read(), ref, dtype === 'f32' ? F32_TOL : F16_TOL, `[${shape}] -> ${cout}${withBias ? ' +bias' : ''}${withResidual ? ' +residual' : ''}`);
          }
        }
      });
    });
  }
}

describe('conv1x1 shapes', () => {
  it('rejects a weight whose Cin differs from x and a residual of the wrong shape', async () => {
    const engine = await testEngine();
    const x = engine.zeros([1, 3, 4, 4]);
    expect(() => conv1x1(engine, x, engine.zeros([5, 4, 1, 1]))).toThrow(ShapeError);
    expect(() => conv1x1(engine, x, engine.zeros([5, 3, 3, 3]))).toThrow(/conv1x1: weight/);
    expect(() => conv1x1(engine, x, engine.zeros([5, 3, 1, 1]), { residual: engine.zeros([1, 5, 4, 3]) })).toThrow(/conv1x1: residual/);
  });
});
