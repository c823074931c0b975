import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { loadTuning, tuningTable } from '../../src/gpu/ops/autotune.js';
import {
  autotuneMatmul, chooseVariant, linear, matmul, matmulCandidates, matmulTuningKey, planMatmul, splitPlan, type MatmulShape, type MatmulVariant,
} from '../../src/gpu/ops/matmul.js';
import { expectClose, F16_TOL, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { matmulRef } from '../reference/matmul.js';

// Every variant that takes any layout ('gemv' needs Linear weights: its own tests below).
const VARIANTS: MatmulVariant[] = ['regblock', 'regblock16', 'tiled', 'tiled-scalar', 'splitk', 'splitk-scalar', 'naive'];
/** Variants that load with vec4 where the layout allows (their '-scalar' forms never do). */
const VEC4_CAPABLE = new Set<MatmulVariant>(['tiled', 'splitk', 'gemv']);
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
  // Ragged M/N/K whose contiguous runs are multiples of 4 for one layout each, so the vec4
  // variants take vec4 loads: A·B (K, N), Aᵀ·B (M, N), A·Bᵀ (K), Aᵀ·Bᵀ (M, K).
  [17, 68, 36],
  [68, 36, 17],
  [65, 17, 132],
  [36, 17, 68],
  [130, 3, 4],
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
          let vec4Shapes = 0;
          for (const [M, N, K] of [...SHAPES, randomShape(rng), randomShape(rng)]) {
            const plan = planMatmul(engine, { M, N, K, batch: 1, transA, transB, dtype: 'f32' }, variant);
            expect(plan.variant).toBe(variant);
            if (!VEC4_CAPABLE.has(variant)) expect(plan.vec4).toBe(false);
            vec4Shapes += +plan.vec4;
            if (variant.startsWith('splitk') && K > 2 * 16) expect(plan.splits).toBeGreaterThan(1);
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
          // The shape list holds vec4-aligned shapes for every layout: the vec4 path was taken.
          if (VEC4_CAPABLE.has(variant)) expect(vec4Shapes).toBeGreaterThan(0);
        });
      }
    }

    it(`${variant}: batches, broadcast operands (stride 0) and every epilogue`, async () => {
      const engine = await testEngine();
      const rng = new Rng(2000 + VARIANTS.indexOf(variant));
      // Ragged (scalar loads), then N and K multiples of 4 (vec4 loads for the vec4 variants).
      for (const [batch, M, N, K] of [[3, 21, 67, 13], [3, 21, 68, 20]]) {
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
          expectClose(await out.read(), ref, TOL, `${variant} ${JSON.stringify({ ...c, M, N, K })}`);
        }
      }
    });

    it(`${variant} in f16 storage matches the reference on f16-rounded inputs (needs shader-f16)`, async (ctx) => {
      const engine = await testEngine();
      if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const rng = new Rng(3000 + VARIANTS.indexOf(variant));
      // The last two take vec4 (vec4<f16>) loads in the vec4 variants.
      for (const [M, N, K, transB] of [[33, 70, 41, true], [5, 3, 1, false], [17, 68, 36, false], [9, 37, 132, true]] as const) {
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

// Long sums (K >= 1000) of products in [-1, 1]: f32 rounding grows to ~1e-4 of the O(30)
// results, while a dropped K split or panel errs by O(1).
const LONG_K_TOL: Tolerance = { atol: 2e-3, rtol: 1e-3 };

let gpuProfile: Promise<Engine> | undefined;
/** An engine on the same adapter that picks the GPU kernel family (as on real GPUs). */
function gpuEngine(): Promise<Engine> {
  gpuProfile ??= Engine.create({ kernels: 'gpu' });
  return gpuProfile;
}

interface Case {
  M: number;
  N: number;
  K: number;
  batch?: number;
  transA?: boolean;
  transB?: boolean;
  aBatched?: boolean;
  bBatched?: boolean;
  epilogue?: 'none' | 'bias' | 'gelu' | 'silu' | 'gate-residual' | 'residual';
  biasAxis?: 'col' | 'row';
  dtype?: 'f32' | 'f16';
}

/** Runs one case (forced `variant`, or the engine's choice) against the f64 reference; returns the plan. */
async function checkCase(engine: Engine, rng: Rng, c: Case, variant: MatmulVariant | undefined, tol: Tolerance) {
  const { M, N, K, batch = 1, transA = false, transB = false, epilogue = 'none', biasAxis, dtype = 'f32' } = c;
  const aBatched = c.aBatched ?? batch > 1;
  const bBatched = c.bBatched ?? false;
  const f16 = dtype === 'f16';
  const rounded = (x: Float32Array) => (f16 ? roundToF16(x) : x);
  const a = rng.array((aBatched ? batch : 1) * M * K);
  const b = rng.array((bBatched ? batch : 1) * K * N);
  const bias = rng.array(biasAxis === 'row' ? M : N);
  const gateData = rng.array(batch * 3 * N);
  const residual = rng.array(batch * M * N);
  const up = (x: Float32Array, shape: number[]) => engine.upload(x, shape, dtype);
  const ta = up(a, [...(aBatched ? [batch] : []), ...(transA ? [K, M] : [M, K])]);
  const tb = up(b, [...(bBatched ? [batch] : []), ...(transB ? [N, K] : [K, N])]);
  const tbias = up(bias, [bias.length]);
  const tgate = up(gateData, [batch, 3 * N]);
  const outShape = aBatched || bBatched ? [batch, M, N] : [M, N];
  const tres = up(residual, outShape);
  const gate = { tensor: tgate, rowsPerGate: M, stride: 3 * N, offset: N };
  const withBias = epilogue !== 'none';
  const withGate = epilogue === 'gate-residual';
  const shape: MatmulShape = { M, N, K, batch, transA, transB, dtype };
  const plan = planMatmul(engine, shape, variant);
  const out = matmul(engine, ta, tb, {
    transA, transB, variant, epilogue, bias: withBias ? tbias : undefined, biasAxis,
    gate: withGate ? gate : undefined, residual: withGate || epilogue === 'residual' ? tres : undefined,
  });
  expect(out.shape).toEqual(outShape);
  expect(out.dtype).toBe(dtype);
  const ref = matmulRef({
    a: rounded(a), b: rounded(b), M, N, K, batch, aBatched, bBatched, transA, transB, epilogue,
    bias: withBias ? rounded(bias) : undefined, biasAxis, gate: { ...gate, data: rounded(gateData) }, residual: rounded(residual),
  });
  expectClose(await out.read(), ref, tol, `${plan.variant}${plan.vec4 ? ' (vec4)' : ''} ${JSON.stringify(c)}`);
  for (const t of [ta, tb, tbias, tgate, tres, out]) t.dispose();
  return plan;
}

const EPILOGUES = ['none', 'bias', 'gelu', 'silu', 'gate-residual', 'residual'] as const;

describe('GEMV (few rows times a Linear weight [N, K])', () => {
  for (const variant of ['gemv', 'gemv-scalar'] as const) {
    it(`${variant}: M = 1..8 on ragged N and K, every epilogue, batches (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(5000 + +(variant === 'gemv'));
      let vec4 = 0;
      for (let M = 1; M <= 8; M++) {
        // K = 3 and 37: scalar tails; 132 and 260: vec4-aligned with a partial last step of 8x4.
        const K = [3, 37, 132, 260][M % 4];
        const N = [1, 17, 65, 130][(M + 1) % 4];
        const epilogue = EPILOGUES[M % EPILOGUES.length];
        const batch = M % 3 === 0 ? 2 : 1;
        const plan = await checkCase(engine, rng, { M, N, K, batch, transB: true, bBatched: M === 6, epilogue, biasAxis: M === 5 ? 'row' : undefined }, variant, TOL);
        expect(plan.kernel.name.startsWith('matmul_gemv')).toBe(true);
        expect(plan.constants.ROWS).toBe(M <= 4 ? 4 : 8);
        vec4 += +plan.vec4;
      }
      expect(vec4).toBe(variant === 'gemv' ? 4 : 0);
    });
  }

  it('gemv: M past one row block (13, 65), and an A·Bᵀ with N = 1', async () => {
    const engine = await testEngine();
    const rng = new Rng(5100);
    for (const c of [{ M: 13, N: 40, K: 64 }, { M: 65, N: 33, K: 17 }, { M: 3, N: 1, K: 20, transB: false }]) {
      await checkCase(engine, rng, { transB: true, epilogue: 'bias', ...c }, 'gemv', TOL);
    }
  });

  it("gemv: SiT's adaLN Linear [B, 1152]·[6912, 1152]ᵀ and the time-embedding Linear [B, 256]·[1152, 256]ᵀ", async () => {
    const engine = await testEngine();
    const rng = new Rng(5200);
    for (const c of [{ M: 2, N: 6912, K: 1152 }, { M: 4, N: 1152, K: 256, epilogue: 'silu' as const }]) {
      const plan = await checkCase(engine, rng, { transB: true, epilogue: 'bias', ...c }, 'gemv', LONG_K_TOL);
      expect(plan.vec4).toBe(true);
    }
  });

  it('gemv needs K-contiguous operands: A·B and Aᵀ·Bᵀ are refused by name', async () => {
    const engine = await testEngine();
    const z = (...shape: number[]) => engine.zeros(shape);
    expect(() => matmul(engine, z(2, 8), z(8, 5), { variant: 'gemv' })).toThrow(/variant 'gemv' needs A \[M, K\] and B \[N, K\]/);
    expect(() => matmul(engine, z(8, 2), z(5, 8), { transA: true, transB: true, variant: 'gemv-scalar' })).toThrow(ShapeError);
  });

  it('gemv in f16 storage (vec4<f16> and scalar loads)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(5300);
    for (const variant of ['gemv', 'gemv-scalar'] as const) {
      for (const c of [{ M: 1, N: 70, K: 132 }, { M: 7, N: 33, K: 41 }]) {
        await checkCase(engine, rng, { ...c, transB: true, epilogue: 'gelu', dtype: 'f16' }, variant, F16_TOL);
      }
    }
  });
});

describe('split-K', () => {
  for (const variant of ['splitk', 'splitk-scalar'] as const) {
    it(`${variant}: K = 4096+ on ragged and aligned M/N, transposes, epilogues (f32)`, async () => {
      const engine = await testEngine();
      const rng = new Rng(6000 + +(variant === 'splitk'));
      const cases: Case[] = [
        { M: 17, N: 65, K: 4100, epilogue: 'gelu' },
        { M: 64, N: 32, K: 4096, transB: true, epilogue: 'bias' },
        { M: 3, N: 130, K: 4099, transA: true, epilogue: 'gate-residual', batch: 2 },
        { M: 36, N: 1, K: 5000, transA: true, transB: true, epilogue: 'residual', biasAxis: 'row' },
        { M: 1, N: 8, K: 4608, transB: true, epilogue: 'silu', batch: 3, bBatched: true },
      ];
      let vec4 = 0;
      for (const c of cases) {
        const plan = await checkCase(engine, rng, c, variant, LONG_K_TOL);
        expect(plan.splits).toBe(16);
        expect(plan.kSplit % 16).toBe(0);
        vec4 += +plan.vec4;
      }
      expect(vec4).toBe(variant === 'splitk' ? 3 : 0);
    });
  }

  it('splitk in f16 storage: partials and sums in f32, one rounding at the end', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(6100);
    for (const variant of ['splitk', 'splitk-scalar'] as const) {
      await checkCase(engine, rng, { M: 9, N: 20, K: 2048, transB: true, epilogue: 'bias', dtype: 'f16' }, variant, { atol: 2e-2, rtol: 1e-2 });
    }
  });

  it('split plans: chosen only for few tiles and long K; splits are whole K panels covering K', () => {
    expect(splitPlan({ M: 256, N: 1152, K: 1152, batch: 1 }, false).splits).toBe(1);
    expect(splitPlan({ M: 64, N: 64, K: 512, batch: 1 }, false).splits).toBe(1);
    const p = splitPlan({ M: 64, N: 64, K: 4096, batch: 1 }, false);
    expect(p).toEqual({ splits: 16, kSplit: 256 });
    for (const K of [1, 15, 17, 1000, 4099, 100_000]) {
      for (const forced of [false, true]) {
        const { splits, kSplit } = splitPlan({ M: 8, N: 8, K, batch: 1 }, forced);
        expect(kSplit % 16).toBe(0);
        expect(K).toBeLessThanOrEqual(splits * kSplit);
        expect((splits - 1) * kSplit).toBeLessThan(K);
        expect(splits).toBeLessThanOrEqual(16);
      }
    }
  });
});

describe('GPU-profile variant choice', () => {
  const shape = (M: number, N: number, K: number, transB = true, transA = false): MatmulShape => ({ M, N, K, batch: 1, transA, transB, dtype: 'f32' });

  it("picks GEMV for few rows of Linears, split-K for long K and few tiles, else tiled (vec4 when aligned); the CPU profile's choices are unchanged", async () => {
    const gpu = await gpuEngine();
    const cpu = await Engine.create({ kernels: 'cpu' });
    const table: [MatmulShape, MatmulVariant, MatmulVariant][] = [
      [shape(2, 6912, 1152), 'gemv', 'regblock'], // adaLN, B = 2
      [shape(8, 1152, 256), 'gemv', 'regblock'], // time embedding, B = 8
      [shape(9, 1152, 256), 'tiled', 'regblock'],
      [shape(2, 6912, 1152, false), 'tiled', 'regblock'], // [K, N] weights: no GEMV
      [shape(256, 1152, 1152), 'tiled', 'regblock16'], // SiT qkv/proj at B = 1
      [shape(512, 4608, 1152), 'tiled', 'regblock16'], // fc1 at B = 2
      [shape(512, 1152, 4608), 'tiled', 'regblock16'], // fc2 at B = 2
      [shape(256, 32, 1152), 'splitk', 'regblock'], // final layer: 4 tiles
      [shape(64, 64, 4096, false), 'splitk', 'regblock16'],
      [shape(64, 64, 512, false), 'tiled', 'regblock16'],
    ];
    for (const [s, onGpu, onCpu] of table) {
      expect(chooseVariant(gpu, s)).toBe(onGpu);
      expect(chooseVariant(cpu, s)).toBe(onCpu);
    }
    expect(planMatmul(gpu, shape(256, 1152, 1152)).vec4).toBe(true);
    expect(planMatmul(gpu, shape(256, 1150, 1151)).vec4).toBe(false);
    cpu.dispose();
  });

  it('the chosen kernels match the reference on random shapes (f32, and f16 where the adapter has it)', async () => {
    const engine = await gpuEngine();
    const rng = new Rng(7000);
    const seen = new Set<string>();
    const dtypes = engine.has('shader-f16') ? (['f32', 'f16'] as const) : (['f32'] as const);
    for (const dtype of dtypes) {
      const tol = dtype === 'f16' ? { atol: 1e-2, rtol: 1e-2 } : LONG_K_TOL;
      const cases: Case[] = [
        { M: rng.int(1, 8), N: rng.int(1, 200), K: 2 * rng.int(0, 150) + 1, transB: true },
        { M: rng.int(1, 8), N: 4 * rng.int(1, 50), K: 4 * rng.int(1, 80), transB: true, epilogue: 'gelu' },
        { M: 2 * rng.int(5, 75) + 1, N: rng.int(1, 150), K: rng.int(1, 100), transA: true, epilogue: 'bias' },
        { M: 4 * rng.int(3, 30), N: 4 * rng.int(1, 30), K: 4 * rng.int(1, 30), transB: true, epilogue: 'gate-residual', batch: 2 },
        { M: rng.int(9, 70), N: 2 * rng.int(0, 35) + 1, K: rng.int(1500, 3000), epilogue: 'silu' },
        { M: 4 * rng.int(3, 16), N: 4 * rng.int(1, 16), K: 4 * rng.int(400, 700), transB: true, epilogue: 'residual' },
      ];
      for (const c of cases) {
        const plan = await checkCase(engine, rng, { ...c, dtype }, undefined, tol);
        seen.add(`${plan.variant}${plan.vec4 ? '+vec4' : ''}`);
      }
    }
    // Every GPU kernel, each with vec4 and scalar loads, in each dtype the adapter has.
    expect([...seen].sort()).toEqual(['gemv', 'gemv+vec4', 'splitk', 'splitk+vec4', 'tiled', 'tiled+vec4']);
  });

  it('K = 0: every variant writes the epilogue of an empty sum (bias only)', async () => {
    const engine = await testEngine();
    const bias = engine.upload(new Float32Array([1, 2, 3, 4, 5]), [5]);
    for (const variant of [...VARIANTS, 'gemv', 'gemv-scalar'] as MatmulVariant[]) {
      const out = matmul(engine, engine.zeros([3, 0]), engine.zeros([5, 0]), { transB: true, variant, bias });
      expect(Array.from(await out.read())).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
      out.dispose();
    }
  });

  it("autotunes among the GPU variants; a stored entry naming a variant that cannot run the shape is ignored", async () => {
    const engine = await gpuEngine();
    const s = shape(4, 96, 64);
    const { winner } = await autotuneMatmul(engine, s);
    expect(['tiled', 'splitk', 'gemv'].includes(winner)).toBe(true);
    expect(chooseVariant(engine, s)).toBe(winner);
    const nn = shape(4, 96, 64, false);
    loadTuning(engine, { [matmulTuningKey(engine, nn)]: 'gemv' });
    expect(chooseVariant(engine, nn)).toBe('tiled');
    loadTuning(engine, { [matmulTuningKey(engine, nn)]: 'splitk-scalar' });
    expect(chooseVariant(engine, nn)).toBe('splitk-scalar');
  });
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
    // The engine's kernel family's candidates: regblock/regblock16/tiled on lavapipe, the GPU kernels elsewhere.
    expect(matmulCandidates(engine, shape)).toEqual(engine.kernelProfile === 'cpu' ? ['regblock', 'regblock16', 'tiled'] : ['tiled', 'splitk', 'gemv']);
    expect(matmulCandidates(engine, shape).includes(winner)).toBe(true);
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
