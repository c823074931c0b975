import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { attentionChannelFirst } from '../../src/gpu/ops/attention.js';
import {
  attentionChannelFirstBackward,
  conv3x3Backward,
  depthwiseConv3x3Backward,
  embeddingBackward,
  gradTuning,
  mseLoss,
  rmsNormBackward,
  siluBackward,
  sumSquares,
  sumToShape,
} from '../../src/gpu/ops/grad.js';
import { expectClose, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { attentionRef, gather4 } from '../reference/attention.js';
import { conv3x3Ref, depthwise3x3Ref } from '../reference/conv.js';
import { broadcastRef, mapRef, silu } from '../reference/elementwise.js';
import { gatherRef } from '../reference/embedding.js';
import { fdGradient, sumSquaresRef } from '../reference/grad.js';
import { rmsNormRef } from '../reference/norm.js';

// The GPU backward (f32 storage and accumulation) against central differences of the f64
// forward references (error ~1e-10, see fdGradient): the gap is the kernels' f32 rounding over
// sums of at most a few hundred O(1) terms, ~1e-6. A wrong index or a missing term is O(0.1).
const GRAD_TOL: Tolerance = { atol: 3e-5, rtol: 3e-4 };
// Linear ops (sums, gathers) against exact f64 sums.
const SUM_TOL: Tolerance = { atol: 1e-5, rtol: 1e-5 };

type Shape4 = [number, number, number, number];
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs body with some gradTuning knobs changed, restoring them after. */
async function withTuning<R>(knobs: Partial<typeof gradTuning>, body: () => Promise<R>): Promise<R> {
  const saved = { ...gradTuning };
  Object.assign(gradTuning, knobs);
  try {
    return await body();
  } finally {
    Object.assign(gradTuning, saved);
  }
}

let engine: Engine;
beforeAll(async () => {
  engine = await testEngine();
});

async function read(t: { read(): Promise<ArrayLike<number>> } | undefined): Promise<ArrayLike<number>> {
  if (!t) throw new Error('missing tensor');
  return t.read();
}

describe('conv3x3Backward', () => {
  // [B, Cin, H, W] and Cout: size-1 edges, widths off the 8-pixel and channels off the 4-channel tile.
  const cases: [Shape4, number][] = [
    [[1, 1, 1, 1], 1],
    [[1, 3, 1, 7], 5],
    [[2, 3, 5, 7], 6],
    [[1, 5, 4, 10], 3],
  ];
  for (const [shape, cout] of cases) {
    it(`[${shape}] -> Cout ${cout}: dx, dweight, dbias match finite differences`, async () => {
      const rng = new Rng(size(shape) * 7 + cout);
      const x = rng.array(size(shape));
      const w = rng.normals(cout * shape[1] * 9, 1 / Math.sqrt(shape[1] * 9));
      const b = rng.array(cout);
      const dy = rng.array(shape[0] * cout * shape[2] * shape[3]);
      const f = ([xx, ww, bb]: Float64Array[]) => conv3x3Ref({ data: xx, shape }, ww, cout, bb);
      const g = conv3x3Backward(engine, engine.upload(x, shape), engine.upload(w, [cout, shape[1], 3, 3]), engine.upload(dy, [shape[0], cout, shape[2], shape[3]]), { bias: true });
      expect(g.dx?.shape).toEqual(shape);
      expect(g.dweight.shape).toEqual([cout, shape[1], 3, 3]);
      expect(g.dbias?.shape).toEqual([cout]);
      expectClose(await read(g.dx), fdGradient(f, [x, w, b], dy, 0), GRAD_TOL, 'dx');
      expectClose(await read(g.dweight), fdGradient(f, [x, w, b], dy, 1), GRAD_TOL, 'dweight');
      expectClose(await read(g.dbias), fdGradient(f, [x, w, b], dy, 2), GRAD_TOL, 'dbias');
    });
  }

  it('weight grads agree in one pass and split over rows (multi-level partial sums), bit-identical on repeat', async () => {
    const rng = new Rng(91);
    const shape: Shape4 = [2, 4, 6, 5];
    const cout = 3;
    const x = rng.array(size(shape));
    const w = rng.normals(cout * 4 * 9, 1 / 6);
    const dy = rng.array(2 * cout * 30);
    const expected = fdGradient(([xx, ww]) => conv3x3Ref({ data: xx, shape }, ww, cout), [x, w], dy, 1);
    const run = async () => {
      const g = conv3x3Backward(engine, engine.upload(x, shape), engine.upload(w, [cout, 4, 3, 3]), engine.upload(dy, [2, cout, 6, 5]), { input: false });
      expect(g.dx).toBe(undefined);
      expect(g.dbias).toBe(undefined);
      return g.dweight.read();
    };
    // One chunk: the weight kernel writes dweight directly.
    const single = await withTuning({ weightGradThreads: 1 }, run);
    expectClose(single, expected, GRAD_TOL, 'dweight one pass');
    // One chunk per image row (12), whose partials are then added in two more levels.
    const split = await withTuning({ weightGradThreads: 1 << 20, minPerThread: 2 }, run);
    expectClose(split, expected, GRAD_TOL, 'dweight split');
    expect(Array.from(await withTuning({ weightGradThreads: 1 << 20, minPerThread: 2 }, run))).toEqual(Array.from(split));
  });

  it('random shapes match finite differences', async () => {
    const rng = new Rng(4242);
    for (let trial = 0; trial < 3; trial++) {
      const shape: Shape4 = [rng.int(1, 2), rng.int(1, 6), rng.int(1, 6), rng.int(1, 11)];
      const cout = rng.int(1, 6);
      const x = rng.array(size(shape));
      const w = rng.normals(cout * shape[1] * 9, 1 / Math.sqrt(shape[1] * 9));
      const dy = rng.array(shape[0] * cout * shape[2] * shape[3]);
      const f = ([xx, ww]: Float64Array[]) => conv3x3Ref({ data: xx, shape }, ww, cout);
      const g = conv3x3Backward(engine, engine.upload(x, shape), engine.upload(w, [cout, shape[1], 3, 3]), engine.upload(dy, [shape[0], cout, shape[2], shape[3]]));
      expectClose(await read(g.dx), fdGradient(f, [x, w], dy, 0), GRAD_TOL, `dx [${shape}] -> ${cout}`);
      expectClose(await read(g.dweight), fdGradient(f, [x, w], dy, 1), GRAD_TOL, `dweight [${shape}] -> ${cout}`);
    }
  });

  it('rejects mismatched shapes', () => {
    const x = engine.zeros([1, 3, 4, 4]);
    expect(() => conv3x3Backward(engine, x, engine.zeros([5, 2, 3, 3]), engine.zeros([1, 5, 4, 4]))).toThrow(ShapeError);
    expect(() => conv3x3Backward(engine, x, engine.zeros([5, 3, 3, 3]), engine.zeros([1, 5, 4, 3]))).toThrow(/conv3x3Backward: dy must be \[1, 5, 4, 4\], got \[1, 5, 4, 3\]/);
  });
});

describe('depthwiseConv3x3Backward', () => {
  const shapes: Shape4[] = [[1, 1, 1, 1], [1, 4, 1, 9], [2, 5, 7, 3], [2, 3, 6, 13]];
  for (const shape of shapes) {
    it(`[${shape}]: dx and dweight match finite differences`, async () => {
      const rng = new Rng(size(shape) + 5);
      const x = rng.array(size(shape));
      const w = rng.normals(shape[1] * 9, 1 / 3);
      const dy = rng.array(size(shape));
      const f = ([xx, ww]: Float64Array[]) => depthwise3x3Ref({ data: xx, shape }, ww);
      const g = depthwiseConv3x3Backward(engine, engine.upload(x, shape), engine.upload(w, [shape[1], 1, 3, 3]), engine.upload(dy, shape));
      expect(g.dweight.shape).toEqual([shape[1], 1, 3, 3]);
      expectClose(await g.dx.read(), fdGradient(f, [x, w], dy, 0), GRAD_TOL, 'dx');
      expectClose(await g.dweight.read(), fdGradient(f, [x, w], dy, 1), GRAD_TOL, 'dweight');
    });
  }

  it('weight grads in one pass match the split ones', async () => {
    const rng = new Rng(12);
    const shape: Shape4 = [2, 3, 5, 6];
    const x = rng.array(size(shape));
    const w = rng.normals(27, 1 / 3);
    const dy = rng.array(size(shape));
    const expected = fdGradient(([xx, ww]) => depthwise3x3Ref({ data: xx, shape }, ww), [x, w], dy, 1);
    const run = () => depthwiseConv3x3Backward(engine, engine.upload(x, shape), engine.upload(w, [3, 1, 3, 3]), engine.upload(dy, shape)).dweight.read();
    expectClose(await withTuning({ weightGradThreads: 1 }, run), expected, GRAD_TOL, 'dweight one pass');
    expectClose(await withTuning({ weightGradThreads: 1 << 20 }, run), expected, GRAD_TOL, 'dweight split per row');
  });
});

describe('rmsNormBackward', () => {
  const eps = 1e-5;
  const cases: { shape: number[]; film?: { stride: number; scaleOffset?: number; shiftOffset?: number }; silu?: boolean }[] = [
    { shape: [1, 1, 1, 1] },
    { shape: [2, 5, 3, 3] },
    { shape: [2, 7, 11] },
    { shape: [1, 3, 70] },
    { shape: [2, 4, 3, 5], film: { stride: 8 } },
    { shape: [3, 5, 7], film: { stride: 17, scaleOffset: 6, shiftOffset: 1 } },
    { shape: [1, 1, 2, 1], film: { stride: 2 } },
    // The forward's fused SiLU: the backward recomputes the pre-activation.
    { shape: [2, 5, 3, 3], silu: true },
    { shape: [3, 5, 7], film: { stride: 17, scaleOffset: 6, shiftOffset: 1 }, silu: true },
  ];
  for (const { shape, film, silu: withSilu } of cases) {
    it(`[${shape}]${film ? ` with FiLM (stride ${film.stride}, offsets ${film.scaleOffset ?? 0}/${film.shiftOffset ?? shape[1]})` : ''}${withSilu ? ' and SiLU' : ''}: dx${film ? ', dfilm' : ''} match finite differences`, async () => {
      const rng = new Rng(size(shape) + (film?.stride ?? 0));
      const [batch, channels] = shape;
      const hw = size(shape.slice(2));
      const x = rng.array(size(shape));
      const dy = rng.array(size(shape));
      const filmData = film ? rng.array(batch * film.stride, -0.5, 0.5) : new Float32Array(0);
      const scaleOffset = film?.scaleOffset ?? 0;
      const shiftOffset = film?.shiftOffset ?? channels;
      const f = ([xx, ff]: Float64Array[]) => {
        const y = rmsNormRef(xx, batch, channels, hw, eps, film ? { data: ff, stride: film.stride, scaleOffset, shiftOffset } : undefined);
        return withSilu ? mapRef(y, silu) : y;
      };
      const filmTensor = film ? engine.upload(filmData, [batch, film.stride]) : undefined;
      const g = rmsNormBackward(engine, engine.upload(x, shape), engine.upload(dy, shape), {
        eps,
        film: filmTensor && { film: filmTensor, scaleOffset: film?.scaleOffset, shiftOffset: film?.shiftOffset },
        silu: withSilu,
      });
      expect(g.dx.shape).toEqual(shape);
      expectClose(await g.dx.read(), fdGradient(f, [x, filmData], dy, 0), GRAD_TOL, 'dx');
      if (film) {
        expect(g.dfilm?.shape).toEqual([batch, film.stride]);
        // Columns that are neither scale nor shift get exactly 0 (FD gives 0 there too).
        expectClose(await read(g.dfilm), fdGradient(f, [x, filmData], dy, 1), GRAD_TOL, 'dfilm');
      } else {
        expect(g.dfilm).toBe(undefined);
      }
    });
  }

  it('rejects a film row too short for its offsets', () => {
    const x = engine.zeros([2, 4, 3]);
    expect(() => rmsNormBackward(engine, x, x, { film: { film: engine.zeros([2, 6]) } })).toThrow(/rmsNormBackward: film shiftOffset 4 \+ C 4 exceeds film row 6/);
  });
});

describe('siluBackward', () => {
  it('matches finite differences, including large |x|', async () => {
    const rng = new Rng(3);
    const x = Float32Array.from([...rng.array(517, -6, 6), 30, -30, 0, 88, -88]);
    const dy = rng.array(x.length);
    const dx = siluBackward(engine, engine.upload(x, [x.length]), engine.upload(dy, [x.length]));
    expectClose(await dx.read(), fdGradient(([xx]) => mapRef(xx, silu), [x], dy, 0), GRAD_TOL, 'silu dx');
  });
});

describe('attentionChannelFirstBackward', () => {
  /** The forward of attentionChannelFirst in f64: qkv [B, 3C, T] -> out [B, C, T]. */
  function attentionChannelFirstRef(qkv: ArrayLike<number>, batch: number, channels: number, seq: number, heads: number, scale: number): Float64Array {
    const dh = channels / heads;
    const strides = [3 * channels * seq, dh * seq, 1, seq];
    const dims = [batch, heads, seq, dh];
    const q = gather4(qkv, 0, strides, dims);
    const k = gather4(qkv, channels * seq, strides, dims);
    const v = gather4(qkv, 2 * channels * seq, strides, dims);
    const o = attentionRef(q, k, v, batch * heads, seq, seq, dh, scale);
    const out = new Float64Array(batch * channels * seq);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < heads; h++)
        for (let i = 0; i < seq; i++)
          for (let d = 0; d < dh; d++) out[(b * channels + h * dh + d) * seq + i] = o[((b * heads + h) * seq + i) * dh + d];
    return out;
  }

  // [B, C, spatial], heads: one key block, ragged key blocks, more than one workgroup of queries.
  const cases: { batch: number; channels: number; spatial: number[]; heads: number; scale?: number }[] = [
    { batch: 1, channels: 2, spatial: [1, 1], heads: 1 },
    { batch: 2, channels: 6, spatial: [5], heads: 2 },
    { batch: 1, channels: 8, spatial: [3, 4], heads: 4, scale: 0.9 },
    { batch: 1, channels: 3, spatial: [7, 10], heads: 1 },
    { batch: 1, channels: 40, spatial: [2, 3], heads: 1 },
    // Head dim 16 (the SideNet's bucket): 67 rows = a full and a ragged workgroup of rows.
    { batch: 1, channels: 16, spatial: [67], heads: 1 },
  ];
  for (const { batch, channels, spatial, heads, scale } of cases) {
    it(`B ${batch}, C ${channels}, [${spatial}], ${heads} heads${scale ? `, scale ${scale}` : ''}: dqkv matches finite differences`, async () => {
      const seq = size(spatial);
      const rng = new Rng(batch * 1000 + channels * 10 + seq);
      const qkv = rng.array(batch * 3 * channels * seq, -1.5, 1.5);
      const dout = rng.array(batch * channels * seq);
      const s = scale ?? 1 / Math.sqrt(channels / heads);
      const qkvT = engine.upload(qkv, [batch, 3 * channels, ...spatial]);
      const doutT = engine.upload(dout, [batch, channels, ...spatial]);
      const dqkv = attentionChannelFirstBackward(engine, qkvT, heads, doutT, scale);
      expect(dqkv.shape).toEqual([batch, 3 * channels, ...spatial]);
      const expected = fdGradient(([a]) => attentionChannelFirstRef(a, batch, channels, seq, heads, s), [qkv], dout, 0);
      expectClose(await dqkv.read(), expected, GRAD_TOL, 'dqkv');
      // With the forward's output and softmax statistics (the training path): same gradient.
      const stats = engine.empty([batch * heads * seq, 2]);
      const out = attentionChannelFirst(engine, qkvT, heads, scale, stats);
      const fromForward = attentionChannelFirstBackward(engine, qkvT, heads, doutT, scale, { out, stats });
      expectClose(await fromForward.read(), expected, GRAD_TOL, 'dqkv from forward stats');
      for (const t of [qkvT, doutT, dqkv, stats, out, fromForward]) t.dispose();
    });
  }

  it('rejects a dout that does not match qkv', () => {
    expect(() => attentionChannelFirstBackward(engine, engine.zeros([1, 12, 3, 3]), 2, engine.zeros([1, 4, 9]))).toThrow(/attentionChannelFirstBackward: dout must be \[1, 4, 3, 3\], got \[1, 4, 9\]/);
    expect(() => attentionChannelFirstBackward(engine, engine.zeros([1, 12, 9]), 5, engine.zeros([1, 4, 9]))).toThrow(ShapeError);
  });
});

