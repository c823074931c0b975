import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { conv3x3, conv3x3Upsample2x } from '../../src/gpu/ops/conv.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { conv3x3Ref } from '../reference/conv.js';
import { upsampleNearest2xRef } from '../reference/upsample.js';

// f32 accumulation of up to Cin·9 products of O(1) terms against the f64 reference.
const CONV_F32_TOL: Tolerance = { atol: 2e-5, rtol: 1e-4 };

type Shape4 = [number, number, number, number];

/** Weights scaled by 1/sqrt(fan-in) so outputs stay O(1) for any Cin. */
function convInputs(rng: Rng, [batch, cin, height, width]: Shape4, cout: number) {
  return {
    x: rng.array(batch * cin * height * width),
    weight: rng.normals(cout * cin * 9, 1 / Math.sqrt(cin * 9)),
    bias: rng.array(cout),
  };
}

describe('conv3x3 at the VAE decoder\'s channel counts', () => {
  // Channel counts that are not multiples of the 4-channel thread tile (Cin 3, 5, 37; Cout 3,
  // 37), the decoder's 4 -> C input conv and C -> 3 output conv, and a 128-channel layer.
  const cases: [Shape4, number][] = [
    [[1, 3, 6, 5], 37],
    [[2, 5, 7, 9], 5],
    [[1, 37, 5, 11], 3],
    [[1, 37, 4, 4], 37],
    [[2, 4, 5, 3], 24],
    [[1, 24, 9, 17], 3],
    [[1, 128, 6, 10], 6],
  ];
  for (const [shape, cout] of cases) {
    it(`[${shape}] -> Cout ${cout} matches the f64 reference (f32)`, async () => {
      const engine = await testEngine();
      const { x, weight, bias } = convInputs(new Rng(shape.reduce((a, b) => 29 * a + b, cout)), shape, cout);
      const out = conv3x3(engine, engine.upload(x, shape), engine.upload(weight, [cout, shape[1], 3, 3]), engine.upload(bias, [cout]));
      expect(out.shape).toEqual([shape[0], cout, shape[2], shape[3]]);
      expectClose(await out.read(), conv3x3Ref({ data: x, shape }, weight, cout, bias), CONV_F32_TOL, `conv3x3 [${shape}] -> ${cout}`);
    });
  }
});

describe('conv3x3Upsample2x (nearest ×2 fused into the conv input)', () => {
  // Input sizes whose doubled widths are below, at and off the 8-pixel thread row (1 -> 2,
  // 4 -> 8, 5 -> 10, 9 -> 18), odd heights, 1-pixel images and odd channel counts.
  const cases: [Shape4, number][] = [
    [[1, 1, 1, 1], 1],
    [[1, 3, 1, 4], 5],
    [[2, 5, 3, 5], 37],
    [[1, 37, 4, 9], 6],
    [[3, 8, 5, 3], 8],
    [[1, 16, 7, 13], 12],
  ];
  for (const [shape, cout] of cases) {
    for (const withBias of [true, false]) {
      it(`[${shape}] -> [${shape[0]}, ${cout}, ${2 * shape[2]}, ${2 * shape[3]}]${withBias ? ' with bias' : ''} equals upsample then conv (f32)`, async () => {
        const engine = await testEngine();
        const { x, weight, bias } = convInputs(new Rng(shape.reduce((a, b) => 37 * a + b, cout) + (withBias ? 1 : 0)), shape, cout);
        const out = conv3x3Upsample2x(engine, engine.upload(x, shape), engine.upload(weight, [cout, shape[1], 3, 3]), withBias ? engine.upload(bias, [cout]) : undefined);
        expect(out.shape).toEqual([shape[0], cout, 2 * shape[2], 2 * shape[3]]);
        const expected = conv3x3Ref(upsampleNearest2xRef({ data: x, shape }), weight, cout, withBias ? bias : undefined);
        expectClose(await out.read(), expected, CONV_F32_TOL, `conv3x3Upsample2x [${shape}] -> ${cout}`);
      });
    }
  }

  it('random shapes match the f64 reference (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(4242);
    for (let trial = 0; trial < 5; trial++) {
      const shape: Shape4 = [rng.int(1, 2), rng.int(1, 20), rng.int(1, 9), rng.int(1, 9)];
      const cout = rng.int(1, 20);
      const { x, weight, bias } = convInputs(rng, shape, cout);
      const out = conv3x3Upsample2x(engine, engine.upload(x, shape), engine.upload(weight, [cout, shape[1], 3, 3]), engine.upload(bias, [cout]));
      expectClose(await out.read(), conv3x3Ref(upsampleNearest2xRef({ data: x, shape }), weight, cout, bias), CONV_F32_TOL, `conv3x3Upsample2x [${shape}] -> ${cout}`);
    }
  });

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const shape: Shape4 = [2, 11, 5, 6];
    const { x, weight, bias } = convInputs(new Rng(61), shape, 7);
    const out = conv3x3Upsample2x(engine, engine.upload(x, shape, 'f16'), engine.upload(weight, [7, 11, 3, 3], 'f16'), engine.upload(bias, [7], 'f16'));
    expect(out.dtype).toBe('f16');
    const expected = conv3x3Ref(upsampleNearest2xRef({ data: roundToF16(x), shape }), roundToF16(weight), 7, roundToF16(bias));
    expectClose(await out.read(), expected, F16_TOL, 'conv3x3Upsample2x f16');
  });

  it('rejects a weight that does not match the input channels', async () => {
    const engine = await testEngine();
    const x = engine.zeros([1, 3, 4, 4]);
    expect(() => conv3x3Upsample2x(engine, x, engine.zeros([5, 2, 3, 3]))).toThrow(ShapeError);
    expect(() => conv3x3Upsample2x(engine, x, engine.zeros([5, 2, 3, 3]))).toThrow(/conv3x3Upsample2x: weight must be \[Cout, 3, 3, 3\] for x \[1, 3, 4, 4\], got \[5, 2, 3, 3\]/);
    expect(() => conv3x3Upsample2x(engine, x, engine.zeros([5, 3, 3, 3]), engine.zeros([3]))).toThrow(/conv3x3Upsample2x: bias must be \[5\], got \[3\]/);
  });
});
