import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { patchify, unpatchify } from '../../src/gpu/ops/patch.js';
import { expectClose, F32_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { patchEmbedConvRef, patchifyRef, unpatchifyRef } from '../reference/patch.js';

// Pure rearrangements: exact.
const EXACT: Tolerance = { atol: 0, rtol: 0 };

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('patchify', () => {
  // [B, C, H, W] with patch p: non-square, 1x1 output grids, p = H.
  const cases: [number[], number][] = [
    [[1, 1, 1, 1], 1],
    [[2, 3, 5, 7], 1],
    [[2, 4, 6, 10], 2],
    [[1, 5, 8, 12], 4],
    [[3, 4, 8, 8], 8],
    [[1, 4, 32, 16], 2],
  ];
  for (const [shape, p] of cases) {
    it(`[${shape}] with p=${p} matches the reference exactly (f32)`, async () => {
      const engine = await testEngine();
      const x = new Rng(size(shape) + p).array(size(shape));
      const out = patchify(engine, engine.upload(x, shape), p);
      expect(out.shape).toEqual([shape[0], (shape[2] / p) * (shape[3] / p), shape[1] * p * p]);
      expectClose(await out.read(), patchifyRef(x, shape, p), EXACT, `patchify [${shape}] p=${p}`);
    });
  }

  it('followed by a matmul with the conv weight viewed as [D, C*p*p] equals the stride-p conv', async () => {
    const engine = await testEngine();
    const rng = new Rng(77);
    const [shape, p, dim] = [[2, 4, 8, 4], 2, 5] as const;
    const x = rng.array(size([...shape]));
    const weight = rng.array(dim * shape[1] * p * p);
    const rows = await patchify(engine, engine.upload(x, shape), p).read();
    const k = shape[1] * p * p;
    const tokens = new Float64Array((rows.length / k) * dim);
    for (let r = 0; r < rows.length / k; r++)
      for (let d = 0; d < dim; d++) {
        let sum = 0;
        for (let e = 0; e < k; e++) sum += rows[r * k + e] * weight[d * k + e];
        tokens[r * dim + d] = sum;
      }
    expectClose(tokens, patchEmbedConvRef(x, [...shape], weight, dim, p), F32_TOL, 'patch embedding');
  });

  it('rejects a patch size outside {1, 2, 4, 8} and sizes that are not multiples of p', async () => {
    const engine = await testEngine();
    expect(() => patchify(engine, engine.zeros([1, 4, 6, 6]), 3)).toThrow(ShapeError);
    expect(() => patchify(engine, engine.zeros([1, 4, 6, 6]), 3)).toThrow(/patchify: patch size must be one of 1, 2, 4, 8, got 3/);
    expect(() => patchify(engine, engine.zeros([1, 4, 6, 10]), 4)).toThrow(/patchify: x \[1, 4, 6, 10\] height and width must be multiples of the patch size 4, got 6x10/);
    expect(() => patchify(engine, engine.zeros([4, 6, 6]), 2)).toThrow(/patchify: x must have rank 4, got \[4, 6, 6\]/);
  });
});

describe('unpatchify', () => {
  // [B, H, W], p, Cout, Ckeep: SiT learn_sigma (8 -> keep 4), REPA (4 -> 4), odd counts.
  const cases: [number[], number, number, number][] = [
    [[1, 1, 1], 1, 1, 1],
    [[2, 3, 5], 1, 3, 2],
    [[2, 8, 8], 2, 8, 4],
    [[1, 8, 12], 4, 4, 4],
    [[3, 16, 8], 8, 5, 3],
    [[1, 32, 32], 2, 8, 4],
  ];
  for (const [[batch, height, width], p, cout, keep] of cases) {
    it(`[${batch}, T, ${p}*${p}*${cout}] -> [${batch}, ${keep}, ${height}, ${width}] matches the reference exactly (f32)`, async () => {
      const engine = await testEngine();
      const count = (height / p) * (width / p);
      const tokens = new Rng(height * 100 + width + cout).array(batch * count * p * p * cout);
      const out = unpatchify(engine, engine.upload(tokens, [batch, count, p * p * cout]), p, height, width, keep);
      expect(out.shape).toEqual([batch, keep, height, width]);
      expectClose(await out.read(), unpatchifyRef(tokens, batch, height, width, p, cout, keep), EXACT, `unpatchify p=${p}`);
    });
  }

  it('keeps every channel by default', async () => {
    const engine = await testEngine();
    const tokens = new Rng(5).array(2 * 4 * 4 * 3);
    const out = unpatchify(engine, engine.upload(tokens, [2, 4, 12]), 2, 4, 4);
    expect(out.shape).toEqual([2, 3, 4, 4]);
    expectClose(await out.read(), unpatchifyRef(tokens, 2, 4, 4, 2, 3, 3), EXACT, 'unpatchify keep all');
  });

  it('rejects token counts, vector widths and keep that do not fit', async () => {
    const engine = await testEngine();
    const tokens = engine.zeros([1, 16, 32]);
    expect(() => unpatchify(engine, tokens, 2, 8, 10)).toThrow(ShapeError);
    expect(() => unpatchify(engine, tokens, 2, 8, 10)).toThrow(/unpatchify: tokens must be \[B, 20, 2\*2\*Cout\] for 8x10 with patch 2, got \[1, 16, 32\]/);
    expect(() => unpatchify(engine, engine.zeros([1, 16, 30]), 2, 8, 8)).toThrow(/tokens must be \[B, 16, 2\*2\*Cout\]/);
    expect(() => unpatchify(engine, tokens, 2, 8, 8, 9)).toThrow(/unpatchify: keep must be in 1\.\.8 .* got 9/);
    expect(() => unpatchify(engine, tokens, 2, 7, 8)).toThrow(/multiples of the patch size 2, got 7x8/);
  });
});

describe('patch layout in f16 storage', () => {
  it('patchify and unpatchify copy f16 values exactly (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(12);
    const x = rng.array(2 * 4 * 8 * 8);
    const rows = patchify(engine, engine.upload(x, [2, 4, 8, 8], 'f16'), 4);
    expect(rows.dtype).toBe('f16');
    expectClose(await rows.read(), patchifyRef(roundToF16(x), [2, 4, 8, 8], 4), EXACT, 'f16 patchify');
    const tokens = rng.array(2 * 16 * 4 * 8);
    const img = unpatchify(engine, engine.upload(tokens, [2, 16, 32], 'f16'), 2, 8, 8, 4);
    expectClose(await img.read(), unpatchifyRef(roundToF16(tokens), 2, 8, 8, 2, 8, 4), EXACT, 'f16 unpatchify');
  });
});
