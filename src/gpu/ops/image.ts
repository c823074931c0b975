/**
 * Images in [−1, 1] → 8-bit RGBA texels in a buffer laid out for copyBufferToTexture (rows
 * padded to 256 bytes). The source is an image tensor [N, 1 | 3, H, W] (a VAE's output), or a
 * pixel-space latent whose pixel-shuffle decode (src/model/pixel-latent.ts) is folded into the
 * kernel's indexing, so small pixel models need no separate decode pass.
 */
import imageToRgbaSource from '../../shaders/image_to_rgba.wgsl';
import type { Engine } from '../engine.js';
import { LimitExceededError, ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectPositiveInteger, floatDType, grid, type KernelVariantSpec } from './common.js';

export const imageToRgbaKernel: Kernel = { name: 'image_to_rgba', source: imageToRgbaSource };
const WG = 256;
/** copyBufferToTexture needs bytesPerRow to be a multiple of 256. */
export const BYTES_PER_ROW_ALIGNMENT = 256;

/**
 * A pixel-unshuffle latent's decode (a PixelLatentCodec from src/model/pixel-latent.ts fits):
 * shuffle by `factor`, crop `pad` pixels from every side.
 */
export interface PixelShuffle {
  factor: number;
  pad: number;
  imageChannels: number;
}

export interface RgbaOptions {
  /** Decode a pixel-space latent on the fly; without it the source is [N, 1 | 3, H, W] images. */
  codec?: PixelShuffle;
  /** Images per row of the output grid (default: all images in one row). */
  columns?: number;
  /** Byte order of each texel: 'rgba' (default) or 'bgra' (for bgra8unorm textures). */
  order?: 'rgba' | 'bgra';
}

/** Packed texels [height, bytesPerRow / 4] (u32, one per texel) and the grid's geometry. */
export interface RgbaTexels {
  texels: Tensor;
  /** Grid size in texels: columns · imageWidth by rows · imageHeight. */
  width: number;
  height: number;
  bytesPerRow: number;
  images: number;
  columns: number;
  imageWidth: number;
  imageHeight: number;
}

/**
 * Image size [channels, height, width] that a source of shape [N, C, H, W] decodes to: the
 * images themselves, or a pixel-unshuffle latent's images (checks the codec fits).
 */
export function decodedImageShape(shape: readonly number[], codec?: PixelShuffle): [number, number, number] {
  const op = 'imageToRgba';
  if (shape.length !== 4) throw new ShapeError(`${op}: source must have rank 4, got ${shapeString(shape)}`);
  const [, channels, height, width] = shape;
  if (!codec) {
    if (channels !== 1 && channels !== 3) throw new ShapeError(`${op}: images must have 1 (grayscale) or 3 (RGB) channels, got ${shapeString(shape)}`);
    return [channels, height, width];
  }
  const { factor, pad, imageChannels } = codec;
  if (!Number.isInteger(factor) || factor < 1 || !Number.isInteger(pad) || pad < 0) {
    throw new ShapeError(`${op}: pixel shuffle needs an integer factor >= 1 and pad >= 0, got factor ${factor}, pad ${pad}`);
  }
  if (imageChannels !== 1 && imageChannels !== 3) throw new ShapeError(`${op}: the codec's images must have 1 or 3 channels, got ${imageChannels}`);
  if (channels !== imageChannels * factor * factor) {
    throw new ShapeError(`${op}: a pixel-unshuffle latent (factor ${factor}, ${imageChannels} image channels) has ${imageChannels * factor * factor} channels, got ${shapeString(shape)}`);
  }
  const h = height * factor - 2 * pad;
  const w = width * factor - 2 * pad;
  if (h <= 0 || w <= 0) throw new ShapeError(`${op}: latent ${shapeString(shape)} is smaller than the codec's ${pad}-pixel crop`);
  return [imageChannels, h, w];
}

/** Records the conversion; the caller owns (and disposes) the returned texels tensor. */
export function imageToRgba(engine: Engine, source: Tensor, options: RgbaOptions = {}): RgbaTexels {
  const op = 'imageToRgba';
  const dtype = floatDType(op, source);
  const [channels, imageHeight, imageWidth] = decodedImageShape(source.shape, options.codec);
  const images = source.shape[0];
  const columns = options.columns ?? images;
  expectPositiveInteger(op, 'columns', columns);
  if (images < 1) throw new ShapeError(`${op}: no images in ${shapeString(source.shape)}`);
  const width = columns * imageWidth;
  const height = Math.ceil(images / columns) * imageHeight;
  const maxSide = engine.limits.maxTextureDimension2D;
  if (width > maxSide || height > maxSide) {
    throw new LimitExceededError('maxTextureDimension2D', Math.max(width, height), maxSide, `${op}: a ${width}x${height} grid of ${images} images`);
  }
  const bytesPerRow = ceilDiv(width * 4, BYTES_PER_ROW_ALIGNMENT) * BYTES_PER_ROW_ALIGNMENT;
  const texels = engine.empty([height, bytesPerRow / 4], 'u32', 'rgba texels');
  engine.dispatch({
    kernel: imageToRgbaKernel,
    dtype,
    constants: { WG },
    bindings: { source, texels },
    uniforms: {
      images, channels, height: imageHeight, width: imageWidth,
      factor: options.codec?.factor ?? 1, pad: options.codec?.pad ?? 0,
      sourceHeight: source.shape[2], sourceWidth: source.shape[3],
      columns, outWidth: width, outHeight: height, rowPitch: bytesPerRow / 4,
      swapRedBlue: options.order === 'bgra' ? 1 : 0,
    },
    workgroups: grid(engine, ceilDiv(width * height, WG)),
    label: op,
  });
  return { texels, width, height, bytesPerRow, images, columns, imageWidth, imageHeight };
}

export const IMAGE_VARIANTS: KernelVariantSpec[] = bothDTypes(imageToRgbaKernel, [{ WG }]);
