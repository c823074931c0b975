import { describe, expect, it } from 'vitest';
import { concat0, concat1, copyElements, sliceChannels } from '../../src/gpu/ops/copy.js';
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

describe('strided row copies', () => {
  it('concatenates and slices along channels', async () => {
    const engine = await testEngine();
    const rng = new Rng(9);
    const a = rng.array(2 * 3 * 5);
    const b = rng.array(2 * 1 * 5);
    const out = concat1(engine, [engine.upload(a, [2, 3, 5]), engine.upload(b, [2, 1, 5])]);
    expect(out.shape).toEqual([2, 4, 5]);
    const expected = [...a.slice(0, 15), ...b.slice(0, 5), ...a.slice(15), ...b.slice(5)];
    expect(Array.from(await out.read())).toEqual(expected);
    expect(Array.from(await sliceChannels(engine, out, 3, 1).read())).toEqual(Array.from(b));
    expect(() => sliceChannels(engine, out, 3, 2)).toThrow(/outside the 4 channels/);
    expect(() => concat1(engine, [engine.zeros([2, 3, 5]), engine.zeros([1, 3, 5])])).toThrow(/does not match/);
  });
});
