/**
 * f16 storage, f32 accumulation: inputs whose sums an f16 accumulator cannot hold. Past 2048,
 * f16 steps by 2, so adding 1.0 to 2048 rounds back to 2048: K = 4096 ones would sum to 2048
 * in f16 but give exactly 4096 (an f16 value) with f32 accumulation. Every matmul variant,
 * and attention's softmax sums over 4096 keys.
 */
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/gpu/ops/attention.js';
import { matmul, type MatmulVariant } from '../../src/gpu/ops/matmul.js';
import { testEngine } from '../helpers/engine.js';

const K = 4096;

describe('f16 kernels accumulate in f32', () => {
  for (const variant of ['regblock', 'regblock16', 'tiled', 'tiled-scalar', 'splitk', 'splitk-scalar', 'naive'] as MatmulVariant[]) {
    it(`matmul (${variant}): 4096 products of ones sum to 4096, not f16's 2048`, async (ctx) => {
      const engine = await testEngine();
      if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const [M, N] = [5, 7]; // not multiples of any tile
      const a = engine.upload(new Float32Array(M * K).fill(1), [M, K], 'f16');
      const b = engine.upload(new Float32Array(K * N).fill(1), [K, N], 'f16');
      const out = matmul(engine, a, b, { variant });
      expect(Array.from(await out.read())).toEqual(new Array(M * N).fill(K));
      for (const t of [a, b, out]) t.dispose();
    });
  }

  it('attention: the softmax-weighted mean of 4096 values (2048 ones, then 2048 threes) is 2, not what f16 running sums give', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const headDim = 8;
    // One query; every key scores the same, so the weights are 1/4096 each.
    const q = engine.upload(new Float32Array(headDim).fill(0.25), [headDim], 'f16');
    const k = engine.upload(new Float32Array(K * headDim).fill(0.5), [K * headDim], 'f16');
    const v = engine.upload(Float32Array.from({ length: K * headDim }, (_, i) => (Math.floor(i / headDim) < K / 2 ? 1 : 3)), [K * headDim], 'f16');
    const out = engine.zeros([headDim], 'f16');
    attention(engine, {
      batch: 1, heads: 1, seqQ: 1, seqK: K, headDim,
      q: { tensor: q, strides: [headDim, headDim, headDim, 1] },
      k: { tensor: k, strides: [K * headDim, K * headDim, headDim, 1] },
      v: { tensor: v, strides: [K * headDim, K * headDim, headDim, 1] },
      out: { tensor: out, strides: [headDim, headDim, headDim, 1] },
    });
    expect(Array.from(await out.read())).toEqual(new Array(headDim).fill(2));
    for (const t of [q, k, v, out]) t.dispose();
  });
});

describe('f16 GPU-family matmul kernels accumulate in f32', () => {
  // B as a Linear weight [N, K] (K-contiguous), so 'tiled', 'splitk' and 'gemv' take vec4<f16>
  // loads; the '-scalar' forms read the same data one element at a time. Split-K adds 16 f32
  // partials of 256 ones each and rounds once.
  for (const variant of ['tiled', 'tiled-scalar', 'splitk', 'splitk-scalar', 'gemv', 'gemv-scalar'] as MatmulVariant[]) {
    it(`matmul (${variant}, A·Bᵀ): 4096 products of ones sum to 4096, not f16's 2048`, async (ctx) => {
      const engine = await testEngine();
      if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const [M, N] = [5, 7];
      const a = engine.upload(new Float32Array(M * K).fill(1), [M, K], 'f16');
      const b = engine.upload(new Float32Array(N * K).fill(1), [N, K], 'f16');
      const out = matmul(engine, a, b, { transB: true, variant });
      expect(Array.from(await out.read())).toEqual(new Array(M * N).fill(K));
      for (const t of [a, b, out]) t.dispose();
    });
  }
});
