/**
 * The layer apps use: a model set (a SiT, its SideNet, and what turns latents into pixels — a
 * VAE, or the pixel codec of small pixel-space models) on one Engine. generate() samples
 * latents on the GPU; decodeToTexture() puts the images into an RGBA GPUTexture the app draws
 * with its own device. No global state: everything lives on the engine it was loaded on, and
 * dispose() frees the weights and every texture the generator made.
 */
import type { Engine } from './gpu/engine.js';
import { DisposedError, EngineError } from './gpu/errors.js';
import { decodedImageShape, imageToRgba } from './gpu/ops/image.js';
import { shapeString, type Tensor } from './gpu/tensor.js';
import { checkImageTarget, copyTexelsToTexture, createImageTexture, readTexturePixels, texelOrder, type ImageTextureFormat } from './gpu/texture.js';
import { SideNetModel } from './model/sidenet.js';
import { SitModel } from './model/sit.js';
import { VaeDecoder } from './model/vae.js';
import type { WeightCacheOptions } from './model/weight-cache.js';
import type { LoadProgress, WeightSource } from './model/weights.js';
import { checkSampleOptions, MAX_SEED, perImageNoise, sample, SamplingAbortedError, type GridOptions, type GuidanceOptions, type SolverName, type StepInfo } from './solver/index.js';

/** Where each network's converted weight file comes from (path, URL, bytes, Blob/File, stream). */
export interface ModelSources {
  sit: WeightSource;
  /** Needed by the 'ba' and 'ba-single' solvers. */
  sidenet?: WeightSource;
  /** Turns the SiT's latents into images; not needed (and refused) when the SiT file carries a pixel latent_codec. */
  vae?: WeightSource;
}

export interface ModelLoadProgress extends LoadProgress {
  model: 'sit' | 'sidenet' | 'vae';
}

export interface GeneratorLoadOptions {
  /**
   * Storage dtype of weights and activations of all three networks (default: f16 where the
   * SiT file is f16 and the device has shader-f16, else f32).
   */
  dtype?: 'f32' | 'f16';
  /** Called after every tensor read, per file; files load one after another. */
  onProgress?: (progress: ModelLoadProgress) => void;
  /** Cancels the load: it rejects with an AbortError and frees what it uploaded. */
  signal?: AbortSignal;
  /** A source that sends no bytes for this long fails with a WeightFileError (default 30,000 ms). */
  stallTimeoutMs?: number;
  /**
   * Browser weight cache: files fetched from http(s) URLs are kept in the Cache API and read
   * from it on the next load while the server still has the same file (ETag, or size and
   * Last-Modified, checked with a HEAD request). On by default where the Cache API exists;
   * `{ name }` picks the cache, `{ revalidate: false }` skips the check, false turns it off.
   * Progress events say where the bytes came from (`from`).
   */
  cache?: WeightCacheOptions | false;
}

/** Per-step progress: the sampler's StepInfo (`ms` = host time spent on the step) plus time since generate() began. */
export interface GenerateStep extends StepInfo {
  elapsedMs: number;
}

export interface GenerateOptions {
  /** One class label per image (`classes` = the null class: unconditional). */
  labels: readonly number[];
  /** Default 'ba' when a SideNet is loaded, else 'euler'. */
  solver?: SolverName;
  /** Steps N of the time grid (default 8); backbone calls are N (2N − 1 for Heun). */
  nfe?: number;
  /** CFG scale, or the full guidance options; 1 (default) = no guidance. */
  guidance?: number | GuidanceOptions;
  /**
   * Image i starts from gaussianNoise((seed + i) mod 2³²): a picture does not depend on the
   * batch it is in. An integer in [0, 2³² − 1] (MAX_SEED); default 0.
   */
  seed?: number;
  grid?: GridOptions;
  onStep?: (step: GenerateStep) => void;
  /** Cancels between steps: generate() then rejects with an AbortError (SamplingAbortedError) and frees what it made. */
  signal?: AbortSignal;
}

export interface DecodeOptions {
  /** Write into this texture (rgba8unorm, bgra8unorm or their -srgb forms, with COPY_DST usage) instead of making one. */
  texture?: GPUTexture;
  /** Top-left corner in `texture` (default [0, 0]). */
  origin?: readonly [number, number];
  /** Images per row when the latent holds several (default: all in one row). */
  columns?: number;
  /** Format of a texture the generator makes (default rgba8unorm). */
  format?: ImageTextureFormat;
  /** Usage added to a made texture's TEXTURE_BINDING | COPY_DST | COPY_SRC (e.g. STORAGE_BINDING). */
  usage?: GPUTextureUsageFlags;
}

