import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { groupNormBands } from '../../src/gpu/ops/groupnorm.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { randomBands, rowsOf } from '../reference/bands.js';
import { groupNormRef } from '../reference/groupnorm.js';

// As groupnorm.test.ts: O(1) outputs from f32 statistics over up to ~10⁴ elements per group.
const GN_F32: Tolerance = { atol: 2e-5, rtol: 1e-4 };
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function inputs(rng: Rng, shape: readonly number[], mean: number) {
  const [, channels, height] = shape;
  const plane = size(shape.slice(2));
  return {
    // Per-channel and per-row offsets: every band's statistics differ from the image's, so
    // merging bands with the wrong counts or without the between-band term is visible.
    x: Float32Array.from(rng.normals(size(shape), 2), (v, i) => v + mean + 0.5 * (Math.floor(i / plane) % channels) + (3 * Math.floor((i % plane) / (plane / height))) / height),
    weight: Float32Array.from(rng.normals(channels, 0.5), (v) => 1 + v),
    bias: rng.normals(channels, 0.5),
  };
}

describe('groupNormBands (statistics merged over row bands)', () => {
  it('random shapes and ragged band splits equal groupNorm of the whole image (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(9001);
    for (let trial = 0; trial < 8; trial++) {
      const groups = rng.int(1, 5);
      const shape = [rng.int(1, 3), groups * rng.int(1, 5), rng.int(2, 23), rng.int(1, 17)];
      const bands = randomBands(shape[2], rng.int(2, 6), (lo, hi) => rng.int(lo, hi));
      const silu = rng.next() < 0.5;
      const eps = rng.pick([1e-6, 0.1]);
      const { x, weight, bias } = inputs(rng, shape, rng.pick([0, 100]));
      const parts = bands.map(([start, count]) => engine.upload(rowsOf(x, shape, start, count), [shape[0], shape[1], count, shape[3]]));
      const out = groupNormBands(engine, parts, engine.upload(weight, [shape[1]]), engine.upload(bias, [shape[1]]), { groups, eps, silu });
      const expected = groupNormRef({ x, batch: shape[0], channels: shape[1], hw: size(shape.slice(2)), groups, weight, bias, eps, silu });
      for (const [i, [start, count]] of bands.entries()) {
        expect(out[i].shape).toEqual([shape[0], shape[1], count, shape[3]]);
        expectClose(await out[i].read(), rowsOf(expected, shape, start, count), GN_F32, `[${shape}] G=${groups} band ${i} of ${bands.length} (rows ${start}+${count})`);
      }
      for (const t of [...parts, ...out]) t.dispose();
    }
  });

  it('stays accurate when band means differ by far more than the spread (|mean| = 1e3, one-row bands)', async () => {
    const engine = await testEngine();
    const shape = [1, 4, 9, 13];
    const { x, weight, bias } = inputs(new Rng(6), shape, 1000);
    const parts = Array.from({ length: 9 }, (_, r) => engine.upload(rowsOf(x, shape, r, 1), [1, 4, 1, 13]));
    const out = groupNormBands(engine, parts, engine.upload(weight, [4]), engine.upload(bias, [4]), { groups: 2 });
    const expected = groupNormRef({ x, batch: 1, channels: 4, hw: 117, groups: 2, weight, bias, eps: 1e-6 });
    // x's own f32 rounding at 1e3 is ~3e-5, about 2e-5 of a std-2 output (as groupnorm.test.ts).
    for (let r = 0; r < 9; r++) expectClose(await out[r].read(), rowsOf(expected, shape, r, 1), { atol: 2e-4, rtol: 1e-4 }, `row ${r}`);
  });

  it('one band is plain groupNorm; rank-3 bands split along their only spatial dim', async () => {
    const engine = await testEngine();
    const shape = [2, 6, 10];
    const { x, weight, bias } = inputs(new Rng(7), [...shape, 1], 0);
    const expected = groupNormRef({ x, batch: 2, channels: 6, hw: 10, groups: 3, weight, bias, eps: 1e-6, silu: true });
    const w = engine.upload(weight, [6]);
    const b = engine.upload(bias, [6]);
    const [whole] = groupNormBands(engine, [engine.upload(x, shape)], w, b, { groups: 3, silu: true });
    expectClose(await whole.read(), expected, GN_F32, 'one band');
    const halves = groupNormBands(engine, [engine.upload(rowsOf(x, shape, 0, 3), [2, 6, 3]), engine.upload(rowsOf(x, shape, 3, 7), [2, 6, 7])], w, b, { groups: 3, silu: true });
    expectClose(await halves[0].read(), rowsOf(expected, shape, 0, 3), GN_F32, 'rank 3, rows 0-2');
    expectClose(await halves[1].read(), rowsOf(expected, shape, 3, 7), GN_F32, 'rank 3, rows 3-9');
  });

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const shape = [2, 8, 11, 5];
    const { x, weight, bias } = inputs(new Rng(8), shape, 0);
    const bands: [number, number][] = [[0, 4], [4, 6], [10, 1]];
    const parts = bands.map(([start, count]) => engine.upload(rowsOf(x, shape, start, count), [2, 8, count, 5], 'f16'));
    const out = groupNormBands(engine, parts, engine.upload(weight, [8], 'f16'), engine.upload(bias, [8], 'f16'), { groups: 4, silu: true });
    const expected = groupNormRef({ x: roundToF16(x), batch: 2, channels: 8, hw: 55, groups: 4, weight: roundToF16(weight), bias: roundToF16(bias), eps: 1e-6, silu: true });
    for (const [i, [start, count]] of bands.entries()) {
      expect(out[i].dtype).toBe('f16');
      expectClose(await out[i].read(), rowsOf(expected, shape, start, count), F16_TOL, `f16 band ${i}`);
    }
  });

  it('rejects no bands and bands of different images', async () => {
    const engine = await testEngine();
    const w = engine.zeros([4]);
    expect(() => groupNormBands(engine, [], w, w, { groups: 2 })).toThrow(/groupNormBands: no bands/);
    expect(() => groupNormBands(engine, [engine.zeros([1, 4, 2, 3]), engine.zeros([1, 4, 2, 5])], w, w, { groups: 2 })).toThrow(ShapeError);
    expect(() => groupNormBands(engine, [engine.zeros([1, 4, 2, 3]), engine.zeros([2, 4, 2, 3])], w, w, { groups: 2, silu: true })).toThrow(/groupNormBands\+silu: bands must be \[N, C, rows, \.\.\.\] with all but rows equal, got \[1, 4, 2, 3\] and \[2, 4, 2, 3\]/);
    expect(() => groupNormBands(engine, [engine.zeros([1, 4, 2, 3]), engine.zeros([1, 4, 1, 3])], w, w, { groups: 3 })).toThrow(/cannot form 3 equal groups/);
  });
});
