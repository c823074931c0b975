import { describe, expect, it } from 'vitest';
import { attention, attentionChannelFirst, attentionTokenMajor, unrollSections } from '../../src/gpu/ops/attention.js';
import { Engine } from '../../src/gpu/engine.js';
import { BindingError, ShapeError } from '../../src/gpu/errors.js';
import type { StorageDType } from '../../src/gpu/pipelines.js';
import { checkCrossAttention } from '../helpers/attention-cases.js';
import { expectClose, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { attentionRef, gather4 } from '../reference/attention.js';

// f32: scores and the online softmax are accumulated in f32 (relative error ~1e-6 per term).
const ATTN_F32: Tolerance = { atol: 2e-5, rtol: 1e-4 };
// f16 storage: inputs are rounded in the reference; the output's own f16 rounding (~5e-4 relative) dominates.
const ATTN_F16: Tolerance = { atol: 2e-3, rtol: 1e-2 };

/** Reference for SiT's token-major qkv [B, T, 3·H·Dh]; returns [B, T, H·Dh] as the kernel writes it. */
function tokenMajorRef(qkv: ArrayLike<number>, batch: number, seq: number, heads: number, headDim: number, scale: number): Float64Array {
  const width = heads * headDim;
  const dims = [batch, heads, seq, headDim];
  const strides = [seq * 3 * width, headDim, 3 * width, 1];
  const o = attentionRef(gather4(qkv, 0, strides, dims), gather4(qkv, width, strides, dims), gather4(qkv, 2 * width, strides, dims), batch * heads, seq, seq, headDim, scale);
  // [B, H, T, Dh] -> [B, T, H, Dh]
  return gather4(o, 0, [heads * seq * headDim, headDim, seq * headDim, 1], [batch, seq, heads, headDim]);
}

/** Reference for the SideNet's channel-first qkv [B, 3C, HW]; returns [B, C, HW]. */
function channelFirstRef(qkv: ArrayLike<number>, batch: number, channels: number, hw: number, heads: number, scale: number): Float64Array {
  const headDim = channels / heads;
  const dims = [batch, heads, hw, headDim];
  const strides = [3 * channels * hw, headDim * hw, 1, hw];
  const at = (which: number) => gather4(qkv, which * channels * hw, strides, dims);
  const o = attentionRef(at(0), at(1), at(2), batch * heads, hw, hw, headDim, scale);
  // [B, H, T, Dh] -> [B, H, Dh, T] = [B, C, HW]
  return gather4(o, 0, [heads * hw * headDim, hw * headDim, 1, headDim], [batch, heads, headDim, hw]);
}

async function checkTokenMajor(dtype: StorageDType, seed: number, batch: number, seq: number, heads: number, headDim: number, tol: Tolerance, magnitude = 1) {
  const engine = await testEngine();
  const rng = new Rng(seed);
  const qkv = rng.normals(batch * seq * 3 * heads * headDim, magnitude);
  const input = dtype === 'f16' ? roundToF16(qkv) : qkv;
  const out = attentionTokenMajor(engine, engine.upload(qkv, [batch, seq, 3 * heads * headDim], dtype), heads);
  expect(out.shape).toEqual([batch, seq, heads * headDim]);
  expect(out.dtype).toBe(dtype);
  expectClose(await out.read(), tokenMajorRef(input, batch, seq, heads, headDim, headDim ** -0.5), tol, `token-major ${dtype} B=${batch} T=${seq} H=${heads} Dh=${headDim}`);
  out.dispose();
}

async function checkChannelFirst(dtype: StorageDType, seed: number, batch: number, channels: number, h: number, w: number, heads: number, tol: Tolerance, engine?: Engine) {
  engine ??= await testEngine();
  const rng = new Rng(seed);
  const qkv = rng.normals(batch * 3 * channels * h * w);
  const input = dtype === 'f16' ? roundToF16(qkv) : qkv;
  const out = attentionChannelFirst(engine, engine.upload(qkv, [batch, 3 * channels, h, w], dtype), heads);
  expect(out.shape).toEqual([batch, channels, h, w]);
  const ref = channelFirstRef(input, batch, channels, h * w, heads, (channels / heads) ** -0.5);
  expectClose(await out.read(), ref, tol, `channel-first ${engine.kernelProfile} ${dtype} B=${batch} C=${channels} ${h}x${w} heads=${heads}`);
  out.dispose();
}

/** Base-2 log-sum-exp of each query's scaled scores, [B·heads·HW, 2] with column 1 zero, for channel-first qkv [B, 3C, HW]. */
function channelFirstLseRef(qkv: ArrayLike<number>, batch: number, channels: number, hw: number, heads: number, scale: number): Float64Array {
  const headDim = channels / heads;
  const dims = [batch, heads, hw, headDim];
  const strides = [3 * channels * hw, headDim * hw, 1, hw];
  const q = gather4(qkv, 0, strides, dims);
  const k = gather4(qkv, channels * hw, strides, dims);
  const expected = new Float64Array(batch * heads * hw * 2);
  for (let bh = 0; bh < batch * heads; bh++) {
    for (let i = 0; i < hw; i++) {
      const scores = Array.from({ length: hw }, (_, j) => {
        let dot = 0;
        for (let d = 0; d < headDim; d++) dot += q[(bh * hw + i) * headDim + d] * k[(bh * hw + j) * headDim + d];
        return scale * dot;
      });
      const max = Math.max(...scores);
      expected[(bh * hw + i) * 2] = (max + Math.log(scores.reduce((s, x) => s + Math.exp(x - max), 0))) * Math.LOG2E;
    }
  }
  return expected;
}

/** One engine per kernel family, so both the lavapipe and the GPU tilings run on any adapter. */
const profileEngines = new Map<'cpu' | 'gpu', Promise<Engine>>();
function profileEngine(kernels: 'cpu' | 'gpu'): Promise<Engine> {
  let e = profileEngines.get(kernels);
  if (!e) profileEngines.set(kernels, (e = Engine.create({ kernels })));
  return e;
}

describe('attention, token-major qkv (SiT)', () => {
  // Sequence lengths off every tile (64 queries, 8 keys), T = 1, and each head-dim bucket's edges.
  const cases: [number, number, number, number][] = [
    [1, 1, 2, 8],
    [2, 5, 3, 16],
    [1, 67, 2, 64],
    [2, 37, 3, 72],
    [1, 9, 1, 128],
    [1, 130, 2, 33],
  ];
  cases.forEach(([batch, seq, heads, headDim], n) => {
    it(`B=${batch} T=${seq} H=${heads} Dh=${headDim} matches softmax(QKᵀ)V (f32)`, () => checkTokenMajor('f32', 100 + n, batch, seq, heads, headDim, ATTN_F32));
  });

  it('random shapes (seeded) match the reference (f32)', async () => {
    const rng = new Rng(7);
    for (let n = 0; n < 4; n++) {
      const headDim = rng.pick([8, 16, 24, 64, 72, 100, 128]);
      await checkTokenMajor('f32', 200 + n, rng.int(1, 2), rng.int(1, 90), rng.int(1, 3), headDim, ATTN_F32);
    }
  });

  it('stays stable for large-magnitude logits (|score| ~ 1e3)', async () => {
    // q, k ~ N(0, 30²): scores ~ 30²·sqrt(Dh)/sqrt(Dh) ≈ ±1e3, so softmax is nearly one-hot and
    // exp without max-subtraction would overflow. Score error ~ 1e-7·1e3 moves weights by ~1e-4.
    await checkTokenMajor('f32', 300, 1, 45, 2, 64, { atol: 1e-3, rtol: 1e-3 }, 30);
  });

  it('SiT-XL shape (T=256, Dh=72, 16 heads) matches the reference', async () => {
    await checkTokenMajor('f32', 400, 1, 256, 16, 72, ATTN_F32);
  });
});

describe('attention, channel-first qkv (SideNet)', () => {
  const cases: [number, number, number, number, number][] = [
    [1, 32, 8, 8, 4],
    [2, 24, 5, 3, 4],
    [1, 256, 4, 4, 4],
    [2, 16, 1, 1, 2],
    // The trained SideNet's head dim 16 with 99 positions: ragged query and key blocks.
    [2, 64, 9, 11, 4],
  ];
  cases.forEach(([batch, channels, h, w, heads], n) => {
    it(`B=${batch} C=${channels} ${h}x${w} heads=${heads} (Dh=${channels / heads}) matches the reference (f32)`, () =>
      checkChannelFirst('f32', 500 + n, batch, channels, h, w, heads, ATTN_F32));
  });
});

describe('attention, channel-first small head dims (the SideNet kernels, both kernel families)', () => {
  // Head dims 8/16/24/32 are exact variants, 4/12/20 pad to the next one; position counts off
  // every block (8·8 positions per lavapipe workgroup, 256 or 128 per GPU workgroup, 32-key tiles) and 1×1;
  // HW % 4 == 0 takes lavapipe's vec4-load variant.
  const cases: [number, number, number, number, number][] = [
    // batch, heads, headDim, h, w
    [3, 4, 8, 16, 16],
    [1, 2, 8, 19, 17],
    [2, 4, 8, 7, 9],
    [1, 1, 8, 1, 1],
    [2, 2, 16, 17, 15],
    [1, 3, 24, 7, 9],
    [2, 1, 32, 17, 15],
    [1, 2, 32, 16, 16],
    [2, 3, 12, 5, 13],
    [1, 2, 4, 9, 1],
    // HW a multiple of 4 but not of the 8 keys per lavapipe step (its vec4-load variant), and HW = 4.
    [2, 4, 8, 3, 4],
    [1, 2, 24, 6, 6],
    [3, 1, 16, 2, 2],
    // Lavapipe's 64-dim variant, exact and padded (the GPU family runs these on attention.wgsl).
    [1, 2, 64, 8, 8],
    [2, 1, 40, 5, 7],
  ];
  for (const kernels of ['cpu', 'gpu'] as const) {
    cases.forEach(([batch, heads, headDim, h, w], n) => {
      it(`${kernels} kernels: B=${batch} heads=${heads} Dh=${headDim} ${h}x${w} (f32)`, async () =>
        checkChannelFirst('f32', 800 + n, batch, heads * headDim, h, w, heads, ATTN_F32, await profileEngine(kernels)));
    });

    it(`${kernels} kernels: random shapes (seeded) match the reference (f32)`, async () => {
      const engine = await profileEngine(kernels);
      const rng = new Rng(kernels === 'cpu' ? 820 : 821);
      for (let n = 0; n < 4; n++) {
        const headDim = rng.pick([8, 16, 24, 32, 20]);
        const heads = rng.int(1, 4);
        await checkChannelFirst('f32', 830 + n, rng.int(1, 3), heads * headDim, rng.int(1, 18), rng.int(1, 18), heads, ATTN_F32, engine);
      }
    });

    it(`${kernels} kernels: f16 storage matches the reference on f16-rounded inputs (needs shader-f16)`, async (ctx) => {
      const engine = await profileEngine(kernels);
      if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      await checkChannelFirst('f16', 840, 2, 32, 16, 16, 4, ATTN_F16, engine);
      await checkChannelFirst('f16', 841, 3, 48, 7, 9, 2, ATTN_F16, engine);
    });

    it(`${kernels} kernels: stats hold each query's base-2 log-sum-exp`, async () => {
      const engine = await profileEngine(kernels);
      const rng = new Rng(850);
      for (const [batch, channels, hw, heads] of [[2, 32, 75, 4], [1, 64, 33, 2], [1, 32, 36, 2]]) {
        const qkv = rng.normals(batch * 3 * channels * hw);
        const stats = engine.zeros([batch * heads * hw, 2]);
        const out = attentionChannelFirst(engine, engine.upload(qkv, [batch, 3 * channels, hw]), heads, 0.3, stats);
        expectClose(await stats.read(), channelFirstLseRef(qkv, batch, channels, hw, heads, 0.3), ATTN_F32, `${kernels} lse C=${channels} heads=${heads}`);
        expectClose(await out.read(), channelFirstRef(qkv, batch, channels, hw, heads, 0.3), ATTN_F32, `${kernels} out with stats`);
      }
    });
  }
});

describe('unrollSections (the tiled channel-first kernel\'s unrolled loops)', () => {
  it('repeats nested sections with their indices substituted, counts by name or number', () => {
    const src = ['a;', '  //#unroll r R', '  //#unroll d 2', '  x[{r}][{d}] = {r}u;', '  //#endunroll', '  y{r};', '  //#endunroll', 'b;'].join('\n');
    expect(unrollSections(src, { R: 2 })).toBe(['a;', '  x[0][0] = 0u;', '  x[0][1] = 0u;', '  y0;', '  x[1][0] = 1u;', '  x[1][1] = 1u;', '  y1;', 'b;'].join('\n'));
    expect(unrollSections('//#unroll r 0\nz;\n//#endunroll\nw;', {})).toBe('w;');
    expect(() => unrollSections('//#unroll r N\nz;\n//#endunroll', {})).toThrow(/unknown count 'N'/);
    expect(() => unrollSections('//#unroll r 2\nz;', {})).toThrow(/without \/\/#endunroll/);
    expect(() => unrollSections('z;\n//#endunroll', {})).toThrow(/without \/\/#unroll/);
  });
});

describe('attentionChannelFirst routing', () => {
  it('runs head dims up to 32 (lavapipe kernels: 64) on the channel-first kernel and larger ones on the strided one', async () => {
    for (const [kernels, largest] of [['cpu', 64], ['gpu', 32]] as const) {
      const engine = await Engine.create({ kernels });
      engine.profiler.enabled = true;
      for (const [headDim, label] of [[largest, 'attentionChannelFirst'], [largest + 1, 'attention']] as const) {
        attentionChannelFirst(engine, engine.zeros([1, 3 * headDim, 4]), 1).dispose();
        await engine.submit();
        expect(engine.profiler.rows().map((r) => r.kernel)).toEqual([label]);
        engine.profiler.reset();
      }
      engine.dispose();
    }
  });
});

describe('attention softmax statistics (for the backward)', () => {
  it('writes each query\'s base-2 log-sum-exp of the scaled scores at [row, 0]', async () => {
    const engine = await testEngine();
    const rng = new Rng(650);
    const [batch, channels, hw, heads] = [2, 32, 75, 2];
    const headDim = channels / heads;
    const qkv = rng.normals(batch * 3 * channels * hw);
    const stats = engine.zeros([batch * heads * hw, 2]);
    attentionChannelFirst(engine, engine.upload(qkv, [batch, 3 * channels, hw]), heads, 0.3, stats);
    const dims = [batch, heads, hw, headDim];
    const strides = [3 * channels * hw, headDim * hw, 1, hw];
    const q = gather4(qkv, 0, strides, dims);
    const k = gather4(qkv, channels * hw, strides, dims);
    const expected = new Float64Array(batch * heads * hw * 2);
    for (let bh = 0; bh < batch * heads; bh++) {
      for (let i = 0; i < hw; i++) {
        const scores = Array.from({ length: hw }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[(bh * hw + i) * headDim + d] * k[(bh * hw + j) * headDim + d];
          return 0.3 * dot;
        });
        const max = Math.max(...scores);
        expected[(bh * hw + i) * 2] = (max + Math.log(scores.reduce((s, x) => s + Math.exp(x - max), 0))) * Math.LOG2E;
      }
    }
    // Column 1 is left alone (the backward's Δ goes there).
    expectClose(await stats.read(), expected, ATTN_F32, 'lse');
    expect(() => attentionChannelFirst(engine, engine.zeros([1, 12, 5]), 2, undefined, engine.zeros([10]))).toThrow(/stats must be f32 \[10, 2\]/);
  });
});

describe('attention on general strided views', () => {
  it('separate q, k, v tensors, seqK != seqQ, custom scale, output at an offset', async () => {
    const engine = await testEngine();
    await checkCrossAttention(engine, (args) => attention(engine, args), ATTN_F32, 'cross attention', 600, 2, 3, 11, 29, 20);
  });
});

describe('attention in f16 storage', () => {
  it('token-major and channel-first match the reference on f16-rounded inputs (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    await checkTokenMajor('f16', 700, 2, 41, 2, 72, ATTN_F16);
    await checkTokenMajor('f16', 701, 1, 19, 1, 128, ATTN_F16);
    await checkChannelFirst('f16', 702, 1, 32, 6, 5, 4, ATTN_F16);
  });
});

describe('attention argument checks', () => {
  it('rejects bad shapes, naming the op and the shapes', async () => {
    const engine = await testEngine();
    const qkv = engine.zeros([1, 4, 3 * 2 * 8]);
    expect(() => attentionTokenMajor(engine, qkv, 5)).toThrow(ShapeError);
    expect(() => attentionTokenMajor(engine, qkv, 5)).toThrow(/attentionTokenMajor: qkv \[1, 4, 48\]/);
    expect(() => attentionTokenMajor(engine, engine.zeros([4, 48]), 2)).toThrow(/qkv must have rank 3, got \[4, 48\]/);
    expect(() => attentionTokenMajor(engine, engine.zeros([1, 2, 3 * 136]), 1)).toThrow(/headDim 136 exceeds/);
    expect(() => attentionChannelFirst(engine, engine.zeros([1, 3 * 10, 4]), 4)).toThrow(/attentionChannelFirst: qkv \[1, 30, 4\]/);
    const t = engine.zeros([2, 3, 4, 8]);
    const view = { tensor: t, strides: [96, 32, 8, 1] as const };
    const args = { batch: 2, heads: 3, seqQ: 4, headDim: 8, q: view, k: view, v: view, out: { tensor: engine.zeros([2, 3, 4, 8]), strides: [96, 32, 8, 1] as const } };
    expect(() => attention(engine, { ...args, seqK: 5 })).toThrow(/attention: k view .* reaches element 199, outside its tensor \[2, 3, 4, 8\]/);
    expect(() => attention(engine, { ...args, k: { ...view, offset: 1 } })).toThrow(ShapeError);
    expect(() => attention(engine, { ...args, seqQ: 0 })).toThrow(/seqQ must be a positive integer/);
    expect(() => attention(engine, { ...args, v: { tensor: engine.zeros([2, 3, 4, 8], 'f16'), strides: view.strides } })).toThrow(/mixes f32 and f16/);
    // The output may not share a buffer with an input.
    expect(() => attention(engine, { ...args, out: view })).toThrow(BindingError);
  });
});
