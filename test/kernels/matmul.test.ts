import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { loadTuning, tuningTable } from '../../src/gpu/ops/autotune.js';
import { autotuneMatmul, chooseVariant, linear, matmul, matmulTuningKey, type MatmulVariant } from '../../src/gpu/ops/matmul.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { matmulRef } from '../reference/matmul.js';

const VARIANTS: MatmulVariant[] = ['regblock', 'regblock16', 'tiled', 'naive'];
// Inputs in [-1, 1], K <= 200: f32 rounding of the sums stays far below 1e-4, while a wrong
// index, a dropped k term or a missed edge element errs by O(0.1) or more.
const TOL: Tolerance = { atol: 1e-4, rtol: 1e-4 };

// [M, N, K]: size-1 dims, K = 1, and sizes off every block/tile (4, 16, 64) by one either way.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 1],
  [67, 1, 5],
  [3, 5, 200],
  [17, 65, 33],
  [63, 129, 16],
  [65, 63, 17],
];

function randomShape(rng: Rng): [number, number, number] {
  return [rng.int(1, 140), rng.int(1, 140), rng.int(1, 90)];
}

describe('matmul kernels', () => {
  for (const variant of VARIANTS) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${variant} ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'} on edge and random shapes (f32)`, async () => {
          const engine = await testEngine();
          const rng = new Rng(1000 + VARIANTS.indexOf(variant) * 4 + 2 * +transA + +transB);
          for (const [M, N, K] of [...SHAPES, randomShape(rng), randomShape(rng)]) {
            const a = rng.array(M * K);
            const b = rng.array(K * N);
            const ta = engine.upload(a, transA ? [K, M] : [M, K]);
            const tb = engine.upload(b, transB ? [N, K] : [K, N]);
            const out = matmul(engine, ta, tb, { transA, transB, variant });
            expect(out.shape).toEqual([M, N]);
            const ref = matmulRef({ a, b, M, N, K, batch: 1, transA, transB });
            expectClose(await out.read(), ref, TOL, `${variant} M=${M} N=${N} K=${K}`);
            for (const t of [ta, tb, out]) t.dispose();
          }
        });
      }
    }

    it(`${variant}: batches, broadcast operands (stride 0) and every epilogue`, async () => {
      const engine = await testEngine();
      const rng = new Rng(2000 + VARIANTS.indexOf(variant));
      const [batch, M, N, K] = [3, 21, 67, 13];
      const cases = [
        { aBatched: true, bBatched: true, epilogue: 'none' as const, transB: false },
        { aBatched: true, bBatched: false, epilogue: 'bias' as const, transB: true },
        { aBatched: false, bBatched: true, epilogue: 'gelu' as const, transB: false },
        { aBatched: true, bBatched: false, epilogue: 'silu' as const, transB: true },
        { aBatched: true, bBatched: true, epilogue: 'gate-residual' as const, transB: true },
        // A channels-first 1×1 conv: per-row (output channel) bias, plus a residual.
        { aBatched: false, bBatched: true, epilogue: 'residual' as const, transB: false, biasAxis: 'row' as const },
        { aBatched: true, bBatched: false, epilogue: 'bias' as const, transB: true, biasAxis: 'row' as const },
      ];
      for (const c of cases) {
        const a = rng.array((c.aBatched ? batch : 1) * M * K);
        const b = rng.array((c.bBatched ? batch : 1) * K * N);
        const biasAxis = 'biasAxis' in c ? c.biasAxis : undefined;
        const bias = rng.array(biasAxis === 'row' ? M : N);
        const ta = engine.upload(a, c.aBatched ? [batch, M, K] : [M, K]);
        const tb = engine.upload(b, c.bBatched ? [batch, ...(c.transB ? [N, K] : [K, N])] : c.transB ? [N, K] : [K, N]);
        const tbias = engine.upload(bias, [bias.length]);
        // adaLN-style gate: a [batch, 6N] buffer, the chunk at offset 2N, one row per batch (rowsPerGate = M).
        const gateData = rng.array(batch * 6 * N);
        const residual = rng.array(batch * M * N);
        const gate = { tensor: engine.upload(gateData, [batch, 6 * N]), rowsPerGate: M, stride: 6 * N, offset: 2 * N };
        const withGate = c.epilogue === 'gate-residual';
        const tres = engine.upload(residual, [batch, M, N]);
        const out = matmul(engine, ta, tb, {
          transB: c.transB, variant, epilogue: c.epilogue, bias: c.epilogue === 'none' ? undefined : tbias, biasAxis,
          gate: withGate ? gate : undefined, residual: withGate || c.epilogue === 'residual' ? tres : undefined,
        });
        expect(out.shape).toEqual([batch, M, N]);
        const ref = matmulRef({
          a, b, M, N, K, batch, aBatched: c.aBatched, bBatched: c.bBatched, transB: c.transB, epilogue: c.epilogue,
          bias: c.epilogue === 'none' ? undefined : bias, biasAxis, gate: { ...gate, data: gateData }, residual,
        });
        expectClose(await out.read(), ref, TOL, `${variant} ${JSON.stringify(c)}`);
      }
    });

    it(`${variant} in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)`, async (ctx) => {
      const engine = await testEngine();
      if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const rng = new Rng(3000 + VARIANTS.indexOf(variant));
      for (const [M, N, K, transB] of [[33, 70, 41, true], [5, 3, 1, false]] as const) {
        const a = rng.array(2 * M * K);
        const b = rng.array(K * N);
        const bias = rng.array(N);
        const out = matmul(engine, engine.upload(a, [2, M, K], 'f16'), engine.upload(b, transB ? [N, K] : [K, N], 'f16'), {
          transB, variant, epilogue: 'gelu', bias: engine.upload(bias, [N], 'f16'),
        });
        expect(out.dtype).toBe('f16');
        const ref = matmulRef({
          a: roundToF16(a), b: roundToF16(b), M, N, K, batch: 2, bBatched: false, transB, epilogue: 'gelu', bias: roundToF16(bias),
        });
        // f32 accumulation; the error is the final rounding to f16 (F16_TOL: atol 2e-3, rtol 1e-2).
        expectClose(await out.read(), ref, F16_TOL, `${variant} f16 M=${M} N=${N} K=${K}`);
      }
    });
  }
});