describe('embeddingBackward', () => {
  it('sums dy rows per id (repeats, unused rows, an out-of-range id), as finite differences of the gather', async () => {
    const rng = new Rng(8);
    const rows = 7;
    const dim = 5;
    const ids = [3, 0, 3, 6, 3, 1];
    const table = rng.array(rows * dim);
    const dy = rng.array(ids.length * dim);
    const expected = fdGradient(([t]) => gatherRef(t, dim, ids), [table], dy, 0);
    const dtable = embeddingBackward(engine, engine.upload(ids, [ids.length], 'i32'), engine.upload(dy, [ids.length, dim]), rows);
    expect(dtable.shape).toEqual([rows, dim]);
    expectClose(await dtable.read(), expected, GRAD_TOL, 'dtable');
    // An id outside the table contributes nothing (host ids are not range-checked here either).
    const withBad = embeddingBackward(engine, [...ids, 99], engine.upload([...dy, ...rng.array(dim)], [ids.length + 1, dim]), rows);
    expectClose(await withBad.read(), expected, GRAD_TOL, 'dtable with an out-of-range id');
  });

  it('random sizes match exact sums', async () => {
    const rng = new Rng(81);
    for (let trial = 0; trial < 3; trial++) {
      const rows = rng.int(1, 40);
      const dim = rng.int(1, 33);
      const count = rng.int(1, 50);
      const ids = Array.from({ length: count }, () => rng.int(0, rows - 1));
      const dy = rng.array(count * dim);
      const expected = new Float64Array(rows * dim);
      ids.forEach((id, n) => { for (let d = 0; d < dim; d++) expected[id * dim + d] += dy[n * dim + d]; });
      const dtable = embeddingBackward(engine, engine.upload(ids, [count], 'i32'), engine.upload(dy, [count, dim]), rows);
      expectClose(await dtable.read(), expected, SUM_TOL, `dtable ${rows}x${dim}, ${count} ids`);
    }
  });
});

