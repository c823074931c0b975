/**
 * Batched class-conditional generation for the command-line tools (sample, eval, bench), on the
 * same path apps use: an ImageGenerator. The noise of image i comes from its own seed
 * (seed + i), so a picture does not change with the batch size or with which solver drew it;
 * a whole batch is one generate() call on the GPU with one read-back.
 */
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { ImageGenerator } from '../generator.js';
import { decodePixels, imageShape } from '../model/pixel-latent.js';
import type { SolverName } from '../solver/index.js';
import type { GuidanceOptions } from '../solver/run.js';

export interface ModelPaths {
  sit: string;
  sidenet?: string;
  /** For SiTs on VAE latents (pixel-space SiTs carry a latent_codec instead). */
  vae?: string;
}

export interface GenerateOptions {
  solver: SolverName;
  nfe: number;
  labels: readonly number[];
  seed: number;
  guidance?: GuidanceOptions;
  /** Images per generate() call. */
  batch: number;
  /** After each batch: images done so far, and the batch's wall-clock milliseconds. */
  onBatch?: (done: number, total: number, ms: number) => void;
  /** Within a batch, after each solver step. */
  onStep?: (step: number, of: number) => void;
  /** Each batch's latents [count, C, h, w] before they are freed, with the index of its first image (e.g. to decode them through a VAE). */
  onLatents?: (latents: Tensor, first: number) => Promise<void>;
}

export interface Generated {
  /** Final latents [N, C, h, w]. */
  latents: Float32Array;
  latentShape: [number, number, number];
  /** Backbone calls per image (a guided call counts once). */
  backboneCalls: number;
  /** Wall-clock milliseconds of every batch, read-back included. */
  batchMs: number[];
}

/** The model set the commands run, as an app would load it. */
export async function loadGenerator(engine: Engine, paths: ModelPaths, dtype: 'f32' | 'f16'): Promise<ImageGenerator> {
  console.error(`device: ${engine.describe()}`);
  return ImageGenerator.load(engine, paths, { dtype });
}

export async function generate(generator: ImageGenerator, options: GenerateOptions): Promise<Generated> {
  const { labels, batch } = options;
  const latentShape = generator.latentShape;
  const per = latentShape[0] * latentShape[1] * latentShape[2];
  const latents = new Float32Array(labels.length * per);
  const batchMs: number[] = [];
  let backboneCalls = 0;
  for (let start = 0; start < labels.length; start += batch) {
    const count = Math.min(batch, labels.length - start);
    const begin = performance.now();
    const latent = await generator.generate({
      labels: labels.slice(start, start + count),
      // Image i draws noise seed + i (mod 2³², as the generator does within a batch).
      seed: (options.seed + start) >>> 0,
      solver: options.solver,
      nfe: options.nfe,
      guidance: options.guidance,
      onStep: (info) => {
        backboneCalls = info.backboneCalls;
        options.onStep?.(info.step, info.of);
      },
    });
    try {
      latents.set(await latent.readFloat32(), start * per);
      await options.onLatents?.(latent, start);
    } finally {
      latent.dispose();
    }
    const ms = performance.now() - begin;
    batchMs.push(ms);
    options.onBatch?.(start + count, labels.length, ms);
  }
  return { latents, latentShape, backboneCalls, batchMs };
}

/** Images [N, imageChannels, H, W] in [−1, 1] from pixel-space latents (models with a latent codec). */
export function latentsToImages(generator: ImageGenerator, latents: Float32Array, count: number): { images: Float32Array; shape: [number, number, number] } {
  const codec = generator.sit.latentCodec;
  if (!codec) {
    throw new Error('this SiT has no latent_codec in its metadata (it is a VAE-latent model): decoding its latents needs a VAE');
  }
  const [C, S] = generator.latentShape;
  return { images: decodePixels(codec, latents, count, S, S), shape: imageShape(codec, C, S, S) };
}
