import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { conv3x3Band, convInputRows } from '../../src/gpu/ops/conv.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { randomBands, rowsOf } from '../reference/bands.js';
import { conv3x3Ref } from '../reference/conv.js';
import { upsampleNearest2xRef } from '../reference/upsample.js';

// As conv.test.ts: f32 accumulation of up to Cin·9 O(1) products against the f64 reference.
const CONV_F32_TOL: Tolerance = { atol: 2e-5, rtol: 1e-4 };

type Shape4 = [number, number, number, number];

function convInputs(rng: Rng, [batch, cin, height, width]: Shape4, cout: number) {
  return {
    x: rng.array(batch * cin * height * width),
    weight: rng.normals(cout * cin * 9, 1 / Math.sqrt(cin * 9)),
    bias: rng.array(cout),
  };
}

describe('conv3x3Band (one band of output rows from a band of input rows)', () => {
  it('convInputRows: one halo row each side, clamped to the image, halved when upsampling', () => {
    expect(convInputRows(0, 4, 10, false)).toEqual([0, 5]);
    expect(convInputRows(3, 4, 10, false)).toEqual([2, 8]);
    expect(convInputRows(6, 4, 10, false)).toEqual([5, 10]);
    expect(convInputRows(0, 10, 10, false)).toEqual([0, 10]);
    // Output rows 5..8 of 12 tap upsampled rows 4..9, which are input rows 2..4.
    expect(convInputRows(5, 4, 12, true)).toEqual([2, 5]);
    expect(convInputRows(0, 1, 2, true)).toEqual([0, 1]);
    expect(convInputRows(6, 6, 12, true)).toEqual([2, 6]);
  });

  for (const upsample of [false, true]) {
    it(`random shapes and ragged bands equal the rows of the whole-image reference${upsample ? ' (nearest ×2 fused)' : ''} (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(upsample ? 515 : 313);
      for (let trial = 0; trial < 5; trial++) {
        const shape: Shape4 = [rng.int(1, 2), rng.int(1, 13), rng.int(1, 12), rng.int(1, 19)];
        const cout = rng.int(1, 11);
        const { x, weight, bias } = convInputs(rng, shape, cout);
        const height = upsample ? 2 * shape[2] : shape[2];
        const wholeInput = upsample ? upsampleNearest2xRef({ data: x, shape }) : { data: x, shape };
        const expected = conv3x3Ref(wholeInput, weight, cout, bias);
        const outShape = [shape[0], cout, height, wholeInput.shape[3]];
        const w = engine.upload(weight, [cout, shape[1], 3, 3]);
        const b = engine.upload(bias, [cout]);
        for (const [start, count] of randomBands(height, rng.int(1, 5), (lo, hi) => rng.int(lo, hi))) {
          // The exact rows the band taps, or (every other trial) an extra row each side where there is one.
          let [first, end] = convInputRows(start, count, height, upsample);
          if (trial % 2) [first, end] = [Math.max(first - 1, 0), Math.min(end + 1, shape[2])];
          const band = engine.upload(rowsOf(x, shape, first, end - first), [shape[0], shape[1], end - first, shape[3]]);
          const out = conv3x3Band(engine, band, w, b, { start, count, height, inputStart: first }, upsample);
          expect(out.shape).toEqual([shape[0], cout, count, outShape[3]]);
          expectClose(await out.read(), rowsOf(expected, outShape, start, count), CONV_F32_TOL, `[${shape}] -> ${cout}, rows ${start}+${count} of ${height} from input rows [${first}, ${end})`);
          band.dispose();
          out.dispose();
        }
      }
    });
  }

  it('without a bias, and the whole image as one band', async () => {
    const engine = await testEngine();
    const shape: Shape4 = [2, 5, 7, 9];
    const { x, weight } = convInputs(new Rng(71), shape, 6);
    const expected = conv3x3Ref({ data: x, shape }, weight, 6);
    const xs = engine.upload(x, shape);
    const w = engine.upload(weight, [6, 5, 3, 3]);
    expectClose(await conv3x3Band(engine, xs, w, null, { start: 0, count: 7, height: 7, inputStart: 0 }).read(), expected, CONV_F32_TOL, 'whole image');
    expectClose(await conv3x3Band(engine, xs, w, null, { start: 2, count: 3, height: 7, inputStart: 0 }).read(), rowsOf(expected, [2, 6, 7, 9], 2, 3), CONV_F32_TOL, 'rows 2-4 from the whole input');
  });

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const shape: Shape4 = [1, 9, 5, 11];
    const { x, weight, bias } = convInputs(new Rng(72), shape, 5);
    const expected = conv3x3Ref(upsampleNearest2xRef({ data: roundToF16(x), shape }), roundToF16(weight), 5, roundToF16(bias));
    const band = engine.upload(rowsOf(x, shape, 1, 3), [1, 9, 3, 11], 'f16');
    const out = conv3x3Band(engine, band, engine.upload(weight, [5, 9, 3, 3], 'f16'), engine.upload(bias, [5], 'f16'), { start: 3, count: 4, height: 10, inputStart: 1 }, true);
    expect(out.dtype).toBe('f16');
    expectClose(await out.read(), rowsOf(expected, [1, 5, 10, 22], 3, 4), F16_TOL, 'f16 upsampled band');
  });

  it('rejects bands outside the image and inputs that miss a tapped row', async () => {
    const engine = await testEngine();
    const w = engine.zeros([2, 3, 3, 3]);
    const x = engine.zeros([1, 3, 4, 5]);
    expect(() => conv3x3Band(engine, x, w, null, { start: 2, count: 3, height: 10, inputStart: 2 })).toThrow(ShapeError);
    expect(() => conv3x3Band(engine, x, w, null, { start: 2, count: 3, height: 10, inputStart: 2 })).toThrow(/conv3x3Band: output rows \[2, 5\) of 10 need input rows \[1, 6\), but x \[1, 3, 4, 5\] holds \[2, 6\)/);
    expect(() => conv3x3Band(engine, x, w, null, { start: 8, count: 3, height: 10, inputStart: 6 })).toThrow(/rows \[8, 11\) are not a band of an image 10 rows tall/);
    expect(() => conv3x3Band(engine, x, w, null, { start: 0, count: 2, height: 7, inputStart: 0 }, true)).toThrow(/conv3x3Upsample2xBand: .* \(even when upsampled\)/);
    expect(() => conv3x3Band(engine, x, w, null, { start: 0, count: 0, height: 4, inputStart: 0 })).toThrow(/not a band/);
  });
});
