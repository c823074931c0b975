import { describe, expect, it } from 'vitest';
import { layerNorm, rmsNorm } from '../../src/gpu/ops/norm.js';
import { ShapeError } from '../../src/gpu/errors.js';
import type { StorageDType } from '../../src/gpu/pipelines.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { gather4 } from '../reference/attention.js';
import { mapRef, silu } from '../reference/elementwise.js';
import { affineRef, layerNormRef, modulateRef, rmsNormRef } from '../reference/norm.js';

// Outputs are O(1) (normalised, then scaled by 1 + O(1)); f32 sums over D <= 1152 stay within ~1e-6.
const NORM_F32: Tolerance = { atol: 1e-5, rtol: 1e-4 };
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const maybeF16 = (dtype: StorageDType, x: ArrayLike<number>) => (dtype === 'f16' ? roundToF16(x) : Float64Array.from(x));

describe('layerNorm', () => {
  // Row lengths below, at, above and far above the 64-wide workgroup; a single row; D = 1.
  const cases: number[][] = [[1, 1], [3, 7], [5, 64], [2, 3, 65], [4, 384], [2, 1152]];
  // Both strategies on every adapter (the default picks one per adapter).
  for (const strategy of ['workgroup', 'rows'] as const) {
    for (const shape of cases) {
      it(`[${shape}] plain matches the reference (f32, ${strategy})`, async () => {
        const engine = await testEngine();
        const rng = new Rng(size(shape));
        const x = rng.normals(size(shape), 3);
        const out = layerNorm(engine, engine.upload(x, shape), { strategy });
        expect(out.shape).toEqual(shape);
        expectClose(await out.read(), layerNormRef(x, shape[shape.length - 1], 1e-6), NORM_F32, `layerNorm [${shape}] ${strategy}`);
      });
    }

    it(`stays accurate for rows with a large mean (|mean| = 1e3, std 1; ${strategy})`, async () => {
      // A one-pass E[x²] − E[x]² would cancel catastrophically here; the centred variance does not.
      const engine = await testEngine();
      const rng = new Rng(12);
      const x = Float32Array.from(rng.normals(3 * 200), (v) => 1000 + v);
      // x itself carries f32 rounding of ~3e-5 at 1e3, which is ~3e-5 of a unit-std output.
      expectClose(await layerNorm(engine, engine.upload(x, [3, 200]), { strategy }).read(), layerNormRef(x, 200, 1e-6), { atol: 2e-4, rtol: 1e-4 }, `large mean ${strategy}`);
    });
  }

  for (const dtype of ['f32', 'f16'] as const) {
    it(`fuses the adaLN modulate of the mlp chunk pair of chunk6 (${dtype})`, async (ctx) => {
      const engine = await testEngine();
      if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const rng = new Rng(dtype === 'f16' ? 14 : 13);
      const [images, tokens, dim] = [3, 17, 72];
      const x = rng.normals(images * tokens * dim);
      const mod = rng.normals(images * 6 * dim, 0.5);
      // (shift, scale, gate)_msa, (shift, scale, gate)_mlp: the mlp pair is chunks 3 and 4.
      const ref = modulateRef(layerNormRef(maybeF16(dtype, x), dim, 1e-6), dim, maybeF16(dtype, mod), 6 * dim, 3 * dim, 4 * dim, tokens);
      for (const strategy of ['workgroup', 'rows'] as const) {
        const out = layerNorm(engine, engine.upload(x, [images * tokens, dim], dtype), {
          modulation: { mod: engine.upload(mod, [images, 6 * dim], dtype), shiftOffset: 3 * dim, scaleOffset: 4 * dim, rowsPerImage: tokens },
          strategy,
        });
        expectClose(await out.read(), dtype === 'f16' ? roundToF16(ref) : ref, dtype === 'f16' ? F16_TOL : NORM_F32, `modulate ${dtype} ${strategy}`);
      }
    });
  }

  it('normalises the q heads of a qkv buffer with affine weights (REPA qk-norm, eps 1e-5)', async () => {
    const engine = await testEngine();
    const rng = new Rng(15);
    const [bt, heads, headDim] = [7, 3, 16];
    const width = heads * headDim;
    const qkv = rng.normals(bt * 3 * width, 2);
    const weight = rng.normals(headDim);
    const bias = rng.normals(headDim);
    const qkvT = engine.upload(qkv, [bt, 3 * width]);
    const affine = { weight: engine.upload(weight, [headDim]), bias: engine.upload(bias, [headDim]) };
    for (const [which, offset] of [['q', 0], ['k', width]] as const) {
      for (const strategy of ['workgroup', 'rows'] as const) {
        const out = layerNorm(engine, qkvT, { eps: 1e-5, affine, select: { rows: bt * heads, dim: headDim, offset, groupRows: heads, groupStride: 3 * width }, strategy });
        expect(out.shape).toEqual([bt * heads, headDim]);
        const rows = gather4(qkv, offset, [0, 3 * width, headDim, 1], [1, bt, heads, headDim]);
        expectClose(await out.read(), affineRef(layerNormRef(rows, headDim, 1e-5), weight, bias), NORM_F32, `qk-norm ${which} ${strategy}`);
      }
    }
  });

  it('rejects bad shapes, naming the op and the shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([6, 8]);
    const mod = engine.zeros([2, 16]);
    const modulation = { mod, shiftOffset: 0, scaleOffset: 8, rowsPerImage: 3 };
    expect(() => layerNorm(engine, x, { modulation: { ...modulation, rowsPerImage: 4 } })).toThrow(ShapeError);
    expect(() => layerNorm(engine, x, { modulation: { ...modulation, rowsPerImage: 4 } })).toThrow(/layerNorm: modulation \[2, 16\] with 4 rows per image does not cover x's 6 rows/);
    expect(() => layerNorm(engine, x, { modulation: { ...modulation, scaleOffset: 9 } })).toThrow(/scaleOffset 9 \+ D 8 exceeds modulation row 16 \(\[2, 16\]\)/);
    expect(() => layerNorm(engine, x, { affine: { weight: engine.zeros([7]), bias: engine.zeros([8]) } })).toThrow(/layerNorm: affine.weight must be \[8\], got \[7\]/);
    expect(() => layerNorm(engine, x, { modulation, affine: { weight: engine.zeros([8]), bias: engine.zeros([8]) } })).toThrow(/mutually exclusive/);
    expect(() => layerNorm(engine, x, { select: { rows: 4, dim: 8, offset: 8, groupRows: 2, groupStride: 32 } })).toThrow(/ends at element 56, outside x \[6, 8\]/);
    expect(() => layerNorm(engine, x, { out: engine.zeros([6, 7]) })).toThrow(/out \[6, 7\] must hold 6 rows of 8/);
    expect(() => layerNorm(engine, x, { modulation: { ...modulation, mod: engine.zeros([2, 16], 'f16') } })).toThrow(/mixes f32 and f16/);
  });
});

