/**
 * Loading converted weight files (safetensors + the engine's JSON metadata) into GPU tensors.
 * The file is consumed as a byte stream, one tensor at a time: a multi-GB model never sits
 * whole in JS memory, in Node (read from disk) or in browsers (fetch / File streams).
 */
import type { Engine } from '../gpu/engine.js';
import { EngineError } from '../gpu/errors.js';
import { f16BitsToF32, type Tensor } from '../gpu/tensor.js';
import type { PixelLatentCodec } from './pixel-latent.js';

/** The architecture recorded by tools/convert-weights for a SiT backbone. */
export interface SitArch {
  depth: number;
  hidden: number;
  heads: number;
  patch: number;
  inChannels: number;
  outChannels: number;
  /** outChannels = 2·inChannels (original SiT): only the first inChannels are the velocity. */
  learnSigma: boolean;
  classes: number;
  /** Latent side length (pos_embed tokens = (inputSize/patch)²). */
  inputSize: number;
  mlpHidden: number;
  qkNorm: boolean;
}

export interface SideNetArch {
  channels: number;
  embed: number;
  blocks: number;
  attnBlock: number;
  heads: number;
  classes: number;
  latentChannels: number;
}

/** The architecture of an AutoencoderKL decoder (Stable Diffusion's VAE: see src/model/vae.ts). */
export interface VaeArch {
  /** diffusers' block_out_channels, highest resolution first: (128, 256, 512, 512) for SD. */
  blockOutChannels: number[];
  /** Each up block has layersPerBlock + 1 resnets. */
  layersPerBlock: number;
  /** GroupNorm groups (32 for SD); not recorded in the weights, so the converter is told. */
  groups: number;
  latentChannels: number;
  outChannels: number;
  /** Latents in the sampler's space are the VAE's times this (0.18215 for SD's VAE). */
  scalingFactor: number;
}

/** Time convention of a model's velocity (ba-solver.md §1). */
export type TimeConvention = 'repa' | 'sit';

/** The `ba_webgpu` entry of a converted file's __metadata__. */
export type WeightFileMetadata = {
  format: 'ba-webgpu/1';
  convention: TimeConvention;
  source_layout: string;
  dtype: 'f32' | 'f16';
  source_file?: string;
  source_key?: string | null;
  /** How a SiT's latents become images when no VAE is used (small pixel-space models). */
  latent_codec?: PixelLatentCodec;
} & ({ kind: 'sit'; arch: SitArch } | { kind: 'sidenet'; arch: SideNetArch } | { kind: 'vae'; arch: VaeArch });

export const METADATA_KEY = 'ba_webgpu';

export class WeightFileError extends EngineError {
  override name = 'WeightFileError';
}

/** Anything a converted file can come from. Strings are paths in Node and URLs in browsers. */
export type WeightSource = string | URL | ArrayBuffer | Uint8Array | Blob | ReadableStream<Uint8Array>;

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
  tensor: string;
}

export interface LoadOptions {
  /** Storage dtype on the GPU; default f16 where the file is f16 and the device has shader-f16, else f32. */
  dtype?: 'f32' | 'f16';
  onProgress?: (p: LoadProgress) => void;
  /** Label prefix for the GPU buffers. */
  label?: string;
}

export interface LoadedWeights {
  metadata: WeightFileMetadata;
  tensors: Map<string, Tensor>;
  dtype: 'f32' | 'f16';
}

interface HeaderEntry {
  name: string;
  dtype: 'F32' | 'F16';
  shape: number[];
  begin: number;
  end: number;
}

export async function loadWeights(engine: Engine, source: WeightSource, options: LoadOptions = {}): Promise<LoadedWeights> {
  const { stream, totalBytes } = await openStream(source);
  const reader = new ByteReader(stream.getReader());
  const headerLength = new DataView((await reader.read(8)).buffer).getBigUint64(0, true);
  if (headerLength > 100_000_000n) throw new WeightFileError(`not a safetensors file: header length ${headerLength} is implausible`);
  const headerText = new TextDecoder().decode(await reader.read(Number(headerLength)));
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw new WeightFileError('not a safetensors file: its header is not JSON');
  }
  const metadata = parseMetadata(header.__metadata__);
  const entries = parseEntries(header);
  const dtype = options.dtype ?? (metadata.dtype === 'f16' && engine.has('shader-f16') ? 'f16' : 'f32');
  const dataBytes = entries.length ? entries[entries.length - 1].end : 0;
  const total = totalBytes ?? 8 + Number(headerLength) + dataBytes;
  const tensors = new Map<string, Tensor>();
  let position = 0;
  try {
    for (const e of entries) {
      if (e.begin > position) await reader.read(e.begin - position); // padding between tensors
      const bytes = await reader.read(e.end - e.begin);
      position = e.end;
      tensors.set(e.name, uploadTensor(engine, e, bytes, dtype, options.label));
      options.onProgress?.({ loadedBytes: 8 + Number(headerLength) + position, totalBytes: total, tensor: e.name });
    }
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  } finally {
    reader.cancel();
  }
  return { metadata, tensors, dtype };
}