describe('sumToShape', () => {
  // [x shape, target shape]: bias grads, per-channel sums, leading/middle/trailing reductions, copies.
  const cases: [number[], number[]][] = [
    [[6, 5], [5]],
    [[2, 3, 4, 5], [1, 3, 1, 1]],
    [[2, 3, 4, 5], [3, 1, 1]],
    [[2, 3, 4, 5], [1]],
    [[2, 3, 4, 5], [2, 3, 4, 5]],
    [[2, 5, 3], [2, 1, 3]],
    [[4, 3], [4, 1]],
    [[3, 1, 4, 2], [1, 1, 4, 1]],
    [[1, 1, 1], [1]],
  ];
  for (const [xShape, shape] of cases) {
    it(`[${xShape}] -> [${shape}] matches finite differences of the broadcast`, async () => {
      const rng = new Rng(size(xShape) + size(shape));
      const x = rng.array(size(xShape));
      const a = rng.array(size(shape));
      const zeros = new Float64Array(size(xShape));
      const expected = fdGradient(([aa]) => broadcastRef(aa, shape, zeros, xShape, (p, q) => p + q).data, [a], x, 0);
      const out = sumToShape(engine, engine.upload(x, xShape), shape);
      expect(out.shape).toEqual(shape);
      expectClose(await out.read(), expected, GRAD_TOL, `sum [${xShape}] -> [${shape}]`);
    });
  }

  it('random shapes, with one-pass and multi-level splits, match exact sums', async () => {
    const rng = new Rng(515);
    for (let trial = 0; trial < 8; trial++) {
      const rank = rng.int(1, 4);
      const xShape = Array.from({ length: rank }, () => rng.int(1, 9));
      const keep = rng.int(0, rank);
      const shape = xShape.slice(rank - keep).map((d) => (rng.next() < 0.5 ? 1 : d));
      const x = rng.array(size(xShape));
      // The sum over broadcast dims is the adjoint of the broadcast: accumulate x into the target.
      const expected = new Float64Array(size(shape));
      const idx = broadcastRef(Float64Array.from({ length: size(shape) }, (_, i) => i), shape, new Float64Array(size(xShape)), xShape, (p) => p).data;
      idx.forEach((j, i) => { expected[j] += x[i]; });
      const knobs = { minPerThread: rng.pick([1, 2, 32]), reduceThreads: rng.pick([1, 7, 32768]) };
      const out = await withTuning(knobs, async () => sumToShape(engine, engine.upload(x, xShape), shape).read());
      expectClose(out, expected, SUM_TOL, `sum [${xShape}] -> [${shape}]`);
    }
  });

  it('rejects shapes that do not broadcast', () => {
    expect(() => sumToShape(engine, engine.zeros([2, 3]), [2])).toThrow(/sumToShape: \[2\] does not broadcast to x \[2, 3\]/);
    expect(() => sumToShape(engine, engine.zeros([3]), [1, 3])).toThrow(ShapeError);
  });
});