describe('linear (x · Wᵀ + b with PyTorch [out, in] weights)', () => {
  it('matches the reference for [B, T, K] inputs, with an adaLN gate-residual epilogue', async () => {
    const engine = await testEngine();
    const rng = new Rng(4000);
    const [B, T, K, N] = [2, 9, 24, 40];
    const x = rng.array(B * T * K);
    const w = rng.array(N * K);
    const bias = rng.array(N);
    const ada = rng.array(B * 6 * N);
    const residual = rng.array(B * T * N);
    const tx = engine.upload(x, [B, T, K]);
    const tw = engine.upload(w, [N, K]);
    const tb = engine.upload(bias, [N]);
    const y = linear(engine, tx, tw, tb);
    expect(y.shape).toEqual([B, T, N]);
    expectClose(await y.read(), matmulRef({ a: x, b: w, M: B * T, N, K, batch: 1, transB: true, bias }), TOL, 'linear');
    const gate = { tensor: engine.upload(ada, [B, 6 * N]), rowsPerGate: T, stride: 6 * N, offset: 5 * N };
    const res = engine.upload(residual, [B, T, N]);
    const z = linear(engine, tx, tw, tb, { epilogue: 'gate-residual', gate, residual: res });
    const ref = matmulRef({
      a: x, b: w, M: B * T, N, K, batch: 1, transB: true, bias, epilogue: 'gate-residual', gate: { ...gate, data: ada }, residual,
    });
    expectClose(await z.read(), ref, TOL, 'linear gate-residual');
  });
});

