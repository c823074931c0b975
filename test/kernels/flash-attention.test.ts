import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { BindingError, FeatureMissingError, ShapeError } from '../../src/gpu/errors.js';
import { attentionTokenMajor, type AttentionArgs } from '../../src/gpu/ops/attention.js';
import { flashAttention, flashAttentionSubgroupsUsable, flashAttentionSupports } from '../../src/gpu/ops/flash-attention.js';
import type { Kernel, OverrideConstants, StorageDType, Variant } from '../../src/gpu/pipelines.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { checkCrossAttention } from '../helpers/attention-cases.js';
import { expectClose, roundToF16, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { attentionRef, gather4 } from '../reference/attention.js';

// f32: scores and the online softmax are accumulated in f32 (relative error ~1e-6 per term).
const F32: Tolerance = { atol: 2e-5, rtol: 1e-4 };
// f16 storage: inputs are rounded in the reference; the output's own f16 rounding (~5e-4 relative) dominates.
const F16: Tolerance = { atol: 2e-3, rtol: 1e-2 };

/** Records the names of the kernels the engine's pipeline cache is asked for. */
function recordKernels(engine: Engine, seen: Set<string>): void {
  const cache = engine.pipelines;
  const original = cache.variant.bind(cache);
  cache.variant = (kernel: Kernel, dtype: StorageDType, constants?: OverrideConstants): Variant => {
    seen.add(kernel.name);
    return original(kernel, dtype, constants);
  };
}

type Family = 'fallback' | 'subgroups';

/** One engine on the GPU kernel profile; the kernels it compiled. */
let engine: Engine;
const seen = new Set<string>();
beforeAll(async () => {
  engine = await Engine.create({ kernels: 'gpu' });
  recordKernels(engine, seen);
});

/** Runs flashAttention with the family forced; skips when the adapter cannot run it. */
function run(family: Family, args: AttentionArgs): Tensor {
  return flashAttention(engine, args, { subgroups: family === 'subgroups' });
}

function needs(ctx: { skip: (reason: string) => void }, family: Family, dtype: StorageDType): boolean {
  if (family === 'subgroups' && !engine.has('subgroups')) return ctx.skip('adapter lacks subgroups'), false;
  if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16'), false;
  return true;
}

/** SiT's token-major qkv [B, T, 3·H·Dh] → [B, T, H·Dh], against the f64 reference. */
async function checkTokenMajor(family: Family, dtype: StorageDType, seed: number, batch: number, seq: number, heads: number, headDim: number, tol: Tolerance, magnitude = 1) {
  const rng = new Rng(seed);
  const width = heads * headDim;
  const qkvData = rng.normals(batch * seq * 3 * width, magnitude);
  const input = dtype === 'f16' ? roundToF16(qkvData) : qkvData;
  const qkv = engine.upload(qkvData, [batch, seq, 3 * width], dtype);
  const out = engine.empty([batch, seq, width], dtype);
  const strides = [seq * 3 * width, headDim, 3 * width, 1] as const;
  run(family, {
    batch, heads, seqQ: seq, headDim,
    q: { tensor: qkv, strides },
    k: { tensor: qkv, offset: width, strides },
    v: { tensor: qkv, offset: 2 * width, strides },
    out: { tensor: out, strides: [seq * width, headDim, width, 1] },
  });
  const dims = [batch, heads, seq, headDim];
  const o = attentionRef(gather4(input, 0, strides, dims), gather4(input, width, strides, dims), gather4(input, 2 * width, strides, dims), batch * heads, seq, seq, headDim, headDim ** -0.5);
  const ref = gather4(o, 0, [heads * seq * headDim, headDim, seq * headDim, 1], [batch, seq, heads, headDim]);
  expectClose(await out.read(), ref, tol, `${family} token-major ${dtype} B=${batch} T=${seq} H=${heads} Dh=${headDim}`);
  qkv.dispose();
  out.dispose();
}

/** The SideNet's channel-first qkv [B, 3C, HW] → [B, C, HW]. */
async function checkChannelFirst(family: Family, dtype: StorageDType, seed: number, batch: number, channels: number, hw: number, heads: number, tol: Tolerance) {
  const rng = new Rng(seed);
  const headDim = channels / heads;
  const qkvData = rng.normals(batch * 3 * channels * hw);
  const input = dtype === 'f16' ? roundToF16(qkvData) : qkvData;
  const qkv = engine.upload(qkvData, [batch, 3 * channels, hw], dtype);
  const out = engine.empty([batch, channels, hw], dtype);
  const strides = [3 * channels * hw, headDim * hw, 1, hw] as const;
  run(family, {
    batch, heads, seqQ: hw, headDim,
    q: { tensor: qkv, strides },
    k: { tensor: qkv, offset: channels * hw, strides },
    v: { tensor: qkv, offset: 2 * channels * hw, strides },
    out: { tensor: out, strides: [channels * hw, headDim * hw, 1, hw] },
  });
  const dims = [batch, heads, hw, headDim];
  const at = (which: number) => gather4(input, which * channels * hw, strides, dims);
  const o = attentionRef(at(0), at(1), at(2), batch * heads, hw, hw, headDim, headDim ** -0.5);
  const ref = gather4(o, 0, [heads * hw * headDim, hw * headDim, 1, headDim], [batch, heads, headDim, hw]);
  expectClose(await out.read(), ref, tol, `${family} channel-first ${dtype} B=${batch} C=${channels} HW=${hw} heads=${heads}`);
  qkv.dispose();
  out.dispose();
}

/** Cross attention (separate q, k, v, seqQ ≠ seqK, strided, output at an offset) with the family forced. */
const checkCross = (family: Family, seed: number, batch: number, heads: number, seqQ: number, seqK: number, headDim: number) =>
  checkCrossAttention(engine, (args) => run(family, args), F32, `${family} cross`, seed, batch, heads, seqQ, seqK, headDim);

for (const family of ['fallback', 'subgroups'] as const) {
  describe(`flashAttention (${family})`, () => {
    // [batch, seq, heads, headDim]: every exact head dim (32, 64, 72, 128) and bucketed ones (40 → 48,
    // 100 → 128, 8 → 16), sequence lengths off the query blocks (16 / 32) and key tiles (16 / 12).
    const cases: [number, number, number, number][] = [
      [1, 1, 1, 32],
      [2, 7, 3, 64],
      [1, 65, 2, 72],
      [2, 100, 1, 128],
      [1, 37, 3, 40],
      [2, 19, 2, 100],
      [1, 13, 2, 8],
    ];
    cases.forEach(([batch, seq, heads, headDim], n) => {
      it(`token-major B=${batch} T=${seq} H=${heads} Dh=${headDim} matches softmax(QKᵀ)V (f32)`, async (ctx) => {
        if (needs(ctx, family, 'f32')) await checkTokenMajor(family, 'f32', 100 + n, batch, seq, heads, headDim, F32);
      });
    });

    it('SiT-XL shape (T=256, H=16, Dh=72) matches the reference (f32)', async (ctx) => {
      if (!needs(ctx, family, 'f32')) return;
      seen.clear();
      await checkTokenMajor(family, 'f32', 150, 1, 256, 16, 72, F32);
      // The family asked for is the one that ran.
      expect([...seen].filter((name) => /^flash_attention_(sg|wg)_/.test(name))).toEqual([family === 'subgroups' ? 'flash_attention_sg_d72' : 'flash_attention_wg_d72']);
    });

    it('stays stable for large-magnitude logits (|score| ~ 1e3)', async (ctx) => {
      // q, k ~ N(0, 30²): scores ≈ ±1e3, softmax nearly one-hot; exp without max-subtraction
      // overflows (NaN). f32 rounding alone moves a score by ~1e-7·Σ|q_d k_d|·scale ≈ 5e-4, and
      // a near-tie between two keys turns that into ~p(1-p)·|Δv|·5e-4 ≈ 1e-3 in the output, so
      // the bound is 3e-3 (the order of the partial sums differs from the reference's).
      if (needs(ctx, family, 'f32')) await checkTokenMajor(family, 'f32', 160, 2, 45, 2, 64, { atol: 3e-3, rtol: 1e-3 }, 30);
    });

    it('channel-first views (C=64 / 2 heads, 99 positions; C=216 / 3 heads = Dh 72)', async (ctx) => {
      if (!needs(ctx, family, 'f32')) return;
      await checkChannelFirst(family, 'f32', 170, 2, 64, 99, 2, F32);
      await checkChannelFirst(family, 'f32', 171, 1, 216, 40, 3, F32);
    });

    it('separate q/k/v views, seqQ ≠ seqK, custom scale, output at an offset', async (ctx) => {
      if (!needs(ctx, family, 'f32')) return;
      await checkCross(family, 180, 2, 3, 11, 29, 20);
      await checkCross(family, 181, 1, 2, 100, 7, 72);
      await checkCross(family, 182, 2, 1, 5, 1, 64);
      await checkCross(family, 183, 1, 1, 1, 256, 128);
    });

    it('f16 storage matches the reference on f16-rounded inputs', async (ctx) => {
      if (!needs(ctx, family, 'f16')) return;
      await checkTokenMajor(family, 'f16', 190, 2, 41, 2, 72, F16);
      await checkTokenMajor(family, 'f16', 191, 1, 19, 1, 128, F16);
      await checkTokenMajor(family, 'f16', 192, 1, 66, 3, 64, F16);
      await checkChannelFirst(family, 'f16', 193, 1, 96, 30, 3, F16);
    });

    it("writes each query's base-2 log-sum-exp of the scaled scores at [row, 0]", async (ctx) => {
      if (!needs(ctx, family, 'f32')) return;
      const rng = new Rng(195);
      const [batch, heads, seq, headDim] = [2, 2, 75, 72];
      const width = heads * headDim;
      const qkv = rng.normals(batch * seq * 3 * width);
      const t = engine.upload(qkv, [batch, seq, 3 * width]);
      const stats = engine.upload(new Float32Array(batch * heads * seq * 2).fill(7), [batch * heads * seq, 2]);
      const strides = [seq * 3 * width, headDim, 3 * width, 1] as const;
      run(family, {
        batch, heads, seqQ: seq, headDim, scale: 0.3, stats,
        q: { tensor: t, strides },
        k: { tensor: t, offset: width, strides },
        v: { tensor: t, offset: 2 * width, strides },
        out: { tensor: engine.empty([batch, seq, width]), strides: [seq * width, headDim, width, 1] },
      });
      const dims = [batch, heads, seq, headDim];
      const q = gather4(qkv, 0, strides, dims);
      const k = gather4(qkv, width, strides, dims);
      const expected = new Float64Array(batch * heads * seq * 2).fill(7);
      for (let bh = 0; bh < batch * heads; bh++) {
        for (let i = 0; i < seq; i++) {
          const scores = Array.from({ length: seq }, (_, j) => {
            let dot = 0;
            for (let d = 0; d < headDim; d++) dot += q[(bh * seq + i) * headDim + d] * k[(bh * seq + j) * headDim + d];
            return 0.3 * dot;
          });
          const max = Math.max(...scores);
          expected[(bh * seq + i) * 2] = (max + Math.log(scores.reduce((s, x) => s + Math.exp(x - max), 0))) * Math.LOG2E;
        }
      }
      // Column 1 is left alone (the backward's Δ goes there).
      expectClose(await stats.read(), expected, F32, `${family} lse`);
    });
  });
}

describe('flashAttention family choice', () => {
  it('picks the subgroup family by default where the device has subgroups, and the result is right either way', async () => {
    const plain = await testEngine();
    const usable = flashAttentionSubgroupsUsable(plain);
    expect(usable).toBe(plain.has('subgroups'));
    if (!usable) expect(() => flashAttention(plain, tinyArgs(plain), { subgroups: true })).toThrow(FeatureMissingError);
    const rng = new Rng(205);
    const [heads, seq, headDim] = [3, 21, 64];
    const n = heads * seq * headDim;
    const x = rng.normals(3 * n);
    const t = plain.upload(x, [3 * n]);
    const strides = [0, seq * headDim, headDim, 1] as const;
    const out = plain.empty([n]);
    flashAttention(plain, { batch: 1, heads, seqQ: seq, headDim, q: { tensor: t, strides }, k: { tensor: t, offset: n, strides }, v: { tensor: t, offset: 2 * n, strides }, out: { tensor: out, strides } });
    expectClose(await out.read(), attentionRef(x.subarray(0, n), x.subarray(n, 2 * n), x.subarray(2 * n), heads, seq, seq, headDim, headDim ** -0.5), F32, `default family (subgroups: ${usable})`);
  });

  it('a device without subgroups refuses the subgroup family and runs the fallback', async () => {
    const bare = await Engine.create({ kernels: 'gpu', disableFeatures: ['subgroups'] });
    try {
      expect(flashAttentionSubgroupsUsable(bare)).toBe(false);
      expect(() => flashAttention(bare, tinyArgs(bare), { subgroups: true })).toThrow(FeatureMissingError);
      const rng = new Rng(210);
      const [heads, seq, headDim] = [2, 9, 32];
      const x = rng.normals(heads * seq * headDim * 3);
      const view = (n: number) => ({ tensor: bare.upload(x.subarray(n * heads * seq * headDim, (n + 1) * heads * seq * headDim), [heads * seq * headDim]), strides: [0, seq * headDim, headDim, 1] as const });
      const out = bare.empty([heads * seq * headDim]);
      flashAttention(bare, { batch: 1, heads, seqQ: seq, headDim, q: view(0), k: view(1), v: view(2), out: { tensor: out, strides: [0, seq * headDim, headDim, 1] } });
      const part = (n: number) => x.subarray(n * heads * seq * headDim, (n + 1) * heads * seq * headDim);
      expectClose(await out.read(), attentionRef(part(0), part(1), part(2), heads, seq, seq, headDim, headDim ** -0.5), F32, 'no-subgroups device');
    } finally {
      bare.dispose();
    }
  });
});

function tinyArgs(e: Engine): AttentionArgs {
  const view = { tensor: e.zeros([1, 1, 4, 8]), strides: [32, 32, 8, 1] as const };
  return { batch: 1, heads: 1, seqQ: 4, headDim: 8, q: view, k: view, v: view, out: { tensor: e.zeros([1, 1, 4, 8]), strides: [32, 32, 8, 1] } };
}

describe('routing', () => {
  it("the GPU family's attention() and attentionTokenMajor run flash attention; lavapipe's keep attention.wgsl", async () => {
    const rng = new Rng(220);
    const [batch, seq, heads, headDim] = [1, 13, 2, 64];
    const x = rng.normals(batch * seq * 3 * heads * headDim);
    const width = heads * headDim;
    const dims = [batch, heads, seq, headDim];
    const strides = [seq * 3 * width, headDim, 3 * width, 1];
    const ref = gather4(attentionRef(gather4(x, 0, strides, dims), gather4(x, width, strides, dims), gather4(x, 2 * width, strides, dims), batch * heads, seq, seq, headDim, headDim ** -0.5),
      0, [heads * seq * headDim, headDim, seq * headDim, 1], [batch, seq, heads, headDim]);
    const cpu = await Engine.create({ kernels: 'cpu' });
    const cpuSeen = new Set<string>();
    recordKernels(cpu, cpuSeen);
    try {
      for (const [e, names, expected] of [[engine, seen, /^flash_attention_(sg|wg)_d64$/], [cpu, cpuSeen, /^attention_d64_r4$/]] as const) {
        names.clear();
        const out = attentionTokenMajor(e, e.upload(x, [batch, seq, 3 * width]), heads);
        expectClose(await out.read(), ref, F32, `token-major on the ${e.kernelProfile} family`);
        expect(names.size).toBe(1);
        expect([...names][0]).toMatch(expected);
      }
    } finally {
      cpu.dispose();
    }
  });
});

describe('flashAttention argument checks', () => {
  it('reports the head dims it supports', () => {
    for (const d of [1, 8, 32, 40, 64, 72, 100, 128]) expect(flashAttentionSupports(d)).toBe(true);
    for (const d of [0, 129, 136, 256, 7.5]) expect(flashAttentionSupports(d)).toBe(false);
  });

  it('rejects bad shapes, naming the op and the shapes', async () => {
    const e = await testEngine();
    const t = e.zeros([2, 3, 4, 8]);
    const view = { tensor: t, strides: [96, 32, 8, 1] as const };
    const args: AttentionArgs = { batch: 2, heads: 3, seqQ: 4, headDim: 8, q: view, k: view, v: view, out: { tensor: e.zeros([2, 3, 4, 8]), strides: [96, 32, 8, 1] } };
    expect(() => flashAttention(e, { ...args, seqK: 5 })).toThrow(/flashAttention: k view .* reaches element 199, outside its tensor \[2, 3, 4, 8\]/);
    expect(() => flashAttention(e, { ...args, k: { ...view, offset: 1 } })).toThrow(ShapeError);
    expect(() => flashAttention(e, { ...args, q: { ...view, strides: [96, 32, 8, -1] } })).toThrow(ShapeError);
    expect(() => flashAttention(e, { ...args, seqQ: 0 })).toThrow(/seqQ must be a positive integer/);
    expect(() => flashAttention(e, { ...args, heads: 1.5 })).toThrow(/heads must be a positive integer/);
    const wide = e.zeros([1, 1, 2, 136]);
    const wideView = { tensor: wide, strides: [272, 272, 136, 1] as const };
    expect(() => flashAttention(e, { batch: 1, heads: 1, seqQ: 2, headDim: 136, q: wideView, k: wideView, v: wideView, out: { tensor: e.zeros([1, 1, 2, 136]), strides: wideView.strides } })).toThrow(/headDim 136 exceeds the largest supported \(128\)/);
    expect(() => flashAttention(e, { ...args, stats: e.zeros([10]) })).toThrow(/stats must be f32 \[24, 2\]/);
    if (e.has('shader-f16')) expect(() => flashAttention(e, { ...args, v: { tensor: e.zeros([2, 3, 4, 8], 'f16'), strides: view.strides } })).toThrow(/mixes f32 and f16/);
    // The output may not share a buffer with an input.
    expect(() => flashAttention(e, { ...args, out: view })).toThrow(BindingError);
  });
});
