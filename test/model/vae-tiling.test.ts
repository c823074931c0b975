import { describe, expect, it } from 'vitest';
import type { Engine, KernelCall } from '../../src/gpu/engine.js';
import { LimitExceededError, ShapeError } from '../../src/gpu/errors.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { VaeDecoder, type VaeDecodeOptions } from '../../src/model/vae.js';
import type { VaeArch } from '../../src/model/weights.js';
import { parseSafetensors, serializeSafetensors } from '../../src/train/safetensors.js';
import { tinyVaeFile } from '../api/tiny-models.js';
import { expectClose, type Tolerance } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';

/**
 * Three resolution levels (×4 upscaling) with channel counts that change at each: level 0
 * holds 16 channels at h×w, level 1 16 at 2h×2w, level 2 12 at 4h×4w (bytes per row 448, 896
 * and 1,344 for w = 7).
 */
const ARCH: VaeArch = { blockOutChannels: [8, 12, 16], layersPerBlock: 1, groups: 4, latentChannels: 4, outChannels: 3, scalingFactor: 0.18215 };
/**
 * Banded against whole-image decodes, relative to the images' largest magnitude. Convs sum in
 * the same order either way; only GroupNorm's statistics are merged from bands instead of
 * summed at once, an f32 rounding difference (measured: at most 3.3e-7 of the scale).
 */
const BANDED_TOL: Tolerance = { atol: 0, rtol: 0, scaleTol: 2e-6 };

/**
 * Runs `task`, returning the tensor it makes and the largest storage binding its dispatches
 * took of a tensor it made on the way: weights and inputs are the caller's, and the decoded
 * images are exempt from the budget.
 */
function largestBinding(engine: Engine, task: () => Tensor): { result: Tensor; bytes: number } {
  const [dispatch, empty] = [engine.dispatch.bind(engine), engine.empty.bind(engine)];
  const made = new Set<GPUBuffer>();
  const bound: Tensor[] = [];
  engine.empty = (...args: Parameters<Engine['empty']>) => {
    const t = empty(...args);
    made.add(t.buffer);
    return t;
  };
  engine.dispatch = (call: KernelCall) => {
    bound.push(...Object.values(call.bindings));
    return dispatch(call);
  };
  try {
    const result = task();
    return { result, bytes: Math.max(...bound.filter((t) => made.has(t.buffer) && t.buffer !== result.buffer).map((t) => t.byteLength)) };
  } finally {
    [engine.dispatch, engine.empty] = [dispatch, empty];
  }
}

async function decodeWith(engine: Engine, decoder: VaeDecoder, latents: Tensor, options: VaeDecodeOptions = {}) {
  const { result, bytes } = largestBinding(engine, () => decoder.decode(latents, options));
  const images = await result.readFloat32();
  result.dispose();
  return { images, bytes };
}

