/**
 * Node's half of the platform layer (see api.ts): WebGPU from Dawn (the `webgpu` package, an
 * optional peer dependency, loaded only when no device is handed in) with a search for a
 * software Vulkan driver, and weight files read from disk.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { GpuUnavailableError } from '../gpu/errors.js';
import type { OpenLocalFile, RequestNativeAdapter } from './api.js';

/**
 * The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance, so the software
 * driver search sets it on the process: on the main thread only, since worker threads have a
 * private copy of the environment (there it must be set before the process starts).
 */
export const requestNativeAdapter: RequestNativeAdapter = async (powerPreference, softwareIcds) => {
  const env = process.env;
  if (isMainThread) env.LP_NUM_THREADS ??= String(lavapipeThreads(availableParallelism()));
  const dawn = await loadDawn();
  const tried: string[] = [];
  const attempt = async (icd: string | undefined) => {
    const gpu = dawn.create([]);
    // Dawn tears its instance down when the GPU object is collected, even while a device made
    // from it is alive (crashes in its event threads): keep every instance we hand out alive.
    liveDawnInstances.add(gpu);
    const adapter = await gpu.requestAdapter({ powerPreference });
    tried.push(icd ?? 'system Vulkan drivers');
    return adapter;
  };
  let icd = env.VK_ICD_FILENAMES;
  let adapter = await attempt(icd);
  if (!adapter && !icd && isMainThread) {
    for (const candidate of softwareIcds.filter((p) => existsSync(p))) {
      env.VK_ICD_FILENAMES = candidate;
      adapter = await attempt(candidate);
      if (adapter) { icd = candidate; break; }
    }
    if (!adapter) delete env.VK_ICD_FILENAMES;
  }
  if (!adapter) {
    throw new GpuUnavailableError(
      `Dawn found no WebGPU adapter (tried: ${tried.join(', ')}). Install a GPU driver or a software ` +
        'Vulkan driver: Mesa lavapipe >= 24 (Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers) ' +
        'or Chromium (its SwiftShader ICD), or point VK_ICD_FILENAMES at one.',
    );
  }
  return { adapter, icd };
};

/**
 * Lavapipe's worker count, unless the process set LP_NUM_THREADS itself (Mesa reads it when the
 * Vulkan instance enumerates its devices; other drivers ignore it). Its default, one worker per
 * core, ends every dispatch in a fork-join: beside any other busy process a descheduled worker
 * stalls the rest and the engine gets about one core of two (1.7× slower, bench/README.md). Four
 * workers per core win a fair share back and shrink each stall (1.36× in the same probe) at no
 * measurable cost when quiet. Mesa caps the count at 32.
 */
function lavapipeThreads(cores: number): number {
  return Math.min(32, 4 * Math.max(1, cores));
}

/** Dawn's `create` plus the WebGPU globals (GPUBufferUsage, ...) it installs. */
type DawnModule = typeof import('webgpu');

let dawnModule: Promise<DawnModule> | undefined;
const liveDawnInstances = new Set<GPU>();
function loadDawn(): Promise<DawnModule> {
  dawnModule ??= import('webgpu').then((m) => {
    for (const [name, value] of Object.entries(m.globals)) {
      if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
    }
    return m;
  }, (err: unknown) => {
    dawnModule = undefined;
    throw new GpuUnavailableError(dawnMissing(err)
      ? "WebGPU in Node needs Dawn, the optional peer dependency 'webgpu': run `npm install webgpu`"
      : `cannot load the 'webgpu' package (Dawn for Node): ${String(err)}; reinstalling it may help: \`npm install webgpu\``, { cause: err });
  });
  return dawnModule;
}

/** True when the import failed because `webgpu` itself is not installed (not one of its parts). */
function dawnMissing(err: unknown): boolean {
  const { code, message } = err as { code?: unknown; message?: unknown };
  return code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes("'webgpu'");
}

export const openLocalFile: OpenLocalFile = (source) => {
  if (/^(https?|data|blob):/.test(source)) return undefined;
  const path = source.startsWith('file:') ? fileURLToPath(source) : source;
  if (!existsSync(path)) return { path };
  const stream = Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
  return { path, stream, totalBytes: statSync(path).size };
};