describe('matmul shape errors', () => {
  it('names the op, the argument and the shapes', async () => {
    const engine = await testEngine();
    const z = (...shape: number[]) => engine.zeros(shape);
    const bad: [() => unknown, RegExp][] = [
      [() => matmul(engine, z(3, 4), z(5, 6)), /matmul: inner dimensions differ: a \[3, 4\] has K=4, b \[5, 6\] has K=5/],
      [() => matmul(engine, z(4, 3), z(5, 6), { transA: true, transB: true }), /a \[4, 3\]ᵀ has K=4, b \[5, 6\]ᵀ has K=6/],
      [() => matmul(engine, z(7), z(7, 2)), /need rank >= 2, got a \[7\]/],
      [() => matmul(engine, z(2, 3, 4), z(3, 4, 5)), /batch dims of a \[2, 3, 4\] and b \[3, 4, 5\] differ/],
      [() => matmul(engine, z(3, 4), z(4, 5), { bias: z(4) }), /bias must be \[5\].*got \[4\]/],
      [() => matmul(engine, z(3, 4), z(4, 5), { epilogue: 'bias' }), /epilogue 'bias' needs a bias/],
      [() => matmul(engine, z(3, 4), z(4, 5), { epilogue: 'gate-residual', residual: z(3, 5) }), /needs both gate and residual/],
      [() => matmul(engine, z(3, 4), z(4, 5), { bias: z(5), biasAxis: 'row' }), /bias must be \[3\] \(one per output row\), got \[5\]/],
      [() => matmul(engine, z(3, 4), z(4, 5), { epilogue: 'residual' }), /epilogue 'residual' needs a residual tensor/],
      [() => matmul(engine, z(3, 4), z(4, 5), { residual: z(3, 5) }), /only used by the 'gate-residual' and 'residual' epilogues/],
      [() => matmul(engine, z(3, 4), z(4, 5), { epilogue: 'gate-residual', residual: z(5, 3), gate: { tensor: z(5), rowsPerGate: 3, stride: 0, offset: 0 } }), /residual must be \[3, 5\].*got \[5, 3\]/],
      [() => matmul(engine, z(3, 4), z(4, 5), { epilogue: 'gate-residual', residual: z(3, 5), gate: { tensor: z(2, 5), rowsPerGate: 1, stride: 5, offset: 0 } }), /gate \[2, 5\] is too small/],
      [() => matmul(engine, z(3, 4), z(4, 5), { out: z(3, 4) }), /out must hold \[3, 5\], got \[3, 4\]/],
      [() => linear(engine, z(2, 3, 8), z(5, 7)), /linear: x \[2, 3, 8\] has K=8 but weight \[5, 7\] has K=7/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(ShapeError);
      expect(call).toThrow(message);
    }
    // Transposed operands with matching K are fine.
    expect(matmul(engine, z(4, 3), z(5, 4), { transA: true, transB: true }).shape).toEqual([3, 5]);
  });
});

describe('matmul variant choice', () => {
  it('autotunes a shape class once and reuses the winner; stored tables load back', async () => {
    const engine = await testEngine();
    const shape = { M: 40, N: 72, K: 24, batch: 1, transA: false, transB: true, dtype: 'f32' as const };
    const { winner, ms } = await autotuneMatmul(engine, shape);
    expect(['regblock', 'regblock16', 'tiled'].includes(winner)).toBe(true);
    expect(ms[winner]).toBeGreaterThan(0);
    expect(chooseVariant(engine, shape)).toBe(winner);
    // Same class (dims round up to the same powers of two), same choice.
    expect(chooseVariant(engine, { ...shape, M: 33, N: 100 })).toBe(winner);
    const key = matmulTuningKey(engine, shape);
    expect(tuningTable(engine)[key]).toBe(winner);
    loadTuning(engine, { [key]: 'naive' });
    expect(chooseVariant(engine, shape)).toBe('naive');
    loadTuning(engine, { [key]: winner });
  });
});