describe('VaeDecoder within a binding budget (batches in chunks, large images in row bands)', () => {
  it('decodes ragged latents under budgets below its largest activation to the whole-image images', async () => {
    const engine = await testEngine();
    const decoder = await VaeDecoder.load(engine, tinyVaeFile(31, ARCH));
    // 9×7 latents: 36×28 images, so bands of 5 or 6 rows leave a shorter last band at level 1 or 2.
    const shape = [2, 4, 9, 7];
    const latents = engine.upload(new Rng(32).normals(2 * 4 * 9 * 7), shape);
    const liveBefore = engine.poolStats().liveBytes;
    const whole = await decodeWith(engine, decoder, latents);
    // Both images' 12-channel 36×28 activations: 2 × 48,384 bytes.
    expect(whole.bytes).toBe(96768);
    // 60,000: one image at a time, no bands. Below, level 2's 36 rows in bands of 18, 6, 5 (seven
    // and a 1-row band), 3 and 1 rows, and from 12,000 level 1's 18 rows too: 9, 9, 5 (three and
    // a 3-row band) and 2. The attention's query blocks shrink with the budget (252-byte score rows).
    for (const budget of [60000, 30000, 12000, 10000, 7000, 4100]) {
      const banded = await decodeWith(engine, decoder, latents, { maxBindingBytes: budget });
      expect(banded.bytes).toBeLessThanOrEqual(budget);
      expectClose(banded.images, whole.images, BANDED_TOL, `budget ${budget}`);
    }
    // Every band and gathered halo was released.
    expect(engine.poolStats().liveBytes).toBe(liveBefore);
    latents.dispose();
    decoder.dispose();
  });

  it('decodes a batch in chunks of images and a lone image of odd size in bands (f16 storage too)', async (ctx) => {
    const engine = await testEngine();
    const rng = new Rng(33);
    for (const dtype of ['f32', 'f16'] as const) {
      if (dtype === 'f16' && !engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
      const decoder = await VaeDecoder.load(engine, tinyVaeFile(34, ARCH), { dtype });
      for (const shape of [[5, 4, 3, 5], [1, 4, 5, 11]]) {
        const latents = engine.upload(rng.normals(shape.reduce((a, b) => a * b)), shape, dtype);
        const whole = await decodeWith(engine, decoder, latents);
        const perImageBytes = whole.bytes / shape[0];
        // A budget of 2.5 images: chunks of 2, 2 and 1 for the batch; bands for the lone image.
        const budget = Math.floor(shape[0] > 1 ? 2.5 * perImageBytes : perImageBytes / 2.5);
        const split = await decodeWith(engine, decoder, latents, { maxBindingBytes: budget });
        expect(split.bytes).toBeLessThanOrEqual(budget);
        // f16 activations round to 1e-3 of themselves, so merged statistics move outputs by an f16 ulp (measured: 2.7e-4 of the scale).
        expectClose(split.images, whole.images, dtype === 'f32' ? BANDED_TOL : { atol: 0, rtol: 0, scaleTol: 2e-3 }, `${dtype} [${shape}] under ${budget} bytes`);
        latents.dispose();
      }
      decoder.dispose();
    }
  });

  it('names budgets it cannot meet', async () => {
    const engine = await testEngine();
    const decoder = await VaeDecoder.load(engine, tinyVaeFile(35, ARCH));
    const latents = engine.zeros([1, 4, 9, 7]);
    const wide = engine.zeros([1, 4, 2, 40]);
    const huge = engine.zeros([1, 4, 1200, 1200]);
    const liveBefore = engine.poolStats().liveBytes;
    // Level 2 needs 3 rows of 1,344 bytes; the attention needs the 4,032-byte level-0 activation whole.
    expect(() => decoder.decode(latents, { maxBindingBytes: 4031 })).toThrow(LimitExceededError);
    expect(() => decoder.decode(latents, { maxBindingBytes: 4031 })).toThrow(/mid-block attention needs one image's 16×9×7 latent-resolution activation in one binding: 4032 exceeds the device limit maxStorageBufferBindingSize = 4031/);
    expect(() => decoder.decode(wide, { maxBindingBytes: 3 * 12 * 160 * 4 - 1 })).toThrow(/a band of 1 row plus 2 halo rows of a 12×160 activation: 23040 exceeds/);
    for (const bad of [0, -1, 1.5, NaN]) expect(() => decoder.decode(latents, { maxBindingBytes: bad })).toThrow(ShapeError);
    expect(() => decoder.decode(latents, { maxBindingBytes: 0 })).toThrow(/maxBindingBytes must be a positive integer, got 0/);
    expect(() => decoder.decode(latents, { maxAttentionScoreBytes: 251 })).toThrow(/one row of mid-block attention scores \(63 keys, 252 bytes\) exceeds the 251-byte score budget/);
    // 3 × 4800 × 4800 f32 images pass a 128 MiB binding limit (lavapipe's, and WebGPU's default), budget or not.
    if (engine.limits.maxStorageBufferBindingSize < 276480000) expect(() => decoder.decode(huge)).toThrow(/VaeDecoder\.decode: the decoded images \[1, 3, 4800, 4800\] \(decode fewer at once\): 276480000 exceeds the device limit maxStorageBufferBindingSize/);
    // Every refusal came before any work.
    expect(engine.poolStats().liveBytes).toBe(liveBefore);
    for (const t of [latents, wide, huge]) t.dispose();
    decoder.dispose();
  });
});

/** The file with one tensor multiplied by `factor`. */
function scaleTensor(bytes: Uint8Array, name: string, factor: number): Uint8Array {
  const { metadata, tensors } = parseSafetensors(bytes);
  const t = tensors.get(name)!;
  t.data.forEach((v, i) => (t.data[i] = v * factor));
  return serializeSafetensors(tensors, metadata);
}

describe('VaeDecoder precision: f32 by default, f16 latents widened', () => {
  it('decodes an f16 latent through activations past the f16 range (65504) to the f32 images', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    // conv_in × 3e4: its outputs, the first GroupNorm's input and the residual stream through
    // the mid block, reach ~1e5, as SD-VAE's high-resolution activations pass 65504.
    const file = scaleTensor(tinyVaeFile(36), 'decoder.conv_in.weight', 3e4);
    const decoder = await VaeDecoder.load(engine, file);
    expect(decoder.dtype).toBe('f32');
    const shape = [2, 4, 6, 5];
    const values = new Rng(37).normals(2 * 4 * 6 * 5);
    const halfLatents = engine.upload(values, shape, 'f16');
    // The same (f16-rounded) values as an f32 latent: the reference.
    const f32Latents = engine.upload(await halfLatents.readFloat32(), shape);
    const fromHalf = decoder.decode(halfLatents);
    expect(fromHalf.dtype).toBe('f32');
    const images = await fromHalf.readFloat32();
    expect(images.every(Number.isFinite)).toBe(true);
    const reference = decoder.decode(f32Latents);
    // Widening is exact and the decode identical: equal bit for bit.
    expect(Array.from(images)).toEqual(Array.from(await reference.readFloat32()));
    // The premise: stored in f16, the same decoder overflows.
    const halfDecoder = await VaeDecoder.load(engine, file, { dtype: 'f16' });
    const overflowed = await halfDecoder.decode(halfLatents).readFloat32();
    expect(overflowed.some((v) => !Number.isFinite(v))).toBe(true);
    for (const t of [halfLatents, f32Latents, fromHalf, reference]) t.dispose();
    decoder.dispose();
    halfDecoder.dispose();
  });

  it('an f16 decoder still refuses f32 latents (it would have to narrow them)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const decoder = await VaeDecoder.load(engine, tinyVaeFile(38), { dtype: 'f16' });
    expect(() => decoder.decode(engine.zeros([1, 4, 4, 4]))).toThrow(/latents are f32 but the decoder runs in f16/);
    decoder.dispose();
  });
});
