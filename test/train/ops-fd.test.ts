/**
 * Every differentiable op of the tape against central finite differences of an independent
 * f64 CPU forward (test/reference), on tiny random shapes: the GPU backward of
 * L = Σ R ⊙ op(inputs) for a random R must equal ∂L/∂input computed in f64.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import * as op from '../../src/train/ops.js';
import { Tape, type Var } from '../../src/train/tape.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { attentionRef, gather4 } from '../reference/attention.js';
import { conv3x3Ref, depthwise3x3Ref } from '../reference/conv.js';
import { broadcastRef, silu } from '../reference/elementwise.js';
import { gatherRef } from '../reference/embedding.js';
import { fdGradient } from '../reference/grad.js';
import { matmulRef } from '../reference/matmul.js';
import { rmsNormRef } from '../reference/norm.js';

/** FD-vs-f32 tolerance: the GPU runs in f32, the FD in f64 (step 1e-5). */
const TOL = { atol: 3e-5, rtol: 3e-4 };

interface OpCase {
  name: string;
  shapes: number[][];
  /** The tape op under test. */
  run: (tape: Tape, vars: Var[]) => Var;
  /** Independent f64 forward of the same op. */
  ref: (inputs: Float64Array[]) => ArrayLike<number>;
}

async function checkCase(engine: Engine, c: OpCase, seed: number) {
  const rng = new Rng(seed);
  const inputs = c.shapes.map((s) => rng.array(s.reduce((a, b) => a * b, 1)));
  const tape = new Tape(engine);
  const vars = inputs.map((data, i) => tape.leaf(engine.upload(data, c.shapes[i]), true));
  const out = c.run(tape, vars);
  const r = rng.array(out.tensor.size);
  const seedTensor = engine.upload(r, out.shape);
  tape.backward(out, seedTensor);
  for (let i = 0; i < inputs.length; i++) {
    const expected = fdGradient(c.ref, inputs, r, i);
    expectClose(await vars[i].grad!.readFloat32(), expected, TOL, `${c.name}: d/d input ${i}`);
  }
  for (const v of vars) v.tensor.dispose();
  seedTensor.dispose();
  tape.dispose();
}

const B = 2;
const cases: OpCase[] = [
  {
    name: 'linear (x·Wᵀ + b)',
    shapes: [[5, 7], [3, 7], [3]],
    run: (t, [x, w, b]) => op.linear(t, x, w, b),
    ref: ([x, w, b]) => matmulRef({ a: x, b: w, M: 5, N: 3, K: 7, batch: 1, transB: true, bias: b, epilogue: 'bias' }),
  },
  {
    name: 'batched matmul',
    shapes: [[2, 3, 5], [2, 5, 4]],
    run: (t, [a, b]) => op.matmul(t, a, b),
    ref: ([a, b]) => matmulRef({ a, b, M: 3, N: 4, K: 5, batch: 2 }),
  },
  {
    name: 'pointwise 1×1 conv with bias (channel-first)',
    shapes: [[B, 3, 2, 3], [4, 3, 1, 1], [4]],
    run: (t, [x, w, b]) => op.pointwise(t, x, w, b),
    ref: ([x, w, b]) => {
      const out = new Float64Array(B * 4 * 6);
      for (let n = 0; n < B; n++) for (let o = 0; o < 4; o++) for (let p = 0; p < 6; p++) {
        let s = b[o];
        for (let c = 0; c < 3; c++) s += w[o * 3 + c] * x[(n * 3 + c) * 6 + p];
        out[(n * 4 + o) * 6 + p] = s;
      }
      return out;
    },
  },
  {
    name: 'pointwise 1×1 conv with bias and residual (a block\'s skip connection)',
    shapes: [[B, 3, 2, 3], [4, 3, 1, 1], [4], [B, 4, 2, 3]],
    run: (t, [x, w, b, r]) => op.pointwise(t, x, w, b, r),
    ref: ([x, w, b, r]) => {
      const out = new Float64Array(B * 4 * 6);
      for (let n = 0; n < B; n++) for (let o = 0; o < 4; o++) for (let p = 0; p < 6; p++) {
        let s = b[o] + r[(n * 4 + o) * 6 + p];
        for (let c = 0; c < 3; c++) s += w[o * 3 + c] * x[(n * 3 + c) * 6 + p];
        out[(n * 4 + o) * 6 + p] = s;
      }
      return out;
    },
  },
  {
    name: 'conv 3×3 with bias',
    shapes: [[B, 3, 4, 5], [2, 3, 3, 3], [2]],
    run: (t, [x, w, b]) => op.conv3x3(t, x, w, b),
    ref: ([x, w, b]) => conv3x3Ref({ data: x, shape: [B, 3, 4, 5] }, w, 2, b),
  },
  {
    name: 'depthwise conv 3×3',
    shapes: [[B, 3, 5, 4], [3, 1, 3, 3]],
    run: (t, [x, w]) => op.depthwiseConv3x3(t, x, w),
    ref: ([x, w]) => depthwise3x3Ref({ data: x, shape: [B, 3, 5, 4] }, w),
  },
  {
    name: 'RMSNorm with FiLM',
    shapes: [[B, 5, 3, 2], [B, 10]],
    run: (t, [x, film]) => op.rmsNorm(t, x, { film }),
    ref: ([x, film]) => rmsNormRef(x, B, 5, 6, 1e-5, { data: film, stride: 10, scaleOffset: 0, shiftOffset: 5 }),
  },
  {
    name: 'RMSNorm with FiLM and SiLU (fused)',
    shapes: [[B, 5, 3, 2], [B, 10]],
    run: (t, [x, film]) => op.rmsNorm(t, x, { film, silu: true }),
    ref: ([x, film]) => Float64Array.from(rmsNormRef(x, B, 5, 6, 1e-5, { data: film, stride: 10, scaleOffset: 0, shiftOffset: 5 }), silu),
  },
  {
    name: 'SiLU',
    shapes: [[3, 7]],
    run: (t, [x]) => op.silu(t, x),
    ref: ([x]) => Float64Array.from(x, silu),
  },
  {
    name: 'attention (channel-first qkv, 2 heads)',
    shapes: [[B, 12, 5]],
    run: (t, [qkv]) => op.attention(t, qkv, 2),
    ref: ([qkv]) => {
      // qkv [B, 3C, HW], C = 4, heads 2, Dh 2; out [B, C, HW].
      const C = 4, H = 2, Dh = 2, T = 5;
      const view = (which: number) => gather4(qkv, which * C * T, [3 * C * T, Dh * T, 1, T], [B, H, T, Dh]);
      const o = attentionRef(view(0), view(1), view(2), B * H, T, T, Dh, Dh ** -0.5);
      const out = new Float64Array(B * C * T);
      for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) for (let d = 0; d < Dh; d++) {
        out[(b * C + h * Dh + d) * T + i] = o[((b * H + h) * T + i) * Dh + d];
      }
      return out;
    },
  },
  {
    name: 'embedding lookup (repeated ids)',
    shapes: [[6, 4]],
    run: (t, [table]) => op.embedding(t, table, [2, 0, 2, 5]),
    ref: ([table]) => gatherRef(table, 4, [2, 0, 2, 5]),
  },
  {
    name: 'concat along channels',
    shapes: [[B, 2, 3], [B, 3, 3]],
    run: (t, [a, b]) => op.concat1(t, [a, b]),
    ref: ([a, b]) => {
      const out: number[] = [];
      for (let n = 0; n < B; n++) out.push(...a.slice(n * 6, n * 6 + 6), ...b.slice(n * 9, n * 9 + 9));
      return out;
    },
  },
  {
    name: 'broadcasting add',
    shapes: [[B, 3, 4], [3, 1]],
    run: (t, [a, b]) => op.add(t, a, b),
    ref: ([a, b]) => broadcastRef(a, [B, 3, 4], b, [3, 1], (x, y) => x + y).data,
  },
  {
    name: 'broadcasting mul',
    shapes: [[B, 3, 4], [B, 1, 4]],
    run: (t, [a, b]) => op.mul(t, a, b),
    ref: ([a, b]) => broadcastRef(a, [B, 3, 4], b, [B, 1, 4], (x, y) => x * y).data,
  },
];

