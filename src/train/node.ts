/**
 * Node-only helpers for training: checkpoint files (atomic writes, latest lookup, pruning)
 * and MNIST-style IDX files from disk (gunzipped via node:zlib when compressed).
 */
import type { PixelLatentCodec } from '../model/pixel-latent.js';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { idxDataset, type InMemoryDataset } from './data.js';

const CKPT = /^ckpt-(\d+)\.safetensors$/;

/** Writes bytes to `path` via `path.partial` + rename: a crash never leaves a torn file. */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
}

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `ckpt-${String(step).padStart(8, '0')}.safetensors`);
}

/** Saves a checkpoint for `step`, keeping the newest `keep` files. */
export async function saveCheckpoint(dir: string, step: number, bytes: Uint8Array, keep = 2): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = checkpointPath(dir, step);
  await writeAtomic(path, bytes);
  const steps = await checkpointSteps(dir);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) await rm(checkpointPath(dir, s), { force: true });
  return path;
}

async function checkpointSteps(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => (CKPT.exec(n) ? [Number(CKPT.exec(n)![1])] : [])).sort((a, b) => a - b);
}

/** The newest checkpoint in dir, or undefined. */
export async function latestCheckpoint(dir: string): Promise<{ step: number; path: string; bytes: Uint8Array } | undefined> {
  const steps = await checkpointSteps(dir);
  if (!steps.length) return undefined;
  const step = steps[steps.length - 1];
  const path = checkpointPath(dir, step);
  return { step, path, bytes: new Uint8Array(await readFile(path)) };
}

async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const raw = new Uint8Array(await readFile(path));
  return raw[0] === 0x1f && raw[1] === 0x8b ? new Uint8Array(gunzipSync(raw)) : raw;
}

/** IDX images + labels files (e.g. Fashion-MNIST train-images-idx3-ubyte.gz) as latents of [C, H, W] (see data.ts). */
export async function loadIdxFiles(images: string, labels: string, shape: readonly [number, number, number], options: { classes?: number; limit?: number; codec?: PixelLatentCodec } = {}): Promise<InMemoryDataset> {
  return idxDataset(await readMaybeGzip(images), await readMaybeGzip(labels), shape, options.classes ?? 10, options.limit, options.codec);
}
