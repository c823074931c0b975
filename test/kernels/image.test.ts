import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { LimitExceededError, ShapeError } from '../../src/gpu/errors.js';
import { imageToRgba, type RgbaTexels } from '../../src/gpu/ops/image.js';
import { copyTexelsToTexture, createImageTexture, readTexturePixels, TextureError } from '../../src/gpu/texture.js';
import { FASHION_CODEC, type PixelLatentCodec } from '../../src/model/pixel-latent.js';
import { roundToF16 } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { imagesToTexelsRef, latentsToTexelsRef, type TexelGrid } from '../reference/image.js';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The texels as tight rows (the GPU rows are padded to 256 bytes). */
async function tightBytes(rgba: RgbaTexels): Promise<Uint8Array> {
  const raw = await rgba.texels.read();
  const padded = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Uint8Array(rgba.width * rgba.height * 4);
  for (let y = 0; y < rgba.height; y++) out.set(padded.subarray(y * rgba.bytesPerRow, y * rgba.bytesPerRow + rgba.width * 4), y * rgba.width * 4);
  return out;
}

/**
 * Exact, except that a value whose 255·(v + 1)/2 sits on a .5 tie may round either way in f32:
 * such bytes (well under 0.5 % of random inputs) may differ by 1. Truncating instead of
 * rounding would miss half of all bytes; a wrong index or channel, most of them by far more.
 */
function expectTexels(actual: Uint8Array, expected: TexelGrid, what: string) {
  expect(actual.length).toBe(expected.bytes.length);
  let offByOne = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected.bytes[i]);
    if (d > 1) throw new Error(`${what}: byte ${i} (texel ${i >> 2}, component ${i & 3}) is ${actual[i]}, expected ${expected.bytes[i]}`);
    if (d === 1) offByOne++;
  }
  expect(offByOne).toBeLessThanOrEqual(Math.max(1, actual.length * 0.005));
}

/** Values beyond [−1, 1] (clamped), and the exact ends and middle. */
function imageValues(rng: Rng, n: number): Float32Array {
  const v = rng.array(n, -1.3, 1.3);
  v.set([-1, 1, 0].slice(0, n));
  return v;
}

describe('imageToRgba: images [N, 1 | 3, H, W] → texels', () => {
  // [N, C, H, W], columns, order: single texel, odd sizes, an empty grid cell, rows wider than
  // 64 texels (two 256-byte row blocks), BGRA.
  const cases: [number[], number, 'rgba' | 'bgra'][] = [
    [[1, 1, 1, 1], 1, 'rgba'],
    [[2, 3, 5, 7], 2, 'rgba'],
    [[3, 1, 28, 28], 2, 'rgba'],
    [[1, 3, 9, 70], 1, 'rgba'],
    [[5, 3, 4, 3], 3, 'bgra'],
    [[4, 1, 6, 5], 4, 'bgra'],
  ];
  for (const [shape, columns, order] of cases) {
    it(`[${shape}], ${columns} per row, ${order}: matches the reference`, async () => {
      const engine = await testEngine();
      const x = imageValues(new Rng(size(shape) + columns), size(shape));
      const rgba = imageToRgba(engine, engine.upload(x, shape), { columns, order });
      expect([rgba.width, rgba.height]).toEqual([columns * shape[3], Math.ceil(shape[0] / columns) * shape[2]]);
      expect(rgba.bytesPerRow % 256).toBe(0);
      expectTexels(await tightBytes(rgba), imagesToTexelsRef(x, shape, columns, order), `images [${shape}]`);
    });
  }

  it('puts every image in one row by default', async () => {
    const engine = await testEngine();
    const shape = [3, 3, 4, 6];
    const x = imageValues(new Rng(9), size(shape));
    const rgba = imageToRgba(engine, engine.upload(x, shape));
    expect([rgba.width, rgba.height, rgba.columns]).toEqual([18, 4, 3]);
    expectTexels(await tightBytes(rgba), imagesToTexelsRef(x, shape, 3), 'one row');
  });

  it('reads f16 images (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const shape = [2, 3, 7, 9];
    const x = imageValues(new Rng(4), size(shape));
    const rgba = imageToRgba(engine, engine.upload(x, shape, 'f16'), { columns: 1 });
    expectTexels(await tightBytes(rgba), imagesToTexelsRef(roundToF16(x), shape, 1), 'f16 images');
  });
});

