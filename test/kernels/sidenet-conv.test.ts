import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { conv3x3NormHead, conv3x3Pair, depthwiseConv3x3Normed } from '../../src/gpu/ops/conv.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { conv3x3NormHeadRef, conv3x3PairRef, depthwise3x3NormedRef } from '../reference/sidenet-conv.js';
import { conv3x3Ref } from '../reference/conv.js';

// f32 accumulation of up to 9·C products of O(1) terms (weights scaled by the fan-in); f64 reference.
const F32_TOL: Tolerance = { atol: 3e-5, rtol: 2e-4 };
const EPS = 1e-5;

type Shape4 = [number, number, number, number];
type DType = 'f32' | 'f16';

/** [B, C, H, W] from the seeded rng: sizes off the 4-pixel chunk and 4-channel group, size-1 edges included. */
function randomShape(rng: Rng, trial: number): Shape4 {
  return trial === 0 ? [1, 1, 1, 1] : [rng.int(1, 3), rng.int(1, 19), rng.int(1, 9), rng.int(1, 11)];
}

/** f16 runs compare against references on f16-rounded inputs. */
function prepare(dtype: DType) {
  return (values: Float32Array) => (dtype === 'f16' ? Float32Array.from(roundToF16(values)) : values);
}

async function skipWithoutF16(engine: Engine, dtype: DType, ctx: { skip: (reason: string) => void }): Promise<boolean> {
  if (dtype === 'f16' && !engine.has('shader-f16')) {
    ctx.skip('adapter lacks shader-f16');
    return true;
  }
  return false;
}

for (const dtype of ['f32', 'f16'] as const) {
  const tol = dtype === 'f32' ? F32_TOL : F16_TOL;
  const round = prepare(dtype);

  describe(`depthwiseConv3x3Normed (${dtype})`, () => {
    for (const [film, silu] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`equals rmsNorm${film ? ' → FiLM' : ''}${silu ? ' → SiLU' : ''} → depthwise3x3 on random shapes`, async (ctx) => {
        const engine = await testEngine();
        if (await skipWithoutF16(engine, dtype, ctx)) return;
        const rng = new Rng(71 + (film ? 2 : 0) + (silu ? 1 : 0));
        for (let trial = 0; trial < 5; trial++) {
          const shape = randomShape(rng, trial);
          const [batch, channels] = shape;
          const x = round(rng.array(shape.reduce((a, b) => a * b, 1), -2, 2));
          const weight = round(rng.normals(channels * 9, 1 / 3));
          // FiLM rows wider than 2C with non-trivial offsets, as the SideNet's all-blocks FiLM tensor.
          const stride = 3 * channels + 1;
          const filmData = round(rng.array(batch * stride, -0.5, 0.5));
          const filmRef = { data: filmData, stride, scaleOffset: channels + 1, shiftOffset: 2 * channels + 1 };
          const out = depthwiseConv3x3Normed(engine, engine.upload(x, shape, dtype), engine.upload(weight, [channels, 1, 3, 3], dtype), {
            eps: EPS, silu, film: film ? { film: engine.upload(filmData, [batch, stride], dtype), scaleOffset: filmRef.scaleOffset, shiftOffset: filmRef.shiftOffset } : undefined,
          });
          expect(out.dtype).toBe(dtype);
          expectClose(await out.read(), depthwise3x3NormedRef({ data: x, shape }, weight, EPS, film ? filmRef : undefined, silu), tol, `[${shape}]`);
        }
      });
    }
  });

  describe(`conv3x3NormHead (${dtype})`, () => {
    it('equals outScale · conv3x3(SiLU(rmsNorm(x))) + bias on random shapes and channel counts', async (ctx) => {
      const engine = await testEngine();
      if (await skipWithoutF16(engine, dtype, ctx)) return;
      const rng = new Rng(83);
      for (let trial = 0; trial < 5; trial++) {
        const shape = randomShape(rng, trial);
        const [batch, channels] = shape;
        const cout = trial === 0 ? 1 : rng.int(1, 9);
        const x = round(rng.array(shape.reduce((a, b) => a * b, 1), -2, 2));
        const weight = round(rng.normals(cout * channels * 9, 1 / Math.sqrt(9 * channels)));
        const bias = round(rng.array(cout));
        // One zero scale: h = 0 rows must come out exactly zero.
        const scale = round(Float32Array.from({ length: batch }, (_, b) => (b === 0 ? 0 : rng.uniform(-1, 1))));
        const out = conv3x3NormHead(
          engine, engine.upload(x, shape, dtype), engine.upload(weight, [cout, channels, 3, 3], dtype), engine.upload(bias, [cout], dtype), engine.upload(scale, [batch], dtype), EPS,
        );
        expect(out.shape).toEqual([batch, cout, shape[2], shape[3]]);
        const got = await out.read();
        expectClose(got, conv3x3NormHeadRef({ data: x, shape }, weight, bias, scale, EPS), tol, `[${shape}] -> ${cout}`);
        expect(Array.from(got.subarray(0, got.length / batch)).every((v) => v === 0)).toBe(true);
      }
    });
  });

  describe(`conv3x3Pair (${dtype})`, () => {
    it('equals conv3x3 of the channel concat, repeated along the batch, on random shapes', async (ctx) => {
      const engine = await testEngine();
      if (await skipWithoutF16(engine, dtype, ctx)) return;
      const rng = new Rng(97);
      for (let trial = 0; trial < 5; trial++) {
        const [batch, ca, height, width] = randomShape(rng, trial);
        const cb = rng.int(1, 6);
        const cout = rng.int(1, 11);
        const copies = rng.int(1, 4);
        const a = round(rng.array(batch * ca * height * width));
        const b = round(rng.array(batch * cb * height * width));
        const weight = round(rng.normals(cout * (ca + cb) * 9, 1 / Math.sqrt(9 * (ca + cb))));
        const aShape: Shape4 = [batch, ca, height, width];
        const bShape: Shape4 = [batch, cb, height, width];
        const out = conv3x3Pair(engine, engine.upload(a, aShape, dtype), engine.upload(b, bShape, dtype), engine.upload(weight, [cout, ca + cb, 3, 3], dtype), copies);
        expect(out.shape).toEqual([copies * batch, cout, height, width]);
        expectClose(await out.read(), conv3x3PairRef({ data: a, shape: aShape }, { data: b, shape: bShape }, weight, cout, copies), tol, `[${aShape}] + ${cb} -> ${cout} ×${copies}`);
      }
    });
  });
}

