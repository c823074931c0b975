import { describe, expect, it } from 'vitest';
import * as op from '../../src/train/ops.js';
import { Tape } from '../../src/train/tape.js';
import { testEngine } from '../helpers/engine.js';

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(tol * (1 + Math.abs(want[i])));
};

describe('tape mechanics', () => {
  it('sums the gradients of a Var used twice (y = x·x + x → dy/dx = 2x + 1)', async () => {
    const engine = await testEngine();
    const tape = new Tape(engine);
    const xs = [0.5, -1.25, 2, 3];
    const x = tape.leaf(engine.upload(xs, [4]), true);
    const y = op.add(tape, op.mul(tape, x, x), x);
    expect(tape.length).toBe(2);
    tape.backward(y);
    close(await x.grad!.readFloat32(), xs.map((v) => 2 * v + 1));
    x.tensor.dispose();
    tape.dispose();
  });

  it('reduces broadcast operands back to their shape', async () => {
    const engine = await testEngine();
    const tape = new Tape(engine);
    const a = tape.leaf(engine.upload([1, 2, 3, 4, 5, 6], [2, 3]), true);
    const b = tape.leaf(engine.upload([10, 20, 30], [3]), true);
    const seed = engine.upload([1, 1, 1, 2, 2, 2], [2, 3]);
    tape.backward(op.mul(tape, a, b), seed);
    close(await a.grad!.readFloat32(), [10, 20, 30, 20, 40, 60]);
    close(await b.grad!.readFloat32(), [1 + 8, 2 + 10, 3 + 12]);
    for (const t of [a.tensor, b.tensor, seed]) t.dispose();
    tape.dispose();
  });

  it('records nothing under noGrad, and its results need no gradient', async () => {
    const engine = await testEngine();
    const tape = new Tape(engine);
    const x = tape.leaf(engine.upload([1, 2], [2]), true);
    const y = tape.noGrad(() => op.mul(tape, x, x));
    expect(tape.length).toBe(0);
    expect(y.requiresGrad).toBe(false);
    expect(() => tape.backward(y)).toThrow(/does not require a gradient/);
    const z = op.add(tape, y, x);
    expect(tape.length).toBe(1);
    tape.backward(z);
    close(await x.grad!.readFloat32(), [1, 1]);
    x.tensor.dispose();
    tape.dispose();
  });

  it('frees intermediates during backward and everything else on dispose; parameters accumulate into their store', async () => {
    const engine = await testEngine();
    const tape = new Tape(engine);
    const w = engine.upload([2, -1, 0.5, 1, 3, -2], [2, 3]);
    const store = engine.upload([9, 9, 9, 9, 9, 9], [2, 3]);
    const p = tape.param(w, store, 'w');
    const xLeaf = tape.leaf(engine.upload([1, 2, 3, 4, 5, 6], [2, 3]));
    const h = op.linear(tape, xLeaf, p);
    const s = op.silu(tape, h);
    const loss = tape.keep(op.mse(tape, s, tape.leaf(engine.zeros([2, 2]))));
    tape.backward(loss);
    expect(h.tensor.isDisposed).toBe(true);
    expect(s.tensor.isDisposed).toBe(true);
    expect(loss.tensor.isDisposed).toBe(false);
    const first = await store.readFloat32();
    expect(Array.from(first).some((g) => g === 9)).toBe(false); // overwritten, not added to 9
    // A second backward through a fresh graph adds (storeStale is now false).
    const h2 = op.linear(tape, xLeaf, p);
    tape.backward(tape.keep(op.mse(tape, op.silu(tape, h2), tape.leaf(engine.zeros([2, 2])))));
    close(await store.readFloat32(), Array.from(first, (g) => 2 * g));
    tape.dispose();
    expect(loss.tensor.isDisposed).toBe(false); // kept: the caller owns it
    loss.tensor.dispose();
    expect(w.isDisposed).toBe(false);
    for (const t of [w, store, xLeaf.tensor]) t.dispose();
  });

  it('concat along channels and its slices', async () => {
    const engine = await testEngine();
    const tape = new Tape(engine);
    const a = tape.leaf(engine.upload([1, 2, 3, 4], [2, 1, 2]), true);
    const b = tape.leaf(engine.upload([5, 6, 7, 8, 9, 10, 11, 12], [2, 2, 2]), true);
    const c = op.concat1(tape, [a, b]);
    expect(c.shape).toEqual([2, 3, 2]);
    close(await c.tensor.readFloat32(), [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
    tape.backward(c, engine.upload([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]));
    close(await a.grad!.readFloat32(), [1, 2, 7, 8]);
    close(await b.grad!.readFloat32(), [3, 4, 5, 6, 9, 10, 11, 12]);
    for (const t of [a.tensor, b.tensor]) t.dispose();
    tape.dispose();
  });
});