describe('rmsNorm over channels (channels-first)', () => {
  // HW off the 64-wide workgroup, 1×1, and SideNet widths.
  const cases: number[][] = [[1, 1, 1], [2, 24, 5, 3], [1, 32, 8, 8], [2, 256, 10, 10], [3, 7, 67]];
  for (const shape of cases) {
    it(`[${shape}] plain and with FiLM match the reference (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(size(shape) + 1);
      const [batch, channels] = shape;
      const hw = size(shape.slice(2));
      const x = rng.normals(size(shape), 2);
      const xT = engine.upload(x, shape);
      const plain = rmsNorm(engine, xT);
      expect(plain.shape).toEqual(shape);
      expectClose(await plain.read(), rmsNormRef(x, batch, channels, hw, 1e-5), NORM_F32, `rmsNorm [${shape}]`);
      const film = rng.normals(batch * 2 * channels, 0.5);
      const filmed = rmsNorm(engine, xT, { film: { film: engine.upload(film, [batch, 2 * channels]) } });
      const ref = rmsNormRef(x, batch, channels, hw, 1e-5, { data: film, stride: 2 * channels, scaleOffset: 0, shiftOffset: channels });
      expectClose(await filmed.read(), ref, NORM_F32, `rmsNorm+FiLM [${shape}]`);
      // The same rows at rows 3.. of a larger table.
      const table = engine.upload([...rng.normals(3 * 2 * channels, 9), ...film], [batch + 3, 2 * channels]);
      const fromTable = rmsNorm(engine, xT, { film: { film: table, firstRow: 3 } });
      expectClose(await fromTable.read(), ref, NORM_F32, `rmsNorm+FiLM rows 3.. [${shape}]`);
      expect(() => rmsNorm(engine, xT, { film: { film: table, firstRow: 4 } })).toThrow(/film rows 4\.\.\d+ for \d+ images exceed film/);
    });
  }

  it('fused SiLU of the plain and the FiLM result matches SiLU of the reference (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(23);
    const [batch, channels, hw] = [3, 24, 67];
    const x = rng.normals(batch * channels * hw, 2);
    const xT = engine.upload(x, [batch, channels, hw]);
    const film = rng.normals(batch * 2 * channels, 0.5);
    const plain = rmsNorm(engine, xT, { silu: true });
    expectClose(await plain.read(), mapRef(rmsNormRef(x, batch, channels, hw, 1e-5), silu), NORM_F32, 'rmsNorm+SiLU');
    const filmed = rmsNorm(engine, xT, { film: { film: engine.upload(film, [batch, 2 * channels]) }, silu: true });
    const ref = rmsNormRef(x, batch, channels, hw, 1e-5, { data: film, stride: 2 * channels, scaleOffset: 0, shiftOffset: channels });
    expectClose(await filmed.read(), mapRef(ref, silu), NORM_F32, 'rmsNorm+FiLM+SiLU');
  });

  it('FiLM at custom offsets inside a wider row, and eps, are honoured', async () => {
    const engine = await testEngine();
    const rng = new Rng(21);
    const [batch, channels, hw] = [2, 5, 9];
    const x = rng.normals(batch * channels * hw, 1e-3); // small x: eps matters
    const film = rng.normals(batch * 4 * channels);
    const out = rmsNorm(engine, engine.upload(x, [batch, channels, hw]), { eps: 1e-6, film: { film: engine.upload(film, [batch, 4 * channels]), scaleOffset: 3 * channels, shiftOffset: channels } });
    const ref = rmsNormRef(x, batch, channels, hw, 1e-6, { data: film, stride: 4 * channels, scaleOffset: 3 * channels, shiftOffset: channels });
    expectClose(await out.read(), ref, NORM_F32, 'offset FiLM');
  });

  it('matches the reference in f16 storage (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(22);
    const [batch, channels, hw] = [2, 32, 70];
    const x = rng.normals(batch * channels * hw);
    const film = rng.normals(batch * 2 * channels, 0.5);
    const out = rmsNorm(engine, engine.upload(x, [batch, channels, hw], 'f16'), { film: { film: engine.upload(film, [batch, 2 * channels], 'f16') } });
    expect(out.dtype).toBe('f16');
    const ref = rmsNormRef(roundToF16(x), batch, channels, hw, 1e-5, { data: roundToF16(film), stride: 2 * channels, scaleOffset: 0, shiftOffset: channels });
    expectClose(await out.read(), roundToF16(ref), F16_TOL, 'f16 rmsNorm+FiLM');
  });

  it('rejects bad shapes, naming the op and the shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([2, 4, 3]);
    expect(() => rmsNorm(engine, engine.zeros([5]))).toThrow(/rmsNorm: x must be \[B, C, ...spatial\], got \[5\]/);
    expect(() => rmsNorm(engine, x, { film: { film: engine.zeros([3, 8]) } })).toThrow(/rmsNorm: film must be \[2, k·4\] for 2 images, got \[3, 8\]/);
    expect(() => rmsNorm(engine, x, { film: { film: engine.zeros([2, 6]) } })).toThrow(/shiftOffset 4 \+ C 4 exceeds film row 6/);
    expect(() => rmsNorm(engine, x, { out: engine.zeros([2, 4]) })).toThrow(ShapeError);
  });
});