// Both kernel families explicitly (the CPU profile's register-blocked kernels, the GPU
// profile's workgroup-tiled conv3x3_tiled.wgsl), on images larger than one 16x16 tile with
// ragged edges, channel counts off the 8-channel input chunk and output block, and 1x1 images.
const profileEngines = new Map<string, Promise<Engine>>();
function engineFor(kernels: 'cpu' | 'gpu'): Promise<Engine> {
  let e = profileEngines.get(kernels);
  if (!e) profileEngines.set(kernels, (e = Engine.create({ kernels })));
  return e;
}

for (const kernels of ['cpu', 'gpu'] as const) {
  for (const dtype of ['f32', 'f16'] as const) {
    const tol = dtype === 'f32' ? F32_TOL : F16_TOL;
    const round = prepare(dtype);
    const shapes: Shape4[] = [[1, 1, 1, 1], [2, 13, 17, 33], [1, 32, 16, 16], [3, 6, 35, 18]];
    describe(`SideNet fused 3x3 convs, ${kernels} kernels (${dtype})`, () => {
      it('conv3x3NormHead equals the f64 reference across tiles', async (ctx) => {
        const engine = await engineFor(kernels);
        if (await skipWithoutF16(engine, dtype, ctx)) return;
        expect(engine.kernelProfile).toBe(kernels);
        const rng = new Rng(kernels === 'gpu' ? 131 : 137);
        for (const shape of shapes) {
          const [batch, channels] = shape;
          const cout = rng.int(1, 11);
          const x = round(rng.array(shape.reduce((a, b) => a * b, 1), -2, 2));
          const weight = round(rng.normals(cout * channels * 9, 1 / Math.sqrt(9 * channels)));
          const bias = round(rng.array(cout));
          const scale = round(Float32Array.from({ length: batch }, (_, b) => (b === 0 ? 0 : rng.uniform(-1, 1))));
          const out = conv3x3NormHead(
            engine, engine.upload(x, shape, dtype), engine.upload(weight, [cout, channels, 3, 3], dtype), engine.upload(bias, [cout], dtype), engine.upload(scale, [batch], dtype), EPS,
          );
          expectClose(await out.read(), conv3x3NormHeadRef({ data: x, shape }, weight, bias, scale, EPS), tol, `[${shape}] -> ${cout}`);
          // Input already activated (the last fused residual block wrote SiLU(RMSNorm(·))).
          const plain = conv3x3NormHead(
            engine, engine.upload(x, shape, dtype), engine.upload(weight, [cout, channels, 3, 3], dtype), engine.upload(bias, [cout], dtype), engine.upload(scale, [batch], dtype), EPS,
            { inputActivated: true },
          );
          const convolved = conv3x3Ref({ data: x, shape }, weight, cout, bias);
          const perImage = convolved.length / batch;
          expectClose(await plain.read(), convolved.map((v, i) => v * scale[Math.floor(i / perImage)]), tol, `[${shape}] -> ${cout}, input activated`);
        }
      });

      it('depthwiseConv3x3Normed (plain, FiLM, SiLU, both) equals the f64 reference across tiles', async (ctx) => {
        const engine = await engineFor(kernels);
        if (await skipWithoutF16(engine, dtype, ctx)) return;
        const rng = new Rng(kernels === 'gpu' ? 151 : 157);
        for (const shape of shapes) {
          const [batch, channels] = shape;
          const x = round(rng.array(shape.reduce((a, b) => a * b, 1), -2, 2));
          const weight = round(rng.normals(channels * 9, 1 / 3));
          const stride = 3 * channels + 1;
          const filmData = round(rng.array(batch * stride, -0.5, 0.5));
          const filmRef = { data: filmData, stride, scaleOffset: channels + 1, shiftOffset: 2 * channels + 1 };
          const xT = engine.upload(x, shape, dtype);
          const wT = engine.upload(weight, [channels, 1, 3, 3], dtype);
          // The FiLM rows sit at rows 2.. of a larger table (firstRow), as a run's planned conditioning.
          const filmT = engine.upload([...round(rng.array(2 * stride, -9, 9)), ...filmData], [batch + 2, stride], dtype);
          for (const [film, silu] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            const out = depthwiseConv3x3Normed(engine, xT, wT, { eps: EPS, silu, film: film ? { film: filmT, firstRow: 2, scaleOffset: filmRef.scaleOffset, shiftOffset: filmRef.shiftOffset } : undefined });
            expectClose(await out.read(), depthwise3x3NormedRef({ data: x, shape }, weight, EPS, film ? filmRef : undefined, silu), tol, `[${shape}]${film ? ' film' : ''}${silu ? ' silu' : ''}`);
          }
          // Two copies of each image under FiLM rows 0.. and B..: rows [junk, junk, film, film2].
          const film2 = round(rng.array(batch * stride, -0.5, 0.5));
          const table = engine.upload([...round(rng.array(2 * stride, -9, 9)), ...filmData, ...film2], [2 * batch + 2, stride], dtype);
          const copied = depthwiseConv3x3Normed(engine, xT, wT, { eps: EPS, silu: true, copies: 2, film: { film: table, firstRow: 2, scaleOffset: filmRef.scaleOffset, shiftOffset: filmRef.shiftOffset } });
          expect(copied.shape).toEqual([2 * batch, ...shape.slice(1)]);
          const want = [filmData, film2].flatMap((data) => Array.from(depthwise3x3NormedRef({ data: x, shape }, weight, EPS, { ...filmRef, data }, true)));
          expectClose(await copied.read(), want, tol, `[${shape}] 2 copies`);
        }
      });

      it('conv3x3Pair equals the f64 reference across tiles', async (ctx) => {
        const engine = await engineFor(kernels);
        if (await skipWithoutF16(engine, dtype, ctx)) return;
        const rng = new Rng(kernels === 'gpu' ? 139 : 149);
        for (const [batch, ca, height, width] of shapes) {
          const cb = rng.int(1, 6);
          const cout = rng.int(1, 19);
          const copies = rng.int(1, 3);
          const aShape: Shape4 = [batch, ca, height, width];
          const bShape: Shape4 = [batch, cb, height, width];
          const a = round(rng.array(batch * ca * height * width));
          const b = round(rng.array(batch * cb * height * width));
          const weight = round(rng.normals(cout * (ca + cb) * 9, 1 / Math.sqrt(9 * (ca + cb))));
          const out = conv3x3Pair(engine, engine.upload(a, aShape, dtype), engine.upload(b, bShape, dtype), engine.upload(weight, [cout, ca + cb, 3, 3], dtype), copies);
          expectClose(await out.read(), conv3x3PairRef({ data: a, shape: aShape }, { data: b, shape: bShape }, weight, cout, copies), tol, `[${aShape}] + ${cb} -> ${cout} ×${copies}`);
        }
      });
    });
  }
}

