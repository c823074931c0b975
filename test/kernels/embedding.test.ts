import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { embedding, timestepEmbedding } from '../../src/gpu/ops/embedding.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { gatherRef, timestepEmbeddingRef } from '../reference/embedding.js';

// A gather copies values: exact.
const EXACT: Tolerance = { atol: 0, rtol: 0 };
// f32 frequencies and arguments (relative error ~1e-7 of |t f| <= 1) and f32 cos/sin.
const SINUSOID_TOL: Tolerance = { atol: 2e-6, rtol: 0 };

describe('embedding gather', () => {
  const cases: [number, number, number][] = [
    [1, 1, 1],
    [7, 5, 3],
    [1001, 33, 12],
    [10, 384, 40],
  ];
  for (const [rows, dim, count] of cases) {
    it(`table [${rows}, ${dim}] by ${count} host ids is exact (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(rows * 7 + dim);
      const table = rng.array(rows * dim);
      // Include the last row (the null class of a label table) and repeated ids.
      const ids = Array.from({ length: count }, (_, i) => (i === 0 ? rows - 1 : rng.int(0, rows - 1)));
      const out = embedding(engine, engine.upload(table, [rows, dim]), ids);
      expect(out.shape).toEqual([count, dim]);
      expectClose(await out.read(), gatherRef(table, dim, ids), EXACT, `gather [${rows}, ${dim}]`);
    });
  }

  it('takes ids from an i32 tensor; an out-of-range one there gives a NaN row', async () => {
    const engine = await testEngine();
    const rng = new Rng(3);
    const table = rng.array(6 * 9);
    const ids = Int32Array.from([5, 0, 2, 2]);
    const out = embedding(engine, engine.upload(table, [6, 9]), engine.upload(ids, [4], 'i32'));
    expectClose(await out.read(), gatherRef(table, 9, ids), EXACT, 'gather from tensor ids');
    const bad = await embedding(engine, engine.upload(table, [6, 9]), engine.upload([1, 6], [2], 'i32')).read();
    expectClose(bad.slice(0, 9), table.slice(9, 18), EXACT, 'row of a valid id');
    expect(Array.from(bad.slice(9)).every(Number.isNaN)).toBe(true);
  });

  it('rejects host ids outside the table, naming the id and V', async () => {
    const engine = await testEngine();
    const table = engine.zeros([1001, 4]);
    expect(() => embedding(engine, table, [3, 1001])).toThrow(ShapeError);
    expect(() => embedding(engine, table, [3, 1001])).toThrow(/embedding: ids\[1\] = 1001 is not a row of the table \(V = 1001, valid ids 0\.\.1000\)/);
    expect(() => embedding(engine, table, Int32Array.from([-1]))).toThrow(/ids\[0\] = -1 .*V = 1001/);
    expect(() => embedding(engine, table, [0.5])).toThrow(/ids\[0\] = 0.5/);
  });

  it('rejects a table that is not 2-D and ids that are not an i32 vector', async () => {
    const engine = await testEngine();
    expect(() => embedding(engine, engine.zeros([4]), [0])).toThrow(/embedding: table must have rank 2, got \[4\]/);
    expect(() => embedding(engine, engine.zeros([4, 2]), engine.zeros([2]))).toThrow(/embedding: ids must be an i32 tensor, got f32 \[2\]/);
    expect(() => embedding(engine, engine.zeros([4, 2]), engine.upload([0, 1], [1, 2], 'i32'))).toThrow(/ids must have rank 1/);
  });

  it('in f16 storage copies the f16 table exactly (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(8);
    const table = rng.array(11 * 13);
    const ids = [10, 0, 4];
    const out = embedding(engine, engine.upload(table, [11, 13], 'f16'), ids);
    expect(out.dtype).toBe('f16');
    expectClose(await out.read(), gatherRef(roundToF16(table), 13, ids), EXACT, 'f16 gather');
  });
});

describe('timestep embedding', () => {
  it('matches the SiT sinusoid for t in [-1, 1], incl. 0, 1 and negative offsets (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(256);
    const t = [0, 1, -1, 0.5, -0.0138, 1e-4, ...Array.from({ length: 11 }, () => rng.uniform(-1, 1))];
    const out = timestepEmbedding(engine, t);
    expect(out.shape).toEqual([t.length, 256]);
    const got = await out.read();
    expectClose(got, timestepEmbeddingRef(t), SINUSOID_TOL, 'timestep embedding');
    // Cos first: t = 0 gives 128 ones then 128 zeros.
    expect(Array.from(got.slice(0, 256))).toEqual([...Array(128).fill(1), ...Array(128).fill(0)]);
  });

  it('honours dim and maxPeriod and reads times from an f32 tensor', async () => {
    const engine = await testEngine();
    const t = Float32Array.from([0.25, -0.75, 3]);
    const out = timestepEmbedding(engine, engine.upload(t, [3]), { dim: 6, maxPeriod: 100 });
    expect(out.shape).toEqual([3, 6]);
    expectClose(await out.read(), timestepEmbeddingRef(t, 6, 100), { atol: 4e-6, rtol: 0 }, 'dim 6');
  });

  it('writes f16 output from f32 times (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const t = [0.9, -0.3, 0.02];
    const out = timestepEmbedding(engine, t, { dtype: 'f16' });
    expect(out.dtype).toBe('f16');
    expectClose(await out.read(), timestepEmbeddingRef(t), F16_TOL, 'f16 timestep embedding');
  });

  it('rejects an odd dim and non-f32 times', async () => {
    const engine = await testEngine();
    expect(() => timestepEmbedding(engine, [0.5], { dim: 255 })).toThrow(ShapeError);
    expect(() => timestepEmbedding(engine, [0.5], { dim: 255 })).toThrow(/timestepEmbedding: dim must be a positive even integer, got 255/);
    expect(() => timestepEmbedding(engine, engine.upload([1], [1], 'i32'))).toThrow(/timestepEmbedding: t must be an f32 tensor, got i32 \[1\]/);
    expect(() => timestepEmbedding(engine, engine.zeros([2, 1]))).toThrow(/t must have rank 1, got \[2, 1\]/);
  });
});
