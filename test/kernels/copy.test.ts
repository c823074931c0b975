import { describe, expect, it } from 'vitest';
import { concat0, copyElements } from '../../src/gpu/ops/copy.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';

describe('copy kernel', () => {
  it('concatenates along the first dimension (odd sizes)', async () => {
    const engine = await testEngine();
    const rng = new Rng(4);
    const a = rng.array(3 * 5 * 7);
    const b = rng.array(1 * 5 * 7);
    const out = concat0(engine, [engine.upload(a, [3, 5, 7]), engine.upload(b, [1, 5, 7]), engine.upload(a, [3, 5, 7])]);
    expect(out.shape).toEqual([7, 5, 7]);
    expect(Array.from(await out.read())).toEqual([...a, ...b, ...a]);
  });

  it('copies a run between offsets and refuses runs past the end', async () => {
    const engine = await testEngine();
    const src = engine.upload([1, 2, 3, 4, 5], [5]);
    const dst = engine.zeros([6]);
    copyElements(engine, src, dst, 3, 1, 2);
    expect(Array.from(await dst.read())).toEqual([0, 0, 2, 3, 4, 0]);
    expect(() => copyElements(engine, src, dst, 3, 3, 0)).toThrow(/run past the end/);
    expect(() => concat0(engine, [engine.zeros([2, 3]), engine.zeros([2, 4])])).toThrow(/does not match/);
  });
});