describe('SideNet fused convs reject bad shapes, naming the argument', () => {
  it('names the argument and both shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([2, 3, 4, 5]);
    expect(() => depthwiseConv3x3Normed(engine, x, engine.zeros([4, 1, 3, 3]))).toThrow(/depthwiseConv3x3Normed: weight/);
    expect(() => depthwiseConv3x3Normed(engine, x, engine.zeros([3, 1, 3, 3]), { film: { film: engine.zeros([2, 5]), scaleOffset: 0, shiftOffset: 3 } })).toThrow(/shiftOffset 3 \+ C 3 exceeds film row 5/);
    expect(() => depthwiseConv3x3Normed(engine, x, engine.zeros([3, 1, 3, 3]), { copies: 2 })).toThrow(/copies without a film/);
    expect(() => depthwiseConv3x3Normed(engine, x, engine.zeros([3, 1, 3, 3]), { copies: 2, film: { film: engine.zeros([2, 6]), scaleOffset: 0, shiftOffset: 3 } })).toThrow(/film must be \[4, k·3\] for 4 images, got \[2, 6\]/);
    expect(() => conv3x3NormHead(engine, x, engine.zeros([4, 3, 3, 3]), engine.zeros([4]), engine.zeros([3]))).toThrow(/conv3x3NormHead: outScale/);
    expect(() => conv3x3Pair(engine, x, engine.zeros([2, 4, 4, 4]), engine.zeros([6, 7, 3, 3]))).toThrow(/conv3x3Pair: b must be \[2, Cb, 4, 5\]/);
    expect(() => conv3x3Pair(engine, x, engine.zeros([2, 4, 4, 5]), engine.zeros([6, 8, 3, 3]))).toThrow(/conv3x3Pair: weight/);
  });
});
