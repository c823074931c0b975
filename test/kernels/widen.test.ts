import { describe, expect, it } from 'vitest';
import { widenToF32 } from '../../src/gpu/ops/widen.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { f16BitsToNumber } from '../reference/widen.js';

describe('widenToF32', () => {
  it('widens every kind of f16 value exactly (random bit patterns, ragged sizes, subnormals, ±65504, ±Inf)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(1616);
    const edges = [0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0xfbff, 0x7c00, 0xfc00];
    for (const n of [1, 11, 255, 257, 1000]) {
      // NaN patterns (exponent 31, fraction ≠ 0) are left out: NaN compares unequal to itself.
      const bits = [...edges, ...Array.from({ length: n }, () => rng.int(0, 0xffff))].filter((b) => (b & 0x7c00) !== 0x7c00 || !(b & 0x3ff));
      const expected = bits.map(f16BitsToNumber);
      const x = engine.upload(expected, [bits.length], 'f16');
      const out = widenToF32(engine, x);
      expect(out.dtype).toBe('f32');
      expect(out.shape).toEqual([bits.length]);
      expect(Array.from(await out.read())).toEqual(expected);
      x.dispose();
      out.dispose();
    }
  });

  it('copies f32 tensors unchanged, keeping their shape', async () => {
    const engine = await testEngine();
    const values = new Rng(3).array(2 * 3 * 5, -1e30, 1e30);
    const out = widenToF32(engine, engine.upload(values, [2, 3, 5]));
    expect(out.shape).toEqual([2, 3, 5]);
    expect(Array.from(await out.read())).toEqual(Array.from(values));
  });

  it('refuses integer tensors', async () => {
    const engine = await testEngine();
    expect(() => widenToF32(engine, engine.zeros([3], 'i32'))).toThrow(/widenToF32: expects f32 or f16 tensors, got i32 \[3\]/);
  });
});
