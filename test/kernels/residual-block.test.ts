import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { residualBlockFits, residualBlockIn, residualBlockOut } from '../../src/gpu/ops/residual-block.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { residualBlockInRef, residualBlockOutRef } from '../reference/residual-block.js';
import { normActRef } from '../reference/sidenet-conv.js';

// f32 accumulation of 9 depthwise taps then C <= 64 pointwise products of O(1) terms (weights
// scaled by the fan-in), and a second RMSNorm; f64 reference.
const F32_TOL: Tolerance = { atol: 3e-5, rtol: 2e-4 };
const EPS = 1e-5;
const CHANNELS = [4, 8, 17, 32, 64];
// Image sizes off the 4-pixel chunk, a single pixel, and the shipped 16x16 latents.
const SIZES: [number, number][] = [[1, 1], [3, 5], [7, 13], [16, 16]];

type Shape4 = [number, number, number, number];
type DType = 'f32' | 'f16';

/** Every channel count × image size once; batch 1/3 and copies 1/3 cycle so each count sees all four pairs. */
function cases(): { shape: Shape4; copies: number }[] {
  return CHANNELS.flatMap((channels) => SIZES.map(([height, width], i) => ({ shape: [i % 2 ? 3 : 1, channels, height, width] as Shape4, copies: (i >> 1) % 2 ? 3 : 1 })));
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** f16 runs compare against references on f16-rounded inputs. */
function prepare(dtype: DType) {
  return (values: Float32Array) => (dtype === 'f16' ? Float32Array.from(roundToF16(values)) : values);
}

async function f16Engine(dtype: DType, ctx: { skip: (reason: string) => void }): Promise<Engine | undefined> {
  const engine = await testEngine();
  if (dtype === 'f16' && !engine.has('shader-f16')) {
    ctx.skip('adapter lacks shader-f16');
    return undefined;
  }
  return engine;
}

for (const dtype of ['f32', 'f16'] as const) {
  const tol = dtype === 'f32' ? F32_TOL : F16_TOL;
  const round = prepare(dtype);

  describe(`residualBlockIn (${dtype}; f16 skipped where the adapter lacks shader-f16)`, () => {
    it('equals SiLU(FiLM(rmsNorm(PW1(DW1(rmsNorm(x)))))) per copy on C in {4, 8, 17, 32, 64} and ragged images', async (ctx) => {
      const engine = await f16Engine(dtype, ctx);
      if (!engine) return;
      const rng = new Rng(dtype === 'f32' ? 211 : 223);
      for (const { shape, copies } of cases()) {
        const [batch, channels] = shape;
        const x = round(rng.array(size(shape), -2, 2));
        const dw = round(rng.normals(channels * 9, 1 / 3));
        const pw = round(rng.normals(channels * channels, 1 / Math.sqrt(channels)));
        // FiLM rows wider than 2C with offsets inside, as the SideNet's all-blocks FiLM tensor.
        const stride = 3 * channels + 5;
        const filmData = round(rng.array(copies * batch * stride, -0.5, 0.5));
        const filmRef = { data: filmData, stride, scaleOffset: channels + 3, shiftOffset: 2 * channels + 4 };
        const out = residualBlockIn(
          engine, engine.upload(x, shape, dtype), engine.upload(dw, [channels, 1, 3, 3], dtype), engine.upload(pw, [channels, channels, 1, 1], dtype),
          // The FiLM rows at rows 1.. of a table, as a run's planned conditioning.
          { film: engine.upload([...round(rng.array(stride, -9, 9)), ...filmData], [copies * batch + 1, stride], dtype), firstRow: 1, scaleOffset: filmRef.scaleOffset, shiftOffset: filmRef.shiftOffset },
          { eps: EPS, copies },
        );
        expect(out.dtype).toBe(dtype);
        expect(out.shape).toEqual([copies * batch, ...shape.slice(1)]);
        expectClose(await out.read(), residualBlockInRef({ data: x, shape }, dw, pw, filmRef, copies, EPS), tol, `[${shape}] ×${copies}`);
        out.dispose();
      }
    });
  });

  describe(`residualBlockOut (${dtype}; f16 skipped where the adapter lacks shader-f16)`, () => {
    it('equals residual + bias + PW2(DW2(a)) (and its head activation) on C in {4, 8, 17, 32, 64} and ragged images', async (ctx) => {
      const engine = await f16Engine(dtype, ctx);
      if (!engine) return;
      const rng = new Rng(dtype === 'f32' ? 227 : 229);
      for (const { shape } of cases()) {
        const channels = shape[1];
        const a = round(rng.array(size(shape), -1, 1));
        const residual = round(rng.array(size(shape), -2, 2));
        const dw = round(rng.normals(channels * 9, 1 / 3));
        const pw = round(rng.normals(channels * channels, 1 / Math.sqrt(channels)));
        const bias = round(rng.array(channels, -0.5, 0.5));
        const out = residualBlockOut(
          engine, engine.upload(a, shape, dtype), engine.upload(dw, [channels, 1, 3, 3], dtype), engine.upload(pw, [channels, channels, 1, 1], dtype),
          engine.upload(bias, [channels], dtype), engine.upload(residual, shape, dtype),
        );
        expect(out.dtype).toBe(dtype);
        expect(out.shape).toEqual(shape);
        const want = residualBlockOutRef({ data: a, shape }, dw, pw, bias, residual);
        expectClose(await out.read(), want, tol, `[${shape}]`);
        out.dispose();
        // The last block's variant: the head's SiLU(RMSNorm(·)) of the same sum.
        const activated = residualBlockOut(
          engine, engine.upload(a, shape, dtype), engine.upload(dw, [channels, 1, 3, 3], dtype), engine.upload(pw, [channels, channels, 1, 1], dtype),
          engine.upload(bias, [channels], dtype), engine.upload(residual, shape, dtype), { headActivation: { eps: EPS } },
        );
        expectClose(await activated.read(), normActRef({ data: want, shape }, EPS, undefined, true).data, tol, `[${shape}] head activation`);
        activated.dispose();
      }
    });
  });
}

describe('the fused residual block rejects bad shapes, naming the op and argument', () => {
  it('residualBlockFits is C <= 64', () => {
    expect(residualBlockFits(1)).toBe(true);
    expect(residualBlockFits(32)).toBe(true);
    expect(residualBlockFits(64)).toBe(true);
    expect(residualBlockFits(65)).toBe(false);
    expect(residualBlockFits(0)).toBe(false);
  });

  it('residualBlockIn', async () => {
    const engine = await testEngine();
    const x = engine.zeros([2, 3, 4, 5]);
    const dw = engine.zeros([3, 1, 3, 3]);
    const pw = engine.zeros([3, 3, 1, 1]);
    const film = (rows: number, width = 6) => ({ film: engine.zeros([rows, width]), scaleOffset: 0, shiftOffset: 3 });
    expect(() => residualBlockIn(engine, engine.zeros([1, 65, 2, 2]), engine.zeros([65, 1, 3, 3]), engine.zeros([65, 65, 1, 1]), film(1, 130))).toThrow(/residualBlockIn: x \[1, 65, 2, 2\] has 65 channels.*at most 64/);
    expect(() => residualBlockIn(engine, engine.zeros([2, 3, 4]), dw, pw, film(2))).toThrow(/residualBlockIn: x must have rank 4/);
    expect(() => residualBlockIn(engine, x, engine.zeros([4, 1, 3, 3]), pw, film(2))).toThrow(/residualBlockIn: dwWeight must be \[3, 1, 3, 3\], got \[4, 1, 3, 3\]/);
    expect(() => residualBlockIn(engine, x, dw, engine.zeros([4, 3, 1, 1]), film(2))).toThrow(/residualBlockIn: pwWeight must be \[3, 3, 1, 1\].*got \[4, 3, 1, 1\]/);
    expect(() => residualBlockIn(engine, x, dw, pw, film(2), { copies: 3 })).toThrow(/residualBlockIn: film must be \[6, k·3\] for 6 images, got \[2, 6\]/);
    expect(() => residualBlockIn(engine, x, dw, pw, film(3))).toThrow(/residualBlockIn: film must be \[2, k·3\] for 2 images/);
    expect(() => residualBlockIn(engine, x, dw, pw, film(2, 5))).toThrow(/residualBlockIn: film shiftOffset 3 \+ C 3 exceeds film row 5/);
    expect(() => residualBlockIn(engine, x, dw, pw, film(2), { copies: 0 })).toThrow(/residualBlockIn: copies must be a positive integer/);
    expect(() => residualBlockIn(engine, x, dw, engine.zeros([3, 3, 1, 1], 'f16'), film(2))).toThrow(/residualBlockIn: (mixes|expects)/);
  });

  it('residualBlockOut', async () => {
    const engine = await testEngine();
    const a = engine.zeros([2, 3, 4, 5]);
    const dw = engine.zeros([3, 1, 3, 3]);
    const pw = engine.zeros([3, 3, 1, 1]);
    const bias = engine.zeros([3]);
    expect(() => residualBlockOut(engine, engine.zeros([1, 65, 2, 2]), engine.zeros([65, 1, 3, 3]), engine.zeros([65, 65, 1, 1]), engine.zeros([65]), engine.zeros([1, 65, 2, 2]))).toThrow(/residualBlockOut: a \[1, 65, 2, 2\] has 65 channels.*at most 64/);
    expect(() => residualBlockOut(engine, a, engine.zeros([3, 1, 1, 1]), pw, bias, a)).toThrow(/residualBlockOut: dwWeight must be \[3, 1, 3, 3\], got \[3, 1, 1, 1\]/);
    expect(() => residualBlockOut(engine, a, dw, engine.zeros([3, 4, 1, 1]), bias, a)).toThrow(/residualBlockOut: pwWeight must be \[3, 3, 1, 1\]/);
    expect(() => residualBlockOut(engine, a, dw, pw, engine.zeros([4]), a)).toThrow(/residualBlockOut: bias must be \[3\], got \[4\]/);
    expect(() => residualBlockOut(engine, a, dw, pw, bias, engine.zeros([2, 3, 4, 6]))).toThrow(/residualBlockOut: residual must be \[2, 3, 4, 5\], got \[2, 3, 4, 6\]/);
  });
});