describe('mseLoss and sumSquares', () => {
  it('loss is the mean squared error and grad its scaled gradient (finite differences)', async () => {
    const rng = new Rng(6);
    for (const n of [1, 37, 3000]) {
      const pred = rng.array(n);
      const target = rng.array(n);
      const scale = 0.125;
      const { loss, grad } = mseLoss(engine, engine.upload(pred, [n]), engine.upload(target, [n]), scale);
      expect(loss.shape).toEqual([1]);
      let mse = 0;
      for (let i = 0; i < n; i++) mse += (pred[i] - target[i]) ** 2 / n;
      expectClose(await loss.read(), [mse], SUM_TOL, `loss n=${n}`);
      const fd = fdGradient(([p]) => [p.reduce((s, v, i) => s + (v - target[i]) ** 2, 0) / n], [pred], [scale], 0);
      expectClose(await grad.read(), fd, GRAD_TOL, `grad n=${n}`);
    }
  });

  it('groups: one loss per equal consecutive part, grad of scale · each part\'s loss (finite differences)', async () => {
    const rng = new Rng(8);
    for (const [groups, size] of [[3, 1], [5, 37], [4, 3001]]) {
      const n = groups * size;
      const pred = rng.array(n);
      const target = rng.array(n);
      const scale = 0.25;
      // Small reduce knobs reach the multi-pass per-group reduction on the larger case.
      const { loss, grad } = await withTuning({ reduceThreads: 64, minPerThread: 4 }, async () =>
        mseLoss(engine, engine.upload(pred, [n]), engine.upload(target, [n]), scale, groups));
      expect(loss.shape).toEqual([groups]);
      const perGroup = (p: ArrayLike<number>) => Array.from({ length: groups }, (_, g) => {
        let s = 0;
        for (let i = g * size; i < (g + 1) * size; i++) s += (p[i] - target[i]) ** 2;
        return s / size;
      });
      expectClose(await loss.read(), perGroup(pred), SUM_TOL, `losses ${groups} x ${size}`);
      const fd = fdGradient(([p]) => perGroup(p), [pred], new Array(groups).fill(scale), 0);
      expectClose(await grad.read(), fd, GRAD_TOL, `grad ${groups} x ${size}`);
    }
    expect(() => mseLoss(engine, engine.zeros([10]), engine.zeros([10]), 1, 3)).toThrow(/mseLoss: 3 groups do not split pred \[10\] evenly/);
  });

  it('sumSquares matches the f64 sum, bit-identical on repeat', async () => {
    const rng = new Rng(11);
    for (const n of [1, 255, 100_003]) {
      const x = rng.array(n);
      const t = engine.upload(x, [n]);
      const first = await sumSquares(engine, t).read();
      expectClose(first, [sumSquaresRef(x)], { atol: 1e-5, rtol: 1e-5 }, `sumSquares n=${n}`);
      expect(Array.from(await sumSquares(engine, t).read())).toEqual(Array.from(first));
    }
  });
});