describe('imageToRgba: pixel-unshuffle latents decoded in the kernel', () => {
  // codec, latent [N, C·f², h, w], columns: the Fashion codec, RGB with factor 3, no shuffle,
  // factor 4 with a 3-pixel crop, RGB without crop.
  const cases: [PixelLatentCodec, number[], number][] = [
    [FASHION_CODEC, [2, 4, 16, 16], 2],
    [{ kind: 'pixel-unshuffle', factor: 3, pad: 1, imageChannels: 3 }, [1, 27, 4, 5], 1],
    [{ kind: 'pixel-unshuffle', factor: 1, pad: 0, imageChannels: 1 }, [3, 1, 6, 6], 2],
    [{ kind: 'pixel-unshuffle', factor: 4, pad: 3, imageChannels: 1 }, [2, 16, 3, 5], 1],
    [{ kind: 'pixel-unshuffle', factor: 2, pad: 0, imageChannels: 3 }, [3, 12, 3, 3], 3],
  ];
  for (const [codec, shape, columns] of cases) {
    it(`factor ${codec.factor}, pad ${codec.pad}, ${codec.imageChannels} channel(s), latent [${shape}]: equals the CPU codec's images`, async () => {
      const engine = await testEngine();
      const z = imageValues(new Rng(size(shape) * 7 + codec.factor), size(shape));
      const rgba = imageToRgba(engine, engine.upload(z, shape), { codec, columns });
      expect([rgba.imageWidth, rgba.imageHeight]).toEqual([shape[3] * codec.factor - 2 * codec.pad, shape[2] * codec.factor - 2 * codec.pad]);
      expectTexels(await tightBytes(rgba), latentsToTexelsRef(codec, z, shape, columns), `latent [${shape}]`);
    });
  }

  it('names shapes that do not fit', async () => {
    const engine = await testEngine();
    expect(() => imageToRgba(engine, engine.zeros([1, 2, 4, 4]))).toThrow(ShapeError);
    expect(() => imageToRgba(engine, engine.zeros([1, 2, 4, 4]))).toThrow(/images must have 1 \(grayscale\) or 3 \(RGB\) channels, got \[1, 2, 4, 4\]/);
    expect(() => imageToRgba(engine, engine.zeros([4, 4, 4]))).toThrow(/source must have rank 4, got \[4, 4, 4\]/);
    expect(() => imageToRgba(engine, engine.zeros([1, 3, 8, 8]), { codec: FASHION_CODEC })).toThrow(/has 4 channels, got \[1, 3, 8, 8\]/);
    expect(() => imageToRgba(engine, engine.zeros([1, 4, 2, 2]), { codec: FASHION_CODEC })).toThrow(/smaller than the codec's 2-pixel crop/);
    expect(() => imageToRgba(engine, engine.zeros([1, 4, 8, 8]), { codec: { ...FASHION_CODEC, factor: 1.5 } })).toThrow(/integer factor >= 1/);
    expect(() => imageToRgba(engine, engine.zeros([2, 1, 4, 4]), { columns: 0 })).toThrow(/columns must be a positive integer, got 0/);
    const wide = engine.limits.maxTextureDimension2D + 1;
    expect(() => imageToRgba(engine, engine.zeros([1, 1, 1, wide]))).toThrow(LimitExceededError);
  });
});

describe('texels into textures and back', () => {
  async function roundTrip(engine: Engine, format: 'rgba8unorm' | 'bgra8unorm') {
    const shape = [3, 3, 5, 70];
    const x = imageValues(new Rng(31), size(shape));
    const rgba = imageToRgba(engine, engine.upload(x, shape), { columns: 2, order: format === 'bgra8unorm' ? 'bgra' : 'rgba' });
    const texture = createImageTexture(engine, rgba.width, rgba.height, format);
    await copyTexelsToTexture(engine, rgba, texture);
    rgba.texels.dispose();
    const pixels = await readTexturePixels(engine, texture);
    texture.destroy();
    return { pixels, expected: imagesToTexelsRef(x, shape, 2, format === 'bgra8unorm' ? 'bgra' : 'rgba') };
  }

  it('rgba8unorm: the texture holds the reference texels (rows wider than 256 bytes)', async () => {
    const { pixels, expected } = await roundTrip(await testEngine(), 'rgba8unorm');
    expectTexels(pixels, expected, 'rgba8unorm texture');
  });

  it('bgra8unorm: texels are written and read in BGRA order', async () => {
    const { pixels, expected } = await roundTrip(await testEngine(), 'bgra8unorm');
    expectTexels(pixels, expected, 'bgra8unorm texture');
  });

  it('writes at an origin inside a larger texture and reads a region back', async () => {
    const engine = await testEngine();
    const shape = [1, 1, 3, 4];
    const x = imageValues(new Rng(8), size(shape));
    const rgba = imageToRgba(engine, engine.upload(x, shape));
    const texture = createImageTexture(engine, 10, 7);
    await copyTexelsToTexture(engine, rgba, texture, [5, 2]);
    expectTexels(await readTexturePixels(engine, texture, { x: 5, y: 2, width: 4, height: 3 }), imagesToTexelsRef(x, shape, 1), 'region');
    const untouched = await readTexturePixels(engine, texture, { x: 0, y: 0, width: 5, height: 7 });
    expect(untouched.every((b) => b === 0)).toBe(true);
    texture.destroy();
  });

  it('names textures that cannot take the image', async () => {
    const engine = await testEngine();
    const rgba = imageToRgba(engine, engine.zeros([2, 1, 4, 4]));
    const make = (format: GPUTextureFormat, usage: number, w = 8, h = 4) => engine.device.createTexture({ size: [w, h], format, usage });
    const copy = GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC;
    const cases: [GPUTexture, RegExp, [number, number]?][] = [
      [make('r8unorm', copy), /texture format 'r8unorm' cannot take 8-bit RGBA texels: use one of rgba8unorm, rgba8unorm-srgb, bgra8unorm, bgra8unorm-srgb/],
      [make('rgba8unorm', GPUTextureUsage.TEXTURE_BINDING), /texture usage lacks COPY_DST/],
      [make('rgba8unorm', copy, 7, 4), /texture is 7x4 but the image needs 8x4 at origin \[0, 0\]/],
      [make('rgba8unorm', copy, 9, 4), /needs 8x4 at origin \[2, 0\] \(10x4\)/, [2, 0]],
      [make('rgba8unorm', copy, 9, 4), /origin must be non-negative integers/, [-1, 0]],
    ];
    for (const [texture, message, origin] of cases) {
      await expect(copyTexelsToTexture(engine, rgba, texture, origin)).rejects.toThrow(TextureError);
      await expect(copyTexelsToTexture(engine, rgba, texture, origin)).rejects.toThrow(message);
      texture.destroy();
    }
    const writeOnly = make('rgba8unorm', GPUTextureUsage.COPY_DST);
    await expect(readTexturePixels(engine, writeOnly)).rejects.toThrow(/texture usage lacks COPY_SRC/);
    const small = createImageTexture(engine, 4, 4);
    await expect(readTexturePixels(engine, small, { x: 2, width: 3 })).rejects.toThrow(/region 3x4 at \[2, 0\] is outside the 4x4 texture/);
    writeOnly.destroy();
    small.destroy();
    rgba.texels.dispose();
  });
});
