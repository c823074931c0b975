/**
 * Batched class-conditional generation for the command-line tools (sample, eval, bench): the
 * noise of image i comes from its own seed (seed + i), so a picture does not change with the
 * batch size or with which solver drew it; a whole batch is one sample() call on the GPU with
 * one read-back.
 */
import type { Engine } from '../gpu/engine.js';
import { decodePixels, imageShape } from '../model/pixel-latent.js';
import { SideNetModel } from '../model/sidenet.js';
import { SitModel } from '../model/sit.js';
import { sample, type SolverName } from '../solver/index.js';
import { perImageNoise } from '../solver/noise.js';
import type { GuidanceOptions } from '../solver/run.js';

export interface GenerateOptions {
  sit: SitModel;
  sidenet?: SideNetModel;
  solver: SolverName;
  nfe: number;
  labels: readonly number[];
  seed: number;
  guidance?: GuidanceOptions;
  /** Images per sample() call. */
  batch: number;
  /** After each batch: images done so far, and the batch's wall-clock milliseconds. */
  onBatch?: (done: number, total: number, ms: number) => void;
  /** Within a batch, after each solver step. */
  onStep?: (step: number, of: number) => void;
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

/** The SiT (and SideNet, when a solver needs one) the commands run, loaded with progress-free defaults. */
export async function loadModelSet(engine: Engine, sitPath: string, sidenetPath: string | undefined, dtype: 'f32' | 'f16'): Promise<{ sit: SitModel; sidenet?: SideNetModel; dispose(): void }> {
  console.error(`device: ${engine.describe()}`);
  const sit = await SitModel.load(engine, sitPath, { dtype });
  try {
    const sidenet = sidenetPath ? await SideNetModel.load(engine, sidenetPath, { dtype }) : undefined;
    return { sit, sidenet, dispose: () => { sidenet?.dispose(); sit.dispose(); } };
  } catch (err) {
    sit.dispose();
    throw err;
  }
}

export async function generate(engine: Engine, options: GenerateOptions): Promise<Generated> {
  const { sit, labels, batch } = options;
  const C = sit.channels;
  const S = sit.arch.inputSize;
  const per = C * S * S;
  const latents = new Float32Array(labels.length * per);
  const batchMs: number[] = [];
  let backboneCalls = 0;
  for (let start = 0; start < labels.length; start += batch) {
    const count = Math.min(batch, labels.length - start);
    const noiseValues = perImageNoise(options.seed, start, count, per);
    const begin = performance.now();
    const noise = engine.upload(noiseValues, [count, C, S, S], sit.dtype);
    try {
      const result = await sample(engine, {
        model: sit,
        sidenet: options.sidenet,
        solver: options.solver,
        nfe: options.nfe,
        labels: labels.slice(start, start + count),
        noise,
        guidance: options.guidance,
        onStep: options.onStep ? (info) => options.onStep!(info.step, info.of) : undefined,
      });
      latents.set(await result.latent.readFloat32(), start * per);
      result.latent.dispose();
      backboneCalls = result.backboneCalls;
    } finally {
      noise.dispose();
    }
    const ms = performance.now() - begin;
    batchMs.push(ms);
    options.onBatch?.(start + count, labels.length, ms);
  }
  return { latents, latentShape: [C, S, S], backboneCalls, batchMs };
}

/** Images [N, imageChannels, H, W] in [−1, 1] from pixel-space latents (models with a latent codec). */
export function latentsToImages(sit: SitModel, latents: Float32Array, count: number): { images: Float32Array; shape: [number, number, number] } {
  const codec = sit.latentCodec;
  if (!codec) {
    throw new Error('this SiT has no latent_codec in its metadata (it is a VAE-latent model): decoding its latents needs a VAE');
  }
  const S = sit.arch.inputSize;
  return { images: decodePixels(codec, latents, count, S, S), shape: imageShape(codec, sit.channels, S, S) };
}
