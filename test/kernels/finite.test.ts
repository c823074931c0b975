import { describe, expect, it } from 'vitest';
import { ALL_FINITE, markNonFinite, nonFiniteFlag } from '../../src/gpu/ops/finite.js';
import { firstNonFiniteStep } from '../reference/finite.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';

const POISONS = [NaN, Infinity, -Infinity];

describe('nonfinite_step kernel', () => {
  for (const dtype of ['f32', 'f16'] as const) {
    it(`${dtype}: records the first of several steps whose state holds NaN or ±Inf (random sizes, poison anywhere, also past the grid's first pass)`, async (ctx) => {
      const engine = await testEngine();
      if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const rng = new Rng(dtype === 'f32' ? 31 : 32);
      // Sizes around the workgroup (256), its multiples, and past 128 workgroups × 8 elements each.
      for (const n of [1, 7, 255, 256, 257, 2049, 128 * 256 * 8 + 5, 128 * 256 * 8 * 3 + 1]) {
        const flag = nonFiniteFlag(engine);
        const states: { step: number; values: Float32Array }[] = [];
        for (let step = 1; step <= 4; step++) {
          // Large but finite values must not count (f16's largest is 65504).
          const values = rng.array(n, dtype === 'f16' ? -6e4 : -3e38, dtype === 'f16' ? 6e4 : 3e38);
          if (rng.next() < 0.4) values[rng.int(0, n - 1)] = rng.pick(POISONS);
          if (step === 4 && n > 1000) values[n - 1] = NaN; // the very last element
          states.push({ step, values });
          const x = engine.upload(values, [n], dtype);
          markNonFinite(engine, x, step, flag);
          x.dispose();
        }
        const [got] = await flag.read();
        expect({ n, first: got }).toEqual({ n, first: firstNonFiniteStep(states) });
        flag.dispose();
      }
    });
  }

  it('an all-finite run leaves the flag at ALL_FINITE; an empty state records nothing', async () => {
    const engine = await testEngine();
    const flag = nonFiniteFlag(engine);
    markNonFinite(engine, engine.upload(new Rng(3).array(1000), [10, 100]), 1, flag);
    markNonFinite(engine, engine.zeros([0]), 2, flag);
    expect((await flag.read())[0]).toBe(ALL_FINITE);
    expect(() => markNonFinite(engine, engine.zeros([4]), 1, engine.zeros([1]))).toThrow(/flag must be one u32/);
  });
});
