/**
 * The pixel "latent" of small image models (the shipped Fashion-MNIST model): a reversible
 * rearrangement instead of a learned VAE. An image with `imageChannels` channels in [−1, 1] is
 * padded by `pad` pixels of −1 (background) on each side, then pixel-unshuffled by `factor`
 * into imageChannels·factor² channels at 1/factor resolution (PyTorch's F.pixel_unshuffle
 * order: channel = c·factor² + rowParity·factor + colParity). Decoding shuffles back and crops.
 * tools/reference/fashion.py does the same in PyTorch.
 */
export interface PixelLatentCodec {
  kind: 'pixel-unshuffle';
  factor: number;
  pad: number;
  imageChannels: number;
}

/** Fashion-MNIST 28×28 → 32×32 → [4, 16, 16]. */
export const FASHION_CODEC: PixelLatentCodec = { kind: 'pixel-unshuffle', factor: 2, pad: 2, imageChannels: 1 };

export function latentShape(codec: PixelLatentCodec, imageHeight: number, imageWidth: number): [number, number, number] {
  const { factor, pad, imageChannels } = codec;
  const h = imageHeight + 2 * pad, w = imageWidth + 2 * pad;
  if (h % factor || w % factor) throw new Error(`pixel latent: padded image ${h}×${w} is not divisible by ${factor}`);
  return [imageChannels * factor * factor, h / factor, w / factor];
}

export function imageShape(codec: PixelLatentCodec, latentChannels: number, latentHeight: number, latentWidth: number): [number, number, number] {
  const { factor, pad, imageChannels } = codec;
  if (latentChannels !== imageChannels * factor * factor) {
    throw new Error(`pixel latent: ${latentChannels} latent channels, expected ${imageChannels}·${factor}² = ${imageChannels * factor * factor}`);
  }
  const h = latentHeight * factor - 2 * pad, w = latentWidth * factor - 2 * pad;
  if (h <= 0 || w <= 0) throw new Error(`pixel latent: ${latentHeight}×${latentWidth} latent is smaller than its padding`);
  return [imageChannels, h, w];
}

/** Images [N, imageChannels, H, W] in [−1, 1] → latents [N, C, h, w]. */
export function encodePixels(codec: PixelLatentCodec, images: Float32Array, count: number, height: number, width: number): Float32Array {
  const { factor: f, pad, imageChannels: ic } = codec;
  const [C, h, w] = latentShape(codec, height, width);
  if (images.length !== count * ic * height * width) throw new Error(`pixel latent: ${images.length} values for ${count} images of ${ic}×${height}×${width}`);
  const out = new Float32Array(count * C * h * w).fill(-1);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < ic; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const py = y + pad, px = x + pad;
          const lc = c * f * f + (py % f) * f + (px % f);
          out[((n * C + lc) * h + Math.floor(py / f)) * w + Math.floor(px / f)] = images[((n * ic + c) * height + y) * width + x];
        }
      }
    }
  }
  return out;
}

/** Latents [N, C, h, w] → images [N, imageChannels, H, W] (the padding cropped off). */
export function decodePixels(codec: PixelLatentCodec, latents: Float32Array, count: number, latentHeight: number, latentWidth: number): Float32Array {
  const { factor: f, pad, imageChannels: ic } = codec;
  const C = ic * f * f;
  const [, H, W] = imageShape(codec, C, latentHeight, latentWidth);
  if (latents.length !== count * C * latentHeight * latentWidth) throw new Error(`pixel latent: ${latents.length} values for ${count} latents of ${C}×${latentHeight}×${latentWidth}`);
  const out = new Float32Array(count * ic * H * W);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < ic; c++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const py = y + pad, px = x + pad;
          const lc = c * f * f + (py % f) * f + (px % f);
          out[((n * ic + c) * H + y) * W + x] = latents[((n * C + lc) * latentHeight + Math.floor(py / f)) * latentWidth + Math.floor(px / f)];
        }
      }
    }
  }
  return out;
}
