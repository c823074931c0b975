/**
 * Getting texels into and out of GPUTextures: the engine's storage buffers hold packed 8-bit
 * texels (ops/image.ts), a copyBufferToTexture moves them into an app's texture in queue order
 * (so the app's next submit sees them), and a copyTextureToBuffer reads a texture back.
 */
import type { Engine } from './engine.js';
import { EngineError, GpuValidationError, LimitExceededError } from './errors.js';
import { BYTES_PER_ROW_ALIGNMENT, type RgbaTexels } from './ops/image.js';

/** A texture that cannot receive or give back the texels (names the property and what is needed). */
export class TextureError extends EngineError {
  override name = 'TextureError';
}

/** 8-bit, 4-channel formats the texels can be copied into as they are. */
export const IMAGE_TEXTURE_FORMATS = ['rgba8unorm', 'rgba8unorm-srgb', 'bgra8unorm', 'bgra8unorm-srgb'] as const;
export type ImageTextureFormat = (typeof IMAGE_TEXTURE_FORMATS)[number];

/** Texel byte order for a format: bgra formats swap red and blue. */
export function texelOrder(format: GPUTextureFormat): 'rgba' | 'bgra' {
  return format.startsWith('bgra') ? 'bgra' : 'rgba';
}

/** A texture for `width` × `height` texels (TEXTURE_BINDING | COPY_DST | COPY_SRC, plus `usage`). */
export function createImageTexture(engine: Engine, width: number, height: number, format: ImageTextureFormat = 'rgba8unorm', usage = 0, label = 'ba-webgpu image'): GPUTexture {
  if (!(IMAGE_TEXTURE_FORMATS as readonly string[]).includes(format)) throw new TextureError(`format '${format}' is not one of ${IMAGE_TEXTURE_FORMATS.join(', ')}`);
  const max = engine.limits.maxTextureDimension2D;
  if (width > max || height > max) throw new LimitExceededError('maxTextureDimension2D', Math.max(width, height), max, `a ${width}x${height} image texture`);
  return engine.device.createTexture({
    label,
    size: [width, height],
    format,
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | usage,
  });
}

/** Throws a TextureError unless `texture` can take a width × height copy at `origin`. */
export function checkImageTarget(texture: GPUTexture, width: number, height: number, origin: readonly [number, number] = [0, 0]): void {
  if (!(IMAGE_TEXTURE_FORMATS as readonly string[]).includes(texture.format)) {
    throw new TextureError(`texture format '${texture.format}' cannot take 8-bit RGBA texels: use one of ${IMAGE_TEXTURE_FORMATS.join(', ')}`);
  }
  if (!(texture.usage & GPUTextureUsage.COPY_DST)) {
    throw new TextureError(`texture usage lacks COPY_DST (usage is ${texture.usage}): create it with GPUTextureUsage.COPY_DST (for a canvas: configure({ usage: RENDER_ATTACHMENT | COPY_DST }))`);
  }
  if (texture.dimension !== '2d') throw new TextureError(`texture dimension is '${texture.dimension}', expected '2d'`);
  if (texture.sampleCount !== 1) throw new TextureError(`texture is multisampled (sampleCount ${texture.sampleCount}); copies need sampleCount 1`);
  const [x, y] = origin;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0) throw new TextureError(`origin must be non-negative integers, got [${origin}]`);
  if (x + width > texture.width || y + height > texture.height) {
    throw new TextureError(`texture is ${texture.width}x${texture.height} but the image needs ${width}x${height} at origin [${x}, ${y}] (${x + width}x${y + height})`);
  }
}

/**
 * Copies packed texels into `texture` at `origin` (layer 0, mip 0). Submits the engine's pending
 * work first, then the copy: work the app submits afterwards sees the image.
 */
export async function copyTexelsToTexture(engine: Engine, rgba: RgbaTexels, texture: GPUTexture, origin: readonly [number, number] = [0, 0]): Promise<void> {
  checkImageTarget(texture, rgba.width, rgba.height, origin);
  rgba.texels.assertAlive();
  await engine.submit();
  const device = engine.device;
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: 'texels to texture' });
  encoder.copyBufferToTexture(
    { buffer: rgba.texels.buffer, offset: rgba.texels.byteOffset, bytesPerRow: rgba.bytesPerRow, rowsPerImage: rgba.height },
    { texture, origin: { x: origin[0], y: origin[1] } },
    { width: rgba.width, height: rgba.height },
  );
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new GpuValidationError(`copying the image into the texture failed: ${error.message}`);
}

/**
 * Reads a region of an 8-bit, 4-channel texture back: tightly packed rows of 4 bytes per texel,
 * in the texture's own byte order (RGBA or BGRA). The texture needs COPY_SRC usage.
 */
export async function readTexturePixels(engine: Engine, texture: GPUTexture, region?: { x?: number; y?: number; width?: number; height?: number }): Promise<Uint8Array> {
  if (!(IMAGE_TEXTURE_FORMATS as readonly string[]).includes(texture.format)) throw new TextureError(`cannot read texture format '${texture.format}' (reads ${IMAGE_TEXTURE_FORMATS.join(', ')})`);
  if (!(texture.usage & GPUTextureUsage.COPY_SRC)) throw new TextureError(`texture usage lacks COPY_SRC (usage is ${texture.usage}): it cannot be read back`);
  const x = region?.x ?? 0;
  const y = region?.y ?? 0;
  const width = region?.width ?? texture.width - x;
  const height = region?.height ?? texture.height - y;
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > texture.width || y + height > texture.height) {
    throw new TextureError(`region ${width}x${height} at [${x}, ${y}] is outside the ${texture.width}x${texture.height} texture`);
  }
  await engine.submit();
  const device = engine.device;
  const bytesPerRow = Math.ceil((width * 4) / BYTES_PER_ROW_ALIGNMENT) * BYTES_PER_ROW_ALIGNMENT;
  const staging = device.createBuffer({ label: 'texture readback', size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder({ label: 'texture readback' });
    encoder.copyTextureToBuffer({ texture, origin: { x, y } }, { buffer: staging, bytesPerRow, rowsPerImage: height }, { width, height });
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new GpuValidationError(`reading the texture back failed: ${error.message}`);
    await staging.mapAsync(GPUMapMode.READ);
    const padded = new Uint8Array(staging.getMappedRange());
    const pixels = new Uint8Array(width * height * 4);
    for (let row = 0; row < height; row++) pixels.set(padded.subarray(row * bytesPerRow, row * bytesPerRow + width * 4), row * width * 4);
    staging.unmap();
    return pixels;
  } finally {
    staging.destroy();
  }
}
