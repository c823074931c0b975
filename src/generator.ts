/**
 * The layer apps use: a model set (a SiT, its SideNet, and what turns latents into pixels — a
 * VAE, or the pixel codec of small pixel-space models) on one Engine. generate() samples
 * latents on the GPU; decodeToTexture() puts the images into an RGBA GPUTexture the app draws
 * with its own device. No global state: everything lives on the engine it was loaded on, and
 * dispose() frees the weights and every texture the generator made.
 *
 * Device loss: a generator that owns its device (its engine made the device) makes a new
 * device and engine and reloads its weights from the sources it was loaded from before the
 * next call; on an app's device (a guest) it emits 'devicelost' and waits for reload(device).
 */
import { OPTIONAL_FEATURES } from './gpu/device.js';
import { Engine, type EngineOptions } from './gpu/engine.js';
import { DeviceLostError, DisposedError, EngineError } from './gpu/errors.js';
import { decodedImageShape, imageToRgba } from './gpu/ops/image.js';
import { shapeString, type Tensor } from './gpu/tensor.js';
import { checkImageTarget, copyTexelsToTexture, createImageTexture, readTexturePixels, texelOrder, type ImageTextureFormat } from './gpu/texture.js';
import { sleep } from './gpu/wait.js';
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
   * Storage dtype of the SiT's and the SideNet's weights and activations (default: f16 where
   * the SiT file is f16 and the device has shader-f16, else f32). The VAE always runs in f32:
   * SD-VAE activations overflow f16.
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

export interface GeneratorCreateOptions extends GeneratorLoadOptions {
  /** Options of the engine the generator makes, and makes again after a device loss. */
  engine?: Omit<EngineOptions, 'device'>;
}

export interface GeneratorReloadOptions {
  /** Options of the new engine on the device. */
  engine?: Omit<EngineOptions, 'device'>;
  /** Cancels the reload: it rejects with an AbortError and the generator stays on its old engine. */
  signal?: AbortSignal;
}

/** Dispatched by an ImageGenerator whose GPU device was lost; its textures and latents are gone. */
export class DeviceLostEvent extends Event {
  constructor(
    readonly error: DeviceLostError,
    /**
     * True when the generator makes a new device and reloads its weights on its own before
     * its next call (it owns its device); false when the app must call reload(device).
     */
    readonly willRecover: boolean,
  ) {
    super('devicelost');
  }
}

export interface ImageGeneratorEventMap {
  devicelost: DeviceLostEvent;
}

/** Per-step progress, once the GPU has finished the step: the sampler's StepInfo (GPU time `gpuMs`) plus time since generate() began. */
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
  /**
   * Split each step's GPU work into submits of about this many milliseconds and yield to the
   * app between them (its next animation frame in a page), so a render loop sharing the GPU
   * keeps its frame rate; default: the generator's `frameBudgetMs`. Bit-identical results.
   */
  frameBudgetMs?: number;
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

/** The engine and the models on it; all four change together when the device is replaced. */
interface LoadedSet {
  engine: Engine;
  sit: SitModel;
  sidenet?: SideNetModel;
  vae?: VaeDecoder;
}