describe('tape ops: backward against finite differences of f64 references', () => {
  cases.forEach((c, i) => {
    it(c.name, async () => {
      await checkCase(await testEngine(), c, 100 + i);
    });
  });

  it('mean squared error: loss value and gradients for both sides', async () => {
    const engine = await testEngine();
    const rng = new Rng(7);
    const p = rng.array(11);
    const q = rng.array(11);
    const tape = new Tape(engine);
    const [pv, qv] = [p, q].map((d) => tape.leaf(engine.upload(d, [11]), true));
    const loss = op.mse(tape, pv, qv, 0.5);
    const mseRef = ([a, b]: Float64Array[]) => [0.5 * a.reduce((s, x, k) => s + (x - b[k]) ** 2, 0) / a.length];
    expect(Math.abs((await loss.tensor.readFloat32())[0] - mseRef([Float64Array.from(p), Float64Array.from(q)])[0])).toBeLessThan(1e-6);
    tape.backward(loss);
    expectClose(await pv.grad!.readFloat32(), fdGradient(mseRef, [p, q], [1], 0), TOL, 'mse d/dpred');
    expectClose(await qv.grad!.readFloat32(), fdGradient(mseRef, [p, q], [1], 1), TOL, 'mse d/dtarget');
    tape.dispose();
  });

  it('mean squared error per group (batched chain links): each part seeded by its own gradient', async () => {
    const engine = await testEngine();
    const rng = new Rng(9);
    const [groups, size] = [3, 7];
    const p = rng.array(groups * size);
    const q = rng.array(groups * size);
    const tape = new Tape(engine);
    const [pv, qv] = [p, q].map((d) => tape.leaf(engine.upload(d, [groups, size]), true));
    const loss = op.mse(tape, pv, qv, 0.5, groups);
    expect(loss.shape).toEqual([groups]);
    const mseRef = ([a, b]: Float64Array[]) =>
      Array.from({ length: groups }, (_, g) => (0.5 * a.slice(g * size, (g + 1) * size).reduce((s, x, k) => s + (x - b[g * size + k]) ** 2, 0)) / size);
    expectClose(await loss.tensor.readFloat32(), mseRef([Float64Array.from(p), Float64Array.from(q)]), { atol: 1e-6, rtol: 1e-6 }, 'per-group loss');
    const seed = [1, -2, 0.5];
    tape.backward(loss, engine.upload(seed, [groups]));
    expectClose(await pv.grad!.readFloat32(), fdGradient(mseRef, [p, q], seed, 0), TOL, 'grouped mse d/dpred');
    expectClose(await qv.grad!.readFloat32(), fdGradient(mseRef, [p, q], seed, 1), TOL, 'grouped mse d/dtarget');
    tape.dispose();
  });
});
