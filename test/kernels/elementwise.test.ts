import { describe, expect, it } from 'vitest';
import { accumulate, binary, unary, UNARY_OPS, type UnaryOp } from '../../src/gpu/ops/elementwise.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { expectClose, F16_TOL, F32_TOL, roundToF16 } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { broadcastRef, geluTanh, mapRef, silu } from '../reference/elementwise.js';

const unaryRefs: Record<UnaryOp, (x: number) => number> = { identity: (x) => x, silu, gelu: geluTanh, exp: Math.exp };

describe('unary kernel', () => {
  for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) {
    it(`${op} matches the f64 reference on random sizes (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(11 + UNARY_OPS[op]);
      for (const n of [1, 255, 257, 1000 + rng.int(0, 999)]) {
        const x = rng.array(n, -6, 6);
        const alpha = rng.uniform(0.5, 1.5);
        const beta = rng.uniform(-0.5, 0.5);
        const out = unary(engine, op, engine.upload(x, [n]), alpha, beta);
        const expected = mapRef(x, (v) => unaryRefs[op](alpha * v + beta));
        expectClose(await out.read(), expected, { atol: 2e-6, rtol: 2e-5 }, `${op} n=${n}`);
      }
    });
  }

  it('gelu saturates without NaN for large |x|', async () => {
    const engine = await testEngine();
    const x = Float32Array.from([-1e4, -80, 80, 1e4]);
    expectClose(await unary(engine, 'gelu', engine.upload(x, [4])).read(), [0, 0, 80, 1e4], F32_TOL, 'gelu tails');
  });
});

describe('binary kernel with broadcasting', () => {
  const cases: [number[], number[]][] = [
    [[37], [37]],
    [[5, 33], [33]],
    [[3, 7, 11], [3, 1, 11]],
    [[2, 3, 5, 7], [1, 3, 1, 1]],
    [[4, 1], [1, 9]],
    [[6, 300], [1]],
  ];
  for (const [aShape, bShape] of cases) {
    it(`add/mul/max on [${aShape}] x [${bShape}] (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(aShape.length * 100 + bShape.length);
      const a = rng.array(aShape.reduce((x, y) => x * y, 1));
      const b = rng.array(bShape.reduce((x, y) => x * y, 1));
      const ta = engine.upload(a, aShape);
      const tb = engine.upload(b, bShape);
      const checks: [Parameters<typeof binary>[1], number, number, (x: number, y: number) => number][] = [
        ['add', 0.5, -2, (x, y) => 0.5 * x - 2 * y],
        ['mul', 1, 1, (x, y) => x * y],
        ['max', 1, 1, Math.max],
      ];
      for (const [op, alpha, beta, f] of checks) {
        const out = binary(engine, op, ta, tb, alpha, beta);
        const ref = broadcastRef(a, aShape, b, bShape, f);
        expect(out.shape).toEqual(ref.shape);
        expectClose(await out.read(), ref.data, F32_TOL, `${op} [${aShape}]x[${bShape}]`);
      }
    });
  }

  it('rejects shapes that do not broadcast, naming both', async () => {
    const engine = await testEngine();
    expect(() => binary(engine, 'add', engine.zeros([3, 4]), engine.zeros([5]))).toThrow(ShapeError);
    expect(() => binary(engine, 'add', engine.zeros([3, 4]), engine.zeros([5]))).toThrow(/\[3, 4\] and \[5\] do not broadcast/);
  });
});

describe('accumulate kernel (in place)', () => {
  it('adds x into a tensor and a view at an offset, random sizes off the workgroup (f32)', async () => {
    const engine = await testEngine();
    const rng = new Rng(41);
    for (const n of [1, 255, 257, 3000 + rng.int(0, 999)]) {
      const into = rng.array(n);
      const x = rng.array(n);
      const t = engine.upload(into, [n]);
      expect(accumulate(engine, t, engine.upload(x, [n]))).toBe(t);
      expectClose(await t.read(), Float64Array.from(into, (v, i) => v + x[i]), F32_TOL, `accumulate n=${n}`);
    }
    // Into a view of a larger tensor (a parameter's slot in an arena): the rest is untouched.
    const align = engine.limits.minStorageBufferOffsetAlignment / 4;
    const base = rng.array(3 * align);
    const arena = engine.upload(base, [base.length]);
    const x = rng.array(align + 5);
    accumulate(engine, engine.view(arena, align, [align + 5]), engine.upload(x, [x.length]));
    const expected = Float64Array.from(base, (v, i) => (i >= align && i < 2 * align + 5 ? v + x[i - align] : v));
    expectClose(await arena.read(), expected, F32_TOL, 'accumulate into a view');
  });

  it('rejects tensors of different sizes', async () => {
    const engine = await testEngine();
    expect(() => accumulate(engine, engine.zeros([4, 3]), engine.zeros([11]))).toThrow(/accumulate: x \[11\] must have the size of into \[4, 3\]/);
  });
});

describe('elementwise in f16 storage', () => {
  it('add and gelu in f16 match the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(5);
    const n = 1031;
    const a = rng.array(n, -4, 4);
    const b = rng.array(n, -4, 4);
    const a16 = roundToF16(a);
    const b16 = roundToF16(b);
    const sum = binary(engine, 'add', engine.upload(a, [n], 'f16'), engine.upload(b, [n], 'f16'));
    expect(sum.dtype).toBe('f16');
    expectClose(await sum.read(), roundToF16(Float64Array.from(a16, (x, i) => x + b16[i])), F16_TOL, 'f16 add');
    const g = unary(engine, 'gelu', engine.upload(a, [n], 'f16'));
    expectClose(await g.read(), roundToF16(Float64Array.from(a16, geluTanh)), F16_TOL, 'f16 gelu');
  });
});
