import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { conv3x3, depthwiseConv3x3 } from '../../src/gpu/ops/conv.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { conv3x3Ref, depthwise3x3Ref } from '../reference/conv.js';

// f32 accumulation of up to Cin*9 products of O(1) terms; the reference is f64.
const CONV_F32_TOL: Tolerance = { atol: 2e-5, rtol: 1e-4 };

type Shape4 = [number, number, number, number];

/** Weights scaled by 1/sqrt(fan-in), like a trained conv, so outputs stay O(1) for any Cin. */
function convInputs(rng: Rng, [batch, cin, height, width]: Shape4, cout: number) {
  const x = rng.array(batch * cin * height * width);
  const weight = rng.normals(cout * cin * 9, 1 / Math.sqrt(cin * 9));
  const bias = rng.array(cout);
  return { x, weight, bias };
}

describe('conv3x3 kernel', () => {
  // [B, Cin, H, W] and Cout: size-1 edges, widths and channel counts off the 4x4 thread tile,
  // and the SideNet's 8 -> C input conv and C -> 4 head.
  const cases: [Shape4, number][] = [
    [[1, 1, 1, 1], 1],
    [[1, 3, 1, 7], 5],
    [[2, 3, 5, 7], 17],
    [[1, 17, 6, 13], 3],
    [[3, 5, 9, 4], 4],
    [[1, 8, 8, 8], 256],
    [[2, 256, 5, 6], 4],
  ];
  for (const [shape, cout] of cases) {
    for (const withBias of [true, false]) {
      it(`[${shape}] -> Cout ${cout}${withBias ? ' with bias' : ''} matches the f64 reference (f32)`, async () => {
        const engine = await testEngine();
        const rng = new Rng(shape.reduce((a, b) => 31 * a + b, cout) + (withBias ? 1 : 0));
        const { x, weight, bias } = convInputs(rng, shape, cout);
        const out = conv3x3(
          engine,
          engine.upload(x, shape),
          engine.upload(weight, [cout, shape[1], 3, 3]),
          withBias ? engine.upload(bias, [cout]) : undefined,
        );
        expect(out.shape).toEqual([shape[0], cout, shape[2], shape[3]]);
        const expected = conv3x3Ref({ data: x, shape }, weight, cout, withBias ? bias : undefined);
        expectClose(await out.read(), expected, CONV_F32_TOL, `conv3x3 [${shape}] -> ${cout}`);
      });
    }
  }

  it('random shapes match the f64 reference (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(2024);
    for (let trial = 0; trial < 6; trial++) {
      const shape: Shape4 = [rng.int(1, 3), rng.int(1, 20), rng.int(1, 11), rng.int(1, 11)];
      const cout = rng.int(1, 20);
      const { x, weight, bias } = convInputs(rng, shape, cout);
      const out = conv3x3(engine, engine.upload(x, shape), engine.upload(weight, [cout, shape[1], 3, 3]), engine.upload(bias, [cout]));
      expectClose(await out.read(), conv3x3Ref({ data: x, shape }, weight, cout, bias), CONV_F32_TOL, `conv3x3 [${shape}] -> ${cout}`);
    }
  });

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(16);
    const shape: Shape4 = [2, 19, 7, 10];
    const cout = 6;
    const { x, weight, bias } = convInputs(rng, shape, cout);
    const out = conv3x3(engine, engine.upload(x, shape, 'f16'), engine.upload(weight, [cout, 19, 3, 3], 'f16'), engine.upload(bias, [cout], 'f16'));
    expect(out.dtype).toBe('f16');
    const expected = conv3x3Ref({ data: roundToF16(x), shape }, roundToF16(weight), cout, roundToF16(bias));
    expectClose(await out.read(), expected, F16_TOL, 'conv3x3 f16');
  });

  it('rejects bad shapes and mixed dtypes, naming the argument and shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([1, 3, 4, 4]);
    expect(() => conv3x3(engine, x, engine.zeros([5, 2, 3, 3]))).toThrow(ShapeError);
    expect(() => conv3x3(engine, x, engine.zeros([5, 2, 3, 3]))).toThrow(/conv3x3: weight must be \[Cout, 3, 3, 3\] for x \[1, 3, 4, 4\], got \[5, 2, 3, 3\]/);
    expect(() => conv3x3(engine, x, engine.zeros([5, 3, 1, 1]))).toThrow(/weight must be .* got \[5, 3, 1, 1\]/);
    expect(() => conv3x3(engine, x, engine.zeros([5, 3, 3, 3]), engine.zeros([4]))).toThrow(/conv3x3: bias must be \[5\], got \[4\]/);
    expect(() => conv3x3(engine, engine.zeros([3, 4, 4]), engine.zeros([5, 3, 3, 3]))).toThrow(/conv3x3: x must have rank 4, got \[3, 4, 4\]/);
    expect(() => conv3x3(engine, x, engine.zeros([5, 3, 3, 3], 'f16'))).toThrow(/conv3x3: mixes f32 and f16/);
  });
});

describe('depthwise 3x3 kernel', () => {
  const shapes: Shape4[] = [[1, 1, 1, 1], [1, 4, 1, 9], [2, 5, 7, 3], [3, 17, 6, 13], [1, 256, 4, 4]];
  for (const shape of shapes) {
    it(`[${shape}] matches the f64 reference (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(shape.reduce((a, b) => 17 * a + b, 3));
      const x = rng.array(shape.reduce((a, b) => a * b, 1));
      const weight = rng.normals(shape[1] * 9, 1 / 3);
      const out = depthwiseConv3x3(engine, engine.upload(x, shape), engine.upload(weight, [shape[1], 1, 3, 3]));
      expect(out.shape).toEqual(shape);
      expectClose(await out.read(), depthwise3x3Ref({ data: x, shape }, weight), CONV_F32_TOL, `depthwise [${shape}]`);
    });
  }

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(61);
    const shape: Shape4 = [2, 9, 5, 11];
    const x = rng.array(2 * 9 * 5 * 11);
    const weight = rng.normals(9 * 9, 1 / 3);
    const out = depthwiseConv3x3(engine, engine.upload(x, shape, 'f16'), engine.upload(weight, [9, 1, 3, 3], 'f16'));
    expect(out.dtype).toBe('f16');
    expectClose(await out.read(), depthwise3x3Ref({ data: roundToF16(x), shape }, roundToF16(weight)), F16_TOL, 'depthwise f16');
  });

  it('rejects a weight that is not [C, 1, 3, 3]', async () => {
    const engine = await testEngine();
    const x = engine.zeros([1, 6, 4, 4]);
    expect(() => depthwiseConv3x3(engine, x, engine.zeros([6, 6, 3, 3]))).toThrow(ShapeError);
    expect(() => depthwiseConv3x3(engine, x, engine.zeros([5, 1, 3, 3]))).toThrow(/depthwiseConv3x3: weight must be \[6, 1, 3, 3\], got \[5, 1, 3, 3\]/);
  });
});
