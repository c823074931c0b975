import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { matmulAttention } from '../../src/gpu/ops/matmul-attention.js';
import { expectClose, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { attentionRef } from '../reference/attention.js';

// Outputs are convex combinations of O(1) values; scores are f32 dot products over D <= 512.
const ATTN_F32: Tolerance = { atol: 2e-5, rtol: 1e-4 };

interface Case {
  batch: number;
  seqQ: number;
  seqK: number;
  dim: number;
  scale?: number;
  /** Forces row blocks: the largest score block in bytes. */
  maxScoreBytes?: number;
}

async function check({ batch, seqQ, seqK, dim, scale, maxScoreBytes }: Case, seed: number) {
  const engine = await testEngine();
  const rng = new Rng(seed);
  // q of std 2 makes the softmax peaked enough that a wrong key order or scale shows.
  const q = rng.normals(batch * seqQ * dim, 2);
  const k = rng.normals(batch * seqK * dim);
  const v = rng.array(batch * seqK * dim);
  const out = matmulAttention(engine, engine.upload(q, [batch, seqQ, dim]), engine.upload(k, [batch, seqK, dim]), engine.upload(v, [batch, seqK, dim]), { scale, maxScoreBytes });
  expect(out.shape).toEqual([batch, seqQ, dim]);
  const expected = attentionRef(q, k, v, batch, seqQ, seqK, dim, scale ?? 1 / Math.sqrt(dim));
  expectClose(await out.read(), expected, ATTN_F32, `matmulAttention ${JSON.stringify({ batch, seqQ, seqK, dim, scale, maxScoreBytes })}`);
}

describe('matmulAttention', () => {
  // Head dims past the fused kernel's 128 (the VAE's 512 and an odd 200), token counts off every
  // tile, one token, Sq != Sk, a scale of 1 (no scaling pass) and a custom scale.
  const cases: Case[] = [
    { batch: 1, seqQ: 1, seqK: 1, dim: 1 },
    { batch: 2, seqQ: 15, seqK: 15, dim: 512 },
    { batch: 1, seqQ: 33, seqK: 7, dim: 200 },
    { batch: 3, seqQ: 9, seqK: 20, dim: 24, scale: 1 },
    { batch: 2, seqQ: 16, seqK: 16, dim: 64, scale: 0.3 },
  ];
  for (const [i, c] of cases.entries()) {
    it(`N=${c.batch} Sq=${c.seqQ} Sk=${c.seqK} D=${c.dim}${c.scale !== undefined ? ` scale ${c.scale}` : ''} matches the f64 reference (f32)`, async () => {
      await check(c, 100 + i);
    });
  }

  // 4-byte scores: a budget of 3 rows of Sk = 20 keys is 240 bytes.
  it('in query row blocks (score budget of 3 rows, last block partial, several images) matches the reference', async () => {
    await check({ batch: 3, seqQ: 10, seqK: 20, dim: 40, maxScoreBytes: 3 * 20 * 4 }, 7);
  });

  it('in row blocks of one query for a single image matches the reference', async () => {
    await check({ batch: 1, seqQ: 5, seqK: 12, dim: 520, maxScoreBytes: 12 * 4 }, 8);
  });

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(9);
    const [batch, seq, dim] = [2, 12, 160];
    const q = rng.normals(batch * seq * dim);
    const k = rng.normals(batch * seq * dim);
    const v = rng.array(batch * seq * dim);
    const up = (d: Float32Array) => engine.upload(d, [batch, seq, dim], 'f16');
    const out = matmulAttention(engine, up(q), up(k), up(v));
    expect(out.dtype).toBe('f16');
    // q·scale and the probabilities are stored in f16 between the matmuls: a few f16 ulps.
    const expected = attentionRef(roundToF16(q), roundToF16(k), roundToF16(v), batch, seq, seq, dim, 1 / Math.sqrt(dim));
    expectClose(await out.read(), expected, { atol: 4e-3, rtol: 2e-2 }, 'matmulAttention f16');
  });

  it('names mismatched shapes and a budget too small for one row', async () => {
    const engine = await testEngine();
    const q = engine.zeros([2, 5, 8]);
    expect(() => matmulAttention(engine, q, engine.zeros([1, 5, 8]), engine.zeros([1, 5, 8]))).toThrow(ShapeError);
    expect(() => matmulAttention(engine, q, engine.zeros([2, 5, 7]), engine.zeros([2, 5, 7]))).toThrow(/matmulAttention: k must be \[2, Sk, 8\] for q \[2, 5, 8\], got \[2, 5, 7\]/);
    expect(() => matmulAttention(engine, q, engine.zeros([2, 6, 8]), engine.zeros([2, 5, 8]))).toThrow(/v must have the shape of k \[2, 6, 8\], got \[2, 5, 8\]/);
    expect(() => matmulAttention(engine, engine.zeros([5, 8]), q, q)).toThrow(/q must have rank 3/);
    expect(() => matmulAttention(engine, q, q, q, { maxScoreBytes: 16 })).toThrow(/one row of scores \(5 keys, 20 bytes\) exceeds the 16-byte score budget/);
  });
});
