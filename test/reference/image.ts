/**
 * Plain-TS reference for images → 8-bit texels: value v in [−1, 1] becomes
 * round(255·(v + 1)/2) after clamping, grayscale is repeated into R, G and B, alpha is 255,
 * images are tiled `columns` per row and empty grid cells are transparent black. Pixel latents
 * go through the CPU codec (src/model/pixel-latent.ts) first.
 */
import { decodePixels, type PixelLatentCodec } from '../../src/model/pixel-latent.js';

export interface TexelGrid {
  /** Tightly packed bytes, 4 per texel, rows of `width` texels. */
  bytes: Uint8Array;
  width: number;
  height: number;
}

function toByte(v: number): number {
  const unit = Math.min(1, Math.max(0, (v + 1) / 2));
  return Math.floor(unit * 255 + 0.5);
}

/** images [N, C, H, W] (C = 1 or 3) → a grid of RGBA (or BGRA) texels. */
export function imagesToTexelsRef(images: ArrayLike<number>, shape: readonly number[], columns: number, order: 'rgba' | 'bgra' = 'rgba'): TexelGrid {
  const [count, channels, height, width] = shape;
  const rows = Math.ceil(count / columns);
  const gridWidth = columns * width;
  const bytes = new Uint8Array(gridWidth * rows * height * 4);
  for (let n = 0; n < count; n++) {
    const left = (n % columns) * width;
    const top = Math.floor(n / columns) * height;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = (c: number) => images[((n * channels + c) * height + y) * width + x];
        const rgb = channels === 1 ? [at(0), at(0), at(0)] : [at(0), at(1), at(2)];
        const [r, g, b] = rgb.map(toByte);
        const o = ((top + y) * gridWidth + left + x) * 4;
        bytes.set(order === 'rgba' ? [r, g, b, 255] : [b, g, r, 255], o);
      }
    }
  }
  return { bytes, width: gridWidth, height: rows * height };
}

/** Pixel-space latents [N, C·f², h, w] → texels, through the CPU codec. */
export function latentsToTexelsRef(codec: PixelLatentCodec, latents: ArrayLike<number>, shape: readonly number[], columns: number, order: 'rgba' | 'bgra' = 'rgba'): TexelGrid {
  const [count, , h, w] = shape;
  const images = decodePixels(codec, Float32Array.from(latents), count, h, w);
  const height = h * codec.factor - 2 * codec.pad;
  const width = w * codec.factor - 2 * codec.pad;
  return imagesToTexelsRef(images, [count, codec.imageChannels, height, width], columns, order);
}