/** Typed listeners for the generator's events (EventTarget's own signatures take any Event). */
export interface ImageGenerator {
  addEventListener<K extends keyof ImageGeneratorEventMap>(type: K, listener: (this: ImageGenerator, event: ImageGeneratorEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof ImageGeneratorEventMap>(type: K, listener: (this: ImageGenerator, event: ImageGeneratorEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export class ImageGenerator extends EventTarget {
  /** The frame budget of generate() calls that do not set one (undefined: each step is one submit). */
  frameBudgetMs: number | undefined;
  private readonly textures = new Set<GPUTexture>();
  /** generate/decode/read calls run one at a time: the engine records one step at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private loaded: LoadedSet;
  /** True when the generator made its engine: dispose() then disposes it too. */
  private ownsEngine = false;
  /** What load() read, so that the weights can be read again onto a new device. */
  private sources: ModelSources | undefined;
  private loadOptions: GeneratorLoadOptions = {};
  /** The engine options of create(); otherwise a replacement engine gets the lost one's features. */
  private engineOptions: Omit<EngineOptions, 'device'> | undefined;
  /** Set while the current engine's device is lost and not yet replaced. */
  private lostError: DeviceLostError | undefined;

  /** Takes ownership of the models: dispose() disposes them. */
  constructor(engine: Engine, sit: SitModel, sidenet?: SideNetModel, vae?: VaeDecoder) {
    super();
    checkModelSet(sit, sidenet, vae);
    this.loaded = { engine, sit, sidenet, vae };
    this.watchForLoss(engine);
  }

  /**
   * Loads the converted files one after another onto the caller's engine; if one fails, the
   * ones already loaded are freed. The sources are kept for reloading after a device loss
   * (bytes by reference: do not modify or transfer them).
   */
  static async load(engine: Engine, sources: ModelSources, options: GeneratorLoadOptions = {}): Promise<ImageGenerator> {
    const models = await loadModels(engine, sources, options);
    const generator = new ImageGenerator(engine, models.sit, models.sidenet, models.vae);
    generator.sources = sources;
    generator.loadOptions = options;
    return generator;
  }

  /**
   * Makes its own engine (and device) and loads the model set onto it. The generator owns
   * both: dispose() disposes the engine, and after a device loss it makes a new one with the
   * same options and reloads the weights before its next call.
   */
  static async create(sources: ModelSources, options: GeneratorCreateOptions = {}): Promise<ImageGenerator> {
    const { engine: engineOptions, ...loadOptions } = options;
    const engine = await Engine.create(engineOptions);
    try {
      const generator = await ImageGenerator.load(engine, sources, loadOptions);
      generator.ownsEngine = true;
      generator.engineOptions = engineOptions ?? {};
      return generator;
    } catch (err) {
      engine.dispose();
      throw err;
    }
  }

  /** The engine the models live on; a new one after a device loss. */
  get engine(): Engine {
    return this.loaded.engine;
  }

  get sit(): SitModel {
    return this.loaded.sit;
  }

  get sidenet(): SideNetModel | undefined {
    return this.loaded.sidenet;
  }

  get vae(): VaeDecoder | undefined {
    return this.loaded.vae;
  }

  /**
   * Moves the generator onto `device` (an app's new device after a loss): makes an engine on
   * it, reloads the weights from the sources load() was given and frees the old ones. The old
   * engine is disposed when its device is lost or the generator made it; a live engine of the
   * app's stays the app's. Waits for a call in flight. Until it succeeds, calls after a loss
   * reject with DeviceLostError.
   */
  async reload(device: GPUDevice, options: GeneratorReloadOptions = {}): Promise<void> {
    this.assertAlive();
    return this.enqueue(() => {
      this.assertAlive();
      return this.replaceEngine(() => Engine.create({ ...options.engine, device }), options.signal);
    });
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
          labels, noise, guidance, grid: options.grid, signal: options.signal, frameBudgetMs: options.frameBudgetMs ?? this.frameBudgetMs,
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

  /**
   * Frees the models' weights and destroys every texture this generator made. The engine
   * stays the caller's, unless the generator made it (create(), or a replacement after a
   * device loss): then it is disposed too.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeModels(this.loaded);
    this.destroyTextures();
    if (this.ownsEngine) this.engine.dispose();
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

  /** Runs `task` after the calls before it, on a usable device: a lost one is replaced first, or reported. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      this.assertAlive();
      await this.recoverIfLost();
      const engine = this.engine;
      try {
        return await task();
      } catch (err) {
        throw await nameDeviceLoss(engine, err);
      }
    });
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Only an engine that made its device can make another one (a guest's app owns the device), and only from sources that can be read again. */
  private get recoversItself(): boolean {
    return this.engine.source !== 'host' && reloadableSources(this.sources) === true;
  }

  private async recoverIfLost(): Promise<void> {
    if (!this.lostError) return;
    if (this.engine.source === 'host') throw this.lostError;
    // Without create()'s options, the same features keep the same dtypes and kernels.
    const options = this.engineOptions ?? { disableFeatures: OPTIONAL_FEATURES.filter((f) => !this.engine.has(f)) };
    await this.replaceEngine(() => Engine.create(options));
  }

  private async replaceEngine(createEngine: () => Promise<Engine>, signal?: AbortSignal): Promise<void> {
    const reloadable = reloadableSources(this.sources);
    if (reloadable !== true) throw new GeneratorError(`cannot reload the weights onto a new device: ${reloadable}`);
    const engine = await createEngine();
    let models: Omit<LoadedSet, 'engine'>;
    try {
      models = await loadModels(engine, this.sources!, { ...this.loadOptions, signal });
    } catch (err) {
      engine.dispose();
      throw err;
    }
    if (this.disposed) {
      disposeModels(models);
      engine.dispose();
      throw new DisposedError('this ImageGenerator was disposed while it reloaded');
    }
    const old = this.loaded;
    disposeModels(old);
    // A lost engine is of no use to anyone; a live one stays its owner's.
    if (this.ownsEngine || this.lostError) old.engine.dispose();
    this.loaded = { engine, ...models };
    this.ownsEngine = true;
    this.lostError = undefined;
    this.watchForLoss(engine);
  }

  private watchForLoss(engine: Engine) {
    void engine.device.lost.then((info) => {
      // Not news: disposing an engine that made its device destroys it, and a replaced engine is gone.
      // An app may dispose its guest engine in its own lost handler, which runs first: still a loss.
      if (this.disposed || engine !== this.engine || (engine.isDisposed && engine.source !== 'host')) return;
      this.lostError = new DeviceLostError(info.reason ?? 'unknown', info.message);
      this.destroyTextures();
      const willRecover = this.recoversItself;
      this.dispatchEvent(new DeviceLostEvent(this.lostError, willRecover));
      // Start reloading now rather than at the next call; a failure here is retried by that call.
      if (willRecover) this.exclusive(() => Promise.resolve()).catch(() => undefined);
    });
  }

  private destroyTextures() {
    for (const t of this.textures) t.destroy();
    this.textures.clear();
  }

  private assertAlive() {
    if (this.disposed) throw new DisposedError('this ImageGenerator was disposed');
  }
}

/** How long after a failed WebGPU call its device's lost promise may still resolve. */
const LOSS_REPORT_GRACE_MS = 100;

/**
 * Browsers fail the calls pending on a lost device (mapAsync rejects with a DOMException
 * AbortError) before they resolve device.lost: such a failure becomes the DeviceLostError it
 * is. Other errors (the engine's typed ones, an app's callback throwing) pass at once.
 */
async function nameDeviceLoss(engine: Engine, err: unknown): Promise<unknown> {
  if (!(err instanceof DOMException)) return err;
  const info = await Promise.race([engine.device.lost, sleep(LOSS_REPORT_GRACE_MS)]);
  return info ? Object.assign(new DeviceLostError(info.reason ?? 'unknown', info.message), { cause: err }) : err;
}

function checkModelSet(sit: SitModel, sidenet?: SideNetModel, vae?: VaeDecoder) {
  if (sidenet && (sidenet.channels !== sit.channels || sidenet.arch.classes !== sit.arch.classes)) {
    throw new GeneratorError(`the SideNet (${sidenet.channels} channels, ${sidenet.arch.classes} classes) does not fit the SiT (${sit.channels} channels, ${sit.arch.classes} classes)`);
  }
  if (sit.latentCodec && vae) throw new GeneratorError(PIXEL_SIT_WITH_VAE);
  if (vae && (vae.arch.latentChannels !== sit.channels || (vae.arch.outChannels !== 1 && vae.arch.outChannels !== 3))) {
    throw new GeneratorError(`the VAE (${vae.arch.latentChannels} latent channels, ${vae.arch.outChannels} image channels) does not fit the SiT (${sit.channels} channels); images need 1 or 3 channels`);
  }
}

/** Loads the converted files one after another; if one fails, the ones already loaded are freed. */
async function loadModels(engine: Engine, sources: ModelSources, options: GeneratorLoadOptions): Promise<Omit<LoadedSet, 'engine'>> {
  const progress = (model: ModelLoadProgress['model']) => options.onProgress && ((p: LoadProgress) => options.onProgress!({ ...p, model }));
  const { signal, stallTimeoutMs, cache } = options;
  const sit = await SitModel.load(engine, sources.sit, { dtype: options.dtype, onProgress: progress('sit'), label: 'sit', signal, stallTimeoutMs, cache });
  let sidenet: SideNetModel | undefined;
  let vae: VaeDecoder | undefined;
  try {
    if (sources.vae && sit.latentCodec) throw new GeneratorError(PIXEL_SIT_WITH_VAE);
    // The SiT's dtype is the latents' dtype, which the SideNet must read.
    if (sources.sidenet) sidenet = await SideNetModel.load(engine, sources.sidenet, { dtype: sit.dtype, onProgress: progress('sidenet'), label: 'sidenet', signal, stallTimeoutMs, cache });
    // The VAE runs in f32 whatever the SiT's dtype (SD-VAE activations overflow f16); it widens f16 latents itself.
    if (sources.vae) vae = await VaeDecoder.load(engine, sources.vae, { onProgress: progress('vae'), label: 'vae', signal, stallTimeoutMs, cache });
    checkModelSet(sit, sidenet, vae);
    return { sit, sidenet, vae };
  } catch (err) {
    sit.dispose();
    sidenet?.dispose();
    vae?.dispose();
    throw err;
  }
}

function disposeModels(models: Omit<LoadedSet, 'engine'>) {
  models.sit.dispose();
  models.sidenet?.dispose();
  models.vae?.dispose();
}

/** True when every source can be read again; otherwise why not. */
function reloadableSources(sources: ModelSources | undefined): true | string {
  if (!sources) return 'the generator was built from loaded models, not from sources (use ImageGenerator.load or create)';
  for (const model of ['sit', 'sidenet', 'vae'] as const) {
    // A stream is read once; keeping its bytes would hold the whole file in memory, which streaming avoids.
    if (sources[model] instanceof ReadableStream) return `sources.${model} is a ReadableStream, which can be read only once (pass a Blob, File, URL, path or bytes to recover from device loss)`;
  }
  return true;
}
