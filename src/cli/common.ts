/** What the command-line tools share: the shipped model's paths, flag parsing, progress lines. */
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SolverName } from '../solver/index.js';
import { MAX_SEED } from '../solver/noise.js';
import { readWeightFileHeader, type WeightFileMetadata } from '../model/weights.js';

/** Thrown for bad flags: the dispatcher prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The package root: the CLIs are bundled to dist/tools/*.mjs, two levels below it; run from
 * source (tests), this file is src/cli/common.ts, also two levels below.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The small Fashion-MNIST model, its SideNet and classifier, committed under models/. */
export const SHIPPED = {
  sit: `${PACKAGE_ROOT}models/fashion-sit.safetensors`,
  sidenet: `${PACKAGE_ROOT}models/fashion-sidenet.safetensors`,
  classifier: `${PACKAGE_ROOT}models/fashion-classifier.safetensors`,
};

export const FASHION_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export const SOLVERS: readonly SolverName[] = ['ba', 'ba-single', 'euler', 'heun', 'dpm++2m'];

/** More steps than any sensible run; also keeps a typo (--nfe 50000000) from running for days. */
export const MAX_NFE = 100_000;

/** The SiT's architecture and codec from its file's header (no GPU): options are checked against it before any work. */
export async function sitHeader(path: string): Promise<Extract<WeightFileMetadata, { kind: 'sit' }>> {
  const { metadata } = await readWeightFileHeader(path);
  if (metadata.kind !== 'sit') throw new UsageError(`--model: ${path} holds a ${metadata.kind}, not a SiT`);
  return metadata;
}

/** [channels, height, width] of the images a VAE file decodes from latents of side `latentSize` (from its header, no GPU). */
export async function vaeImageShape(path: string, latentSize: number): Promise<[number, number, number]> {
  const { metadata } = await readWeightFileHeader(path);
  if (metadata.kind !== 'vae') throw new UsageError(`--vae: ${path} holds a ${metadata.kind}, not a VAE`);
  const side = latentSize * 2 ** (metadata.arch.blockOutChannels.length - 1);
  return [metadata.arch.outChannels, side, side];
}

export function requireFile(path: string, what: string): string {
  if (!existsSync(path)) throw new UsageError(`${what} not found: ${path}`);
  return path;
}

export function parseNumber(value: string | undefined, fallback: number, flag: string, check: (x: number) => boolean = Number.isFinite): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`${flag}: invalid value '${value}'`);
  return x;
}

export const positiveInt = (x: number) => Number.isInteger(x) && x > 0;

/** An integer flag in [min, max] (inclusive); the message states the range. */
export function parseInteger(value: string | undefined, fallback: number, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const x = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(x) || x < min || x > max) {
    throw new UsageError(`${flag}: expected an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got '${value}'`);
  }
  return x;
}

/** Seeds are 32-bit: image i draws noise from (seed + i) mod 2³² (solver/noise.ts). */
export function parseSeed(value: string | undefined, fallback: number, flag = '--seed'): number {
  return parseInteger(value, fallback, flag, 0, MAX_SEED);
}

export function parseIntList(value: string, flag: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  const out = items.map((s) => (s === '' ? NaN : Number(s)));
  if (!value.trim() || out.some((x) => !Number.isInteger(x) || x < 0)) throw new UsageError(`${flag}: expected comma-separated non-negative integers, got '${value}'`);
  return out;
}

/**
 * Fails now, before any sampling or training, if `path` could not be written later: creates its
 * folder and writes (then removes) a probe file beside it. Permission bits alone would not tell
 * (root ignores them; a read-only file system or a file where a folder should be does not).
 */
export function checkWritable(path: string, flag: string, kind: 'file' | 'dir' = 'file'): void {
  const dir = kind === 'dir' ? path : dirname(path);
  try {
    if (kind === 'file' && existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a directory');
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.ba-webgpu-write-probe-${process.pid}`);
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${flag}: cannot write ${path}: ${reason}`);
  }
}

/** A comma-separated list of step counts, each in [1, MAX_NFE]. */
export function nfeList(value: string, flag: string): number[] {
  const list = parseIntList(value, flag);
  const bad = list.find((n) => n < 1 || n > MAX_NFE);
  if (bad !== undefined) throw new UsageError(`${flag}: ${bad} is outside [1, ${MAX_NFE}]`);
  return list;
}

export function parseSolver(value: string, flag = '--solver'): SolverName {
  if (!(SOLVERS as readonly string[]).includes(value)) throw new UsageError(`${flag}: unknown solver '${value}' (one of ${SOLVERS.join(', ')})`);
  return value as SolverName;
}

/** '0,0.7' → [0, 0.7]; 'always' → null (guide at every t). */
export function parseInterval(value: string | undefined): readonly [number, number] | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'always') return null;
  const parts = value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x)) || parts[0] > parts[1]) {
    throw new UsageError(`--cfg-interval: expected LO,HI (REPA time) or 'always', got '${value}'`);
  }
  return [parts[0], parts[1]];
}

/** A single stderr line redrawn in place (plain lines when stderr is not a terminal). */
export class Progress {
  private last = 0;

  constructor(private readonly enabled = true) {}

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
    else process.stderr.write(`${text}\n`);
  }

  done(text?: string): void {
    if (!this.enabled) return;
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text ? `${text}\n` : ''}`);
    else if (text) process.stderr.write(`${text}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
