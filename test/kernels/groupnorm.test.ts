import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { groupNorm } from '../../src/gpu/ops/groupnorm.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { groupNormRef } from '../reference/groupnorm.js';

// Normalised outputs are O(1) times weights of O(1); f32 sums over a group of up to ~10⁴ elements.
const GN_F32: Tolerance = { atol: 2e-5, rtol: 1e-4 };
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function inputs(rng: Rng, shape: readonly number[], mean = 0) {
  const channels = shape[1];
  return {
    // Per-channel offsets, so a group's statistics differ from each channel's.
    x: Float32Array.from(rng.normals(size(shape), 2), (v, i) => v + mean + 0.5 * (Math.floor(i / size(shape.slice(2))) % channels)),
    weight: Float32Array.from(rng.normals(channels, 0.5), (v) => 1 + v),
    bias: rng.normals(channels, 0.5),
  };
}

describe('groupNorm', () => {
  // [N, C, H, W] and G: one channel per group, groups whose size (C/G·H·W) is below, at and off
  // the 256-wide workgroup, channel counts that are not multiples of anything, the SD VAE's 32
  // groups of 512 channels, size-1 edges and a rank-3 input.
  const cases: [number[], number][] = [
    [[1, 1, 1, 1], 1],
    [[2, 6, 5, 7], 3],
    [[1, 37, 3, 3], 37],
    [[3, 32, 9, 11], 32],
    [[1, 512, 4, 4], 32],
    [[2, 12, 33, 17], 4],
    [[2, 10, 23], 5],
  ];
  for (const [shape, groups] of cases) {
    for (const silu of [false, true]) {
      it(`[${shape}] in ${groups} groups${silu ? ' + SiLU' : ''} matches the f64 reference (f32)`, async () => {
        const engine = await testEngine();
        const rng = new Rng(size(shape) * 7 + groups + (silu ? 1 : 0));
        const { x, weight, bias } = inputs(rng, shape);
        const out = groupNorm(engine, engine.upload(x, shape), engine.upload(weight, [shape[1]]), engine.upload(bias, [shape[1]]), { groups, silu });
        expect(out.shape).toEqual(shape);
        const expected = groupNormRef({ x, batch: shape[0], channels: shape[1], hw: size(shape.slice(2)), groups, weight, bias, eps: 1e-6, silu });
        expectClose(await out.read(), expected, GN_F32, `groupNorm [${shape}] G=${groups}`);
      });
    }
  }

  it('random shapes and eps match the f64 reference (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(77);
    for (let trial = 0; trial < 5; trial++) {
      const groups = rng.int(1, 6);
      const shape = [rng.int(1, 3), groups * rng.int(1, 7), rng.int(1, 19), rng.int(1, 19)];
      const eps = rng.pick([1e-6, 1e-5, 0.1]);
      const silu = rng.next() < 0.5;
      const { x, weight, bias } = inputs(rng, shape);
      const out = groupNorm(engine, engine.upload(x, shape), engine.upload(weight, [shape[1]]), engine.upload(bias, [shape[1]]), { groups, eps, silu });
      const expected = groupNormRef({ x, batch: shape[0], channels: shape[1], hw: size(shape.slice(2)), groups, weight, bias, eps, silu });
      expectClose(await out.read(), expected, GN_F32, `groupNorm [${shape}] G=${groups} eps=${eps}`);
    }
  });

  it('stays accurate for groups with a large mean (|mean| = 1e3, std 2)', async () => {
    // A one-pass E[x²] − E[x]² in f32 would lose the variance to cancellation here.
    const engine = await testEngine();
    const shape = [2, 8, 13, 11];
    const { x, weight, bias } = inputs(new Rng(5), shape, 1000);
    const out = groupNorm(engine, engine.upload(x, shape), engine.upload(weight, [8]), engine.upload(bias, [8]), { groups: 2 });
    // x itself carries f32 rounding of ~3e-5 at 1e3, ~2e-5 of a std-2 output.
    const expected = groupNormRef({ x, batch: 2, channels: 8, hw: 143, groups: 2, weight, bias, eps: 1e-6 });
    expectClose(await out.read(), expected, { atol: 2e-4, rtol: 1e-4 }, 'large mean');
  });

  it('in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const shape = [2, 12, 9, 7];
    const { x, weight, bias } = inputs(new Rng(16), shape);
    const out = groupNorm(engine, engine.upload(x, shape, 'f16'), engine.upload(weight, [12], 'f16'), engine.upload(bias, [12], 'f16'), { groups: 4, silu: true });
    expect(out.dtype).toBe('f16');
    const expected = groupNormRef({ x: roundToF16(x), batch: 2, channels: 12, hw: 63, groups: 4, weight: roundToF16(weight), bias: roundToF16(bias), eps: 1e-6, silu: true });
    expectClose(await out.read(), expected, F16_TOL, 'groupNorm f16');
  });

  it('rejects channels that do not split into the groups, and mismatched affine shapes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([1, 6, 4, 4]);
    const w = engine.zeros([6]);
    expect(() => groupNorm(engine, x, w, w, { groups: 4 })).toThrow(ShapeError);
    expect(() => groupNorm(engine, x, w, w, { groups: 4 })).toThrow(/groupNorm: 6 channels of x \[1, 6, 4, 4\] cannot form 4 equal groups/);
    expect(() => groupNorm(engine, x, w, w, { groups: 0 })).toThrow(/cannot form 0 equal groups/);
    expect(() => groupNorm(engine, x, engine.zeros([5]), w, { groups: 3 })).toThrow(/groupNorm: weight must be \[6\], got \[5\]/);
    expect(() => groupNorm(engine, x, w, engine.zeros([6, 1]), { groups: 3, silu: true })).toThrow(/groupNorm\+silu: bias must be \[6\], got \[6, 1\]/);
    expect(() => groupNorm(engine, engine.zeros([6]), w, w, { groups: 3 })).toThrow(/x must be \[N, C, \.\.\.spatial\], got \[6\]/);
    expect(() => groupNorm(engine, x, engine.zeros([6], 'f16'), w, { groups: 3 })).toThrow(/mixes f32 and f16/);
  });
});