const PIXEL_SIT_WITH_VAE = 'this SiT works on pixels (its file has a latent_codec): it needs no VAE';

export class GeneratorError extends EngineError {
  override name = 'GeneratorError';
}

export class ImageGenerator {
  private readonly textures = new Set<GPUTexture>();
  /** generate/decode/read calls run one at a time: the engine records one step at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  /** Takes ownership of the models: dispose() disposes them. */
  constructor(
    readonly engine: Engine,
    readonly sit: SitModel,
    readonly sidenet?: SideNetModel,
    readonly vae?: VaeDecoder,
  ) {
    if (sidenet && (sidenet.channels !== sit.channels || sidenet.arch.classes !== sit.arch.classes)) {
      throw new GeneratorError(`the SideNet (${sidenet.channels} channels, ${sidenet.arch.classes} classes) does not fit the SiT (${sit.channels} channels, ${sit.arch.classes} classes)`);
    }
    if (sit.latentCodec && vae) throw new GeneratorError(PIXEL_SIT_WITH_VAE);
    if (vae && (vae.arch.latentChannels !== sit.channels || (vae.arch.outChannels !== 1 && vae.arch.outChannels !== 3))) {
      throw new GeneratorError(`the VAE (${vae.arch.latentChannels} latent channels, ${vae.arch.outChannels} image channels) does not fit the SiT (${sit.channels} channels); images need 1 or 3 channels`);
    }
  }

  /** Loads the converted files one after another; if one fails, the ones already loaded are freed. */
  static async load(engine: Engine, sources: ModelSources, options: GeneratorLoadOptions = {}): Promise<ImageGenerator> {
    const progress = (model: ModelLoadProgress['model']) => options.onProgress && ((p: LoadProgress) => options.onProgress!({ ...p, model }));
    const { signal, stallTimeoutMs, cache } = options;
    const sit = await SitModel.load(engine, sources.sit, { dtype: options.dtype, onProgress: progress('sit'), label: 'sit', signal, stallTimeoutMs, cache });
    let sidenet: SideNetModel | undefined;
    let vae: VaeDecoder | undefined;
    try {
      if (sources.vae && sit.latentCodec) throw new GeneratorError(PIXEL_SIT_WITH_VAE);
      // The SiT's dtype is the latents' dtype, which the other two must read.
      if (sources.sidenet) sidenet = await SideNetModel.load(engine, sources.sidenet, { dtype: sit.dtype, onProgress: progress('sidenet'), label: 'sidenet', signal, stallTimeoutMs, cache });
      if (sources.vae) vae = await VaeDecoder.load(engine, sources.vae, { dtype: sit.dtype, onProgress: progress('vae'), label: 'vae', signal, stallTimeoutMs, cache });
      return new ImageGenerator(engine, sit, sidenet, vae);
    } catch (err) {
      sit.dispose();
      sidenet?.dispose();
      vae?.dispose();
      throw err;
    }
  }

  /** Latent [C, H, W] of one image. */
  get latentShape(): [number, number, number] {
    const s = this.sit.arch.inputSize;
    return [this.sit.channels, s, s];
  }

  /** Number of classes; label `classes` is the null (unconditional) class. */
  get classes(): number {
    return this.sit.arch.classes;
  }

  /** How latents become pixels: the SiT's pixel codec, a VAE, or nothing (decodeToTexture then throws). */
  get decoder(): 'pixel-codec' | 'vae' | 'none' {
    return this.sit.latentCodec ? 'pixel-codec' : this.vae ? 'vae' : 'none';
  }

  /** Size of one decoded image. */
  get imageSize(): { width: number; height: number; channels: number } {
    const [channels, height, width] = this.decodedShape(this.latentShape[1], this.latentShape[2]);
    return { width, height, channels };
  }

