/**
 * Node-only helpers for training: checkpoint files (durable atomic writes, resuming from the
 * newest valid one, pruning) and MNIST-style IDX files from disk (gunzipped via node:zlib when
 * compressed).
 */
import type { PixelLatentCodec } from '../model/pixel-latent.js';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CheckpointError } from './chain.js';
import { idxDataset, type InMemoryDataset } from './data.js';

const CKPT = /^ckpt-(\d+)\.safetensors$/;

/**
 * Writes bytes to `path` via `path.partial`, fsynced, then renamed over `path`, then the folder
 * fsynced: after a crash or power cut `path` holds either the old file or the whole new one.
 */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const file = await open(partial, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(partial, path);
  await syncDirectory(dirname(path));
}

/** Errors of platforms or file systems that cannot open or fsync a folder (Windows: EISDIR/EPERM). */
const NO_DIRECTORY_SYNC = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF']);

/** fsyncs a folder so that a rename in it is durable, where the platform allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (e) {
    if (!NO_DIRECTORY_SYNC.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await handle?.close();
  }
}

export function checkpointPath(dir: string, step: number): string {
  return join(dir, `ckpt-${String(step).padStart(8, '0')}.safetensors`);
}

/**
 * Saves a checkpoint for `step` and prunes: of the checkpoints up to `step`, the newest `keep`
 * stay. Newer ones (left by a run this one resumed before their step, e.g. because they were
 * corrupted) are neither counted nor deleted, so they never push out this run's own.
 */
export async function saveCheckpoint(dir: string, step: number, bytes: Uint8Array, keep = 2): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = checkpointPath(dir, step);
  await writeAtomic(path, bytes);
  const steps = (await checkpointSteps(dir)).filter((s) => s <= step);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) await rm(checkpointPath(dir, s), { force: true });
  return path;
}

/** Steps of the checkpoints in dir, oldest first. */
async function checkpointSteps(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => (CKPT.exec(n) ? [Number(CKPT.exec(n)![1])] : [])).sort((a, b) => a - b);
}

/** The newest checkpoint file in dir, unverified (restoreLatestCheckpoint resumes from the newest valid one), or undefined. */
export async function latestCheckpoint(dir: string): Promise<{ step: number; path: string; bytes: Uint8Array } | undefined> {
  const steps = await checkpointSteps(dir);
  if (!steps.length) return undefined;
  const step = steps[steps.length - 1];
  const path = checkpointPath(dir, step);
  return { step, path, bytes: new Uint8Array(await readFile(path)) };
}

/** A checkpoint that resuming passed over, and why. */
export interface SkippedCheckpoint {
  step: number;
  path: string;
  reason: string;
}

/**
 * Resumes from the newest valid checkpoint in dir: newest first, each file is read and handed
 * to `restore` (ChainTrainer.restore, which checks the checksum and everything else before
 * writing anything) until one is accepted. A file that cannot be read or that `restore` rejects
 * with a CheckpointError is skipped and reported; any other error (a GPU failure) is thrown.
 * Undefined when dir holds no checkpoint; CheckpointError when it holds some and none is valid
 * (starting afresh would silently drop the run, and its new, lower-numbered checkpoints would
 * sit below the invalid ones).
 */
export async function restoreLatestCheckpoint<R>(
  dir: string, restore: (bytes: Uint8Array) => Promise<R>,
): Promise<{ step: number; path: string; restored: R; skipped: SkippedCheckpoint[] } | undefined> {
  const steps = (await checkpointSteps(dir)).reverse();
  if (!steps.length) return undefined;
  const skipped: SkippedCheckpoint[] = [];
  for (const step of steps) {
    const path = checkpointPath(dir, step);
    try {
      const restored = await restore(new Uint8Array(await readFile(path)));
      return { step, path, restored, skipped };
    } catch (e) {
      if (!(e instanceof CheckpointError) && !isFileError(e)) throw e;
      skipped.push({ step, path, reason: (e as Error).message });
    }
  }
  const reasons = skipped.map((s) => `${basename(s.path)}: ${s.reason}`).join('; ');
  throw new CheckpointError(`no valid checkpoint in ${dir} (${reasons}); move them aside to start afresh`);
}

const isFileError = (e: unknown): boolean => e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined;

async function readMaybeGzip(path: string): Promise<Uint8Array> {
  const raw = new Uint8Array(await readFile(path));
  return raw[0] === 0x1f && raw[1] === 0x8b ? new Uint8Array(gunzipSync(raw)) : raw;
}

/** IDX images + labels files (e.g. Fashion-MNIST train-images-idx3-ubyte.gz) as latents of [C, H, W] (see data.ts). */
export async function loadIdxFiles(images: string, labels: string, shape: readonly [number, number, number], options: { classes?: number; limit?: number; codec?: PixelLatentCodec } = {}): Promise<InMemoryDataset> {
  return idxDataset(await readMaybeGzip(images), await readMaybeGzip(labels), shape, options.classes ?? 10, options.limit, options.codec);
}