function uploadTensor(engine: Engine, e: HeaderEntry, bytes: Uint8Array, dtype: 'f32' | 'f16', label?: string): Tensor {
  // Copy into an aligned buffer: stream chunks may start at any byte offset.
  const aligned = new Uint8Array(bytes.byteLength);
  aligned.set(bytes);
  const n = e.shape.reduce((a, b) => a * b, 1);
  const name = label ? `${label}.${e.name}` : e.name;
  if (e.dtype === 'F32') {
    const values = new Float32Array(aligned.buffer, 0, n);
    return engine.upload(values, e.shape, dtype, name);
  }
  const halves = new Uint16Array(aligned.buffer, 0, n);
  return engine.upload(Float32Array.from(halves, f16BitsToF32), e.shape, dtype, name);
}

function parseMetadata(raw: unknown): WeightFileMetadata {
  const text = (raw as Record<string, string> | undefined)?.[METADATA_KEY];
  if (!text) {
    throw new WeightFileError(`this safetensors file has no '${METADATA_KEY}' metadata: convert the checkpoint with tools/convert-weights first`);
  }
  const m = JSON.parse(text) as WeightFileMetadata;
  if (m.format !== 'ba-webgpu/1') throw new WeightFileError(`unsupported weight format '${m.format}' (this engine reads ba-webgpu/1)`);
  return m;
}

function parseEntries(header: Record<string, unknown>): HeaderEntry[] {
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const v = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (v.dtype !== 'F32' && v.dtype !== 'F16') throw new WeightFileError(`tensor '${name}' has dtype ${v.dtype}; converted files hold F32 or F16`);
    const n = v.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = v.data_offsets;
    if (end - begin !== n * (v.dtype === 'F32' ? 4 : 2)) throw new WeightFileError(`tensor '${name}' [${v.shape}] has ${end - begin} bytes of data`);
    entries.push({ name, dtype: v.dtype, shape: v.shape, begin, end });
  }
  return entries.sort((a, b) => a.begin - b.begin);
}

async function openStream(source: WeightSource): Promise<{ stream: ReadableStream<Uint8Array>; totalBytes?: number }> {
  if (source instanceof ReadableStream) return { stream: source };
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    const stream = new ReadableStream<Uint8Array>({ start: (c) => { c.enqueue(bytes); c.close(); } });
    return { stream, totalBytes: bytes.byteLength };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return { stream: source.stream(), totalBytes: source.size };
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const text = String(source);
  if (isNode && !/^(https?|data|blob):/.test(text)) {
    const fs = await import('node:fs');
    const { Readable } = await import('node:stream');
    const path = text.startsWith('file:') ? new URL(text).pathname : text;
    if (!fs.existsSync(path)) throw new WeightFileError(`weight file not found: ${path}`);
    const stream = Readable.toWeb(fs.createReadStream(path, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
    return { stream, totalBytes: fs.statSync(path).size };
  }
  const response = await fetch(text);
  if (!response.ok || !response.body) throw new WeightFileError(`fetching ${text} failed: HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length'));
  return { stream: response.body, totalBytes: length > 0 ? length : undefined };
}

/** Reads exact byte counts from a stream of arbitrarily sized chunks. */
class ByteReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async read(n: number): Promise<Uint8Array> {
    while (this.buffered < n) {
      const { value, done } = await this.reader.read();
      if (done) throw new WeightFileError(`weight file ended early: needed ${n - this.buffered} more bytes (truncated download or file?)`);
      this.chunks.push(value);
      this.buffered += value.byteLength;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      const take = Math.min(head.byteLength, n - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.buffered -= n;
    return out;
  }

  cancel(): void {
    void this.reader.cancel().catch(() => undefined);
  }
}