  /** Samples latents [labels.length, C, H, W]; the caller owns (and disposes) the tensor. */
  async generate(options: GenerateOptions): Promise<Tensor> {
    this.assertAlive();
    const { labels } = options;
    if (!labels.length) throw new GeneratorError('generate: labels is empty (one label per image)');
    labels.forEach((y, i) => {
      if (!Number.isInteger(y) || y < 0 || y > this.classes) {
        throw new GeneratorError(`generate: labels[${i}] = ${y} is not a class of this model (0..${this.classes - 1}, or ${this.classes} for unconditional)`);
      }
    });
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new GeneratorError(`generate: seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
    const guidance = typeof options.guidance === 'number' ? { scale: options.guidance } : options.guidance;
    const nfe = options.nfe ?? 8;
    const solver = options.solver ?? (this.sidenet ? 'ba' : 'euler');
    checkSampleOptions({ solver, nfe, sidenet: this.sidenet, guidance, grid: options.grid });
    return this.exclusive(async () => {
      if (options.signal?.aborted) throw new SamplingAbortedError(0, nfe);
      const [C, H, W] = this.latentShape;
      const per = C * H * W;
      const values = perImageNoise(seed, 0, labels.length, per);
      const noise = this.engine.upload(values, [labels.length, C, H, W], this.sit.dtype, 'noise');
      const start = performance.now();
      const onStep = options.onStep;
      try {
        const { latent } = await sample(this.engine, {
          model: this.sit, sidenet: this.sidenet, solver, nfe,
          labels, noise, guidance, grid: options.grid, signal: options.signal,
          onStep: onStep && ((info) => onStep({ ...info, elapsedMs: performance.now() - start })),
        });
        return latent;
      } finally {
        noise.dispose();
      }
    });
  }

  /**
   * Decodes latents [N, C, H, W] into an RGBA texture (images tiled `columns` per row): into
   * `options.texture` when given, else a new texture that the caller may destroy() (dispose()
   * destroys it otherwise; to avoid a texture per image, pass the last one back). Resolves
   * once the copy is submitted: the app's later submits on the same device see the image. The
   * latent stays the caller's.
   */
  async decodeToTexture(latent: Tensor, options: DecodeOptions = {}): Promise<GPUTexture> {
    this.assertAlive();
    const [count, channels, h, w] = latent.shape;
    if (latent.shape.length !== 4 || channels !== this.sit.channels) {
      throw new GeneratorError(`decodeToTexture: latent must be [N, ${this.sit.channels}, H, W], got ${shapeString(latent.shape)}`);
    }
    const [, imageHeight, imageWidth] = this.decodedShape(h, w);
    const columns = options.columns ?? count;
    if (!Number.isInteger(columns) || columns < 1) throw new GeneratorError(`decodeToTexture: columns must be a positive integer, got ${columns}`);
    const width = columns * imageWidth;
    const height = Math.ceil(count / columns) * imageHeight;
    if (options.texture) checkImageTarget(options.texture, width, height, options.origin);
    // A failure inside the VAE frees its intermediates wherever it happened (engine.guard).
    return this.exclusive(() => this.engine.guard(async () => {
      const format = (options.texture?.format ?? options.format ?? 'rgba8unorm') as ImageTextureFormat;
      const image = this.vae ? this.vae.decode(latent) : latent;
      let created: GPUTexture | undefined;
      try {
        const rgba = imageToRgba(this.engine, image, { codec: this.sit.latentCodec, columns, order: texelOrder(format) });
        try {
          const texture = options.texture ?? (created = createImageTexture(this.engine, width, height, format, options.usage));
          await copyTexelsToTexture(this.engine, rgba, texture, options.origin);
          if (created) this.textures.add(created);
          return texture;
        } finally {
          rgba.texels.dispose();
        }
      } catch (err) {
        created?.destroy();
        throw err;
      } finally {
        if (image !== latent) image.dispose();
      }
    }));
  }

  /** Reads a texture back (tight rows, 4 bytes per texel in the texture's byte order); it needs COPY_SRC usage. */
  async readPixels(texture: GPUTexture): Promise<Uint8Array> {
    this.assertAlive();
    return this.exclusive(() => readTexturePixels(this.engine, texture));
  }

  /** Frees the models' weights and destroys every texture this generator made. The engine stays the caller's. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sit.dispose();
    this.sidenet?.dispose();
    this.vae?.dispose();
    for (const t of this.textures) t.destroy();
    this.textures.clear();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private decodedShape(latentHeight: number, latentWidth: number): [number, number, number] {
    const codec = this.sit.latentCodec;
    if (codec) return decodedImageShape([1, this.sit.channels, latentHeight, latentWidth], codec);
    if (this.vae) return [this.vae.arch.outChannels, this.vae.upscale * latentHeight, this.vae.upscale * latentWidth];
    throw new GeneratorError('this SiT has no latent_codec in its metadata, so its latents need a VAE to become images: load one (sources.vae)');
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.assertAlive();
      return task();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertAlive() {
    if (this.disposed) throw new DisposedError('this ImageGenerator was disposed');
  }
}
