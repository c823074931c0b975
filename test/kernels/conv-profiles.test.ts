// conv3x3 and its upsampling, banded and input-gradient forms through both kernel families
// (the CPU profile's register-blocked conv3x3.wgsl and the GPU profile's workgroup-tiled
// conv3x3_tiled.wgsl) on every adapter, with shapes that straddle the tiled kernel's 16x16
// output tiles, 8-channel input chunks and 8-channel output blocks.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { conv3x3, conv3x3Band, conv3x3InputGrad, conv3x3Upsample2x, convInputRows, depthwiseConv3x3, depthwiseConv3x3InputGrad } from '../../src/gpu/ops/conv.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { Rng } from '../helpers/random.js';
import { randomBands, rowsOf } from '../reference/bands.js';
import { conv3x3Ref, depthwise3x3Ref } from '../reference/conv.js';
import { upsampleNearest2xRef } from '../reference/upsample.js';

// f32 accumulation of up to Cin·9 O(1) products against the f64 reference.
const F32_TOL: Tolerance = { atol: 3e-5, rtol: 2e-4 };
type Shape4 = [number, number, number, number];

const engines = new Map<string, Promise<Engine>>();
function engineFor(kernels: 'cpu' | 'gpu'): Promise<Engine> {
  let e = engines.get(kernels);
  if (!e) engines.set(kernels, (e = Engine.create({ kernels })));
  return e;
}

/** [B, Cin, H, W] and Cout: 1x1 images, sizes just past a 16-pixel tile, odd channel counts. */
function randomCase(rng: Rng, trial: number): [Shape4, number] {
  if (trial === 0) return [[1, 1, 1, 1], 1];
  if (trial === 1) return [[2, 5, 17, 33], 9];
  return [[rng.int(1, 3), rng.int(1, 11), rng.int(1, 37), rng.int(1, 37)], rng.int(1, 19)];
}

for (const kernels of ['cpu', 'gpu'] as const) {
  for (const dtype of ['f32', 'f16'] as const) {
    const tol = dtype === 'f32' ? F32_TOL : F16_TOL;
    const round = (v: Float32Array) => (dtype === 'f16' ? Float32Array.from(roundToF16(v)) : v);
    describe(`conv3x3 family, ${kernels} kernels (${dtype})`, () => {
      it('conv3x3 and conv3x3Upsample2x equal the f64 reference (with and without bias)', async (ctx) => {
        const engine = await engineFor(kernels);
        if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
        expect(engine.kernelProfile).toBe(kernels);
        const rng = new Rng(kernels === 'gpu' ? 901 : 902);
        for (let trial = 0; trial < 6; trial++) {
          const [shape, cout] = randomCase(rng, trial);
          const [batch, cin, height, width] = shape;
          const x = round(rng.array(batch * cin * height * width));
          const weight = round(rng.normals(cout * cin * 9, 1 / Math.sqrt(cin * 9)));
          const bias = round(rng.array(cout));
          const xT = engine.upload(x, shape, dtype);
          const wT = engine.upload(weight, [cout, cin, 3, 3], dtype);
          const withBias = trial % 2 === 1;
          const bT = withBias ? engine.upload(bias, [cout], dtype) : undefined;
          const plain = conv3x3(engine, xT, wT, bT);
          expectClose(await plain.read(), conv3x3Ref({ data: x, shape }, weight, cout, withBias ? bias : undefined), tol, `conv3x3 [${shape}] -> ${cout}`);
          const upsampled = conv3x3Upsample2x(engine, xT, wT, bT);
          expect(upsampled.shape).toEqual([batch, cout, 2 * height, 2 * width]);
          expectClose(await upsampled.read(), conv3x3Ref(upsampleNearest2xRef({ data: x, shape }), weight, cout, withBias ? bias : undefined), tol, `conv3x3Upsample2x [${shape}] -> ${cout}`);
        }
      });

      it('conv3x3InputGrad equals the conv with the weight transposed and flipped', async (ctx) => {
        const engine = await engineFor(kernels);
        if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
        const rng = new Rng(kernels === 'gpu' ? 903 : 904);
        for (let trial = 0; trial < 4; trial++) {
          // Forward [cin -> cout]; dy has cout channels, dx cin.
          const [[batch, cout, height, width], cin] = randomCase(rng, trial);
          const dy = round(rng.array(batch * cout * height * width));
          const weight = round(rng.normals(cout * cin * 9, 1 / Math.sqrt(cout * 9)));
          const flipped = new Float32Array(cin * cout * 9);
          for (let o = 0; o < cout; o++) for (let c = 0; c < cin; c++) for (let k = 0; k < 9; k++) flipped[(c * cout + o) * 9 + k] = weight[(o * cin + c) * 9 + 8 - k];
          const dx = conv3x3InputGrad(engine, engine.upload(dy, [batch, cout, height, width], dtype), engine.upload(weight, [cout, cin, 3, 3], dtype));
          expect(dx.shape).toEqual([batch, cin, height, width]);
          expectClose(await dx.read(), conv3x3Ref({ data: dy, shape: [batch, cout, height, width] }, flipped, cin), tol, `inputGrad dy [${batch},${cout},${height},${width}] -> ${cin}`);
        }
      });

      it('depthwiseConv3x3 and its input gradient (flipped weight) equal the f64 reference', async (ctx) => {
        const engine = await engineFor(kernels);
        if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
        const rng = new Rng(kernels === 'gpu' ? 907 : 908);
        for (let trial = 0; trial < 5; trial++) {
          const [shape] = randomCase(rng, trial);
          const channels = shape[1];
          const x = round(rng.array(shape.reduce((a, b) => a * b, 1)));
          const weight = round(rng.normals(channels * 9, 1 / 3));
          const flipped = Float32Array.from({ length: channels * 9 }, (_, i) => weight[i - (i % 9) + 8 - (i % 9)]);
          const xT = engine.upload(x, shape, dtype);
          const wT = engine.upload(weight, [channels, 1, 3, 3], dtype);
          expectClose(await depthwiseConv3x3(engine, xT, wT).read(), depthwise3x3Ref({ data: x, shape }, weight), tol, `depthwise [${shape}]`);
          expectClose(await depthwiseConv3x3InputGrad(engine, xT, wT).read(), depthwise3x3Ref({ data: x, shape }, flipped), tol, `depthwise input grad [${shape}]`);
        }
      });

      for (const upsample of [false, true]) {
        it(`conv3x3Band${upsample ? ' (upsampled)' : ''}: ragged bands equal rows of the whole-image reference`, async (ctx) => {
          const engine = await engineFor(kernels);
          if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
          const rng = new Rng((kernels === 'gpu' ? 905 : 906) + (upsample ? 10 : 0));
          for (let trial = 0; trial < 3; trial++) {
            const [shape, cout] = randomCase(rng, trial + 1);
            const [batch, cin, inHeight, width] = shape;
            const x = round(rng.array(batch * cin * inHeight * width));
            const weight = round(rng.normals(cout * cin * 9, 1 / Math.sqrt(cin * 9)));
            const bias = round(rng.array(cout));
            const whole = upsample ? upsampleNearest2xRef({ data: x, shape }) : { data: x, shape };
            const ref = conv3x3Ref(whole, weight, cout, bias);
            const height = upsample ? 2 * inHeight : inHeight;
            const outShape = [batch, cout, height, upsample ? 2 * width : width];
            const wT = engine.upload(weight, [cout, cin, 3, 3], dtype);
            const bT = engine.upload(bias, [cout], dtype);
            for (const [start, count] of randomBands(height, rng.int(1, 4), (lo, hi) => rng.int(lo, hi))) {
              const [first, end] = convInputRows(start, count, height, upsample);
              const band = rowsOf(x, shape, first, end - first);
              const xT = engine.upload(Float32Array.from(band), [batch, cin, end - first, width], dtype);
              const out = conv3x3Band(engine, xT, wT, bT, { start, count, height, inputStart: first }, upsample);
              expectClose(await out.read(), rowsOf(ref, outShape, start, count), tol, `band [${start}, +${count}) of [${shape}]${upsample ? ' x2' : ''}`);
            }
          }
        });
      }
    });
  }
}
