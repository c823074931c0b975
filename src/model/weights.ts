/**
 * Loading converted weight files (safetensors + the engine's JSON metadata) into GPU tensors.
 * The file is consumed as a byte stream, one tensor at a time: a multi-GB model never sits
 * whole in JS memory, in Node (read from disk) or in browsers (fetch / File streams).
 */
import { openLocalFile } from '#platform';
import type { Engine } from '../gpu/engine.js';
import { EngineError } from '../gpu/errors.js';
import { f16BitsToF32, shapeString, type Tensor } from '../gpu/tensor.js';
import type { PixelLatentCodec } from './pixel-latent.js';
import { openWeightCache, sameFile, type WeightCacheOptions } from './weight-cache.js';

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

const MODEL_KINDS: readonly string[] = ['sit', 'sidenet', 'vae'];

export class WeightFileError extends EngineError {
  override name = 'WeightFileError';
}

/**
 * A load stopped through LoadOptions.signal. Named 'AbortError' like the DOM's exception (and
 * SamplingAbortedError), so `error.name === 'AbortError'` covers every cancelled operation.
 */
export class WeightLoadAbortedError extends EngineError {
  override name = 'AbortError';
}

/** Anything a converted file can come from. Strings are paths in Node and URLs in browsers. */
export type WeightSource = string | URL | ArrayBuffer | Uint8Array | Blob | ReadableStream<Uint8Array>;

export interface LoadProgress {
  loadedBytes: number;
  totalBytes: number;
  tensor: string;
  /** Where the bytes come from: the network, the browser weight cache, or a local path, buffer, blob or stream. */
  from: 'network' | 'cache' | 'local';
}

/** How long a load waits for the next bytes (or a server's response) before failing, by default. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

export interface LoadOptions {
  /** Storage dtype on the GPU; default f16 where the file is f16 and the device has shader-f16, else f32. */
  dtype?: 'f32' | 'f16';
  onProgress?: (p: LoadProgress) => void;
  /** Label prefix for the GPU buffers. */
  label?: string;
  /** Cancels the load: it rejects with an AbortError (WeightLoadAbortedError) and frees what it uploaded. */
  signal?: AbortSignal;
  /**
   * Fails the load with a WeightFileError when no bytes (or, for URLs, no response) arrive
   * for this long; default DEFAULT_STALL_TIMEOUT_MS (30 s), Infinity waits forever.
   */
  stallTimeoutMs?: number;
  /**
   * Keep files fetched from http(s) URLs in the Cache API and read them from there next time
   * (see weight-cache.ts). On by default where the Cache API exists (browsers, workers); false
   * turns it off.
   */
  cache?: WeightCacheOptions | false;
}

export interface LoadedWeights {
  metadata: WeightFileMetadata;
  tensors: Map<string, Tensor>;
  dtype: 'f32' | 'f16';
}

/**
 * Checks a file's metadata against its tensor shapes once the header is read, before any
 * byte of tensor data is downloaded or uploaded; throws a WeightFileError to refuse the file.
 */
export type HeaderCheck = (metadata: WeightFileMetadata, shapes: ReadonlyMap<string, readonly number[]>) => void;

interface HeaderEntry {
  name: string;
  dtype: 'F32' | 'F16';
  shape: number[];
  begin: number;
  end: number;
}

export async function loadWeights(engine: Engine, source: WeightSource, options: LoadOptions = {}, checkHeader?: HeaderCheck): Promise<LoadedWeights> {
  const watchdog = new LoadWatchdog(options.signal, options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
  watchdog.throwIfAborted(describeSource(source));
  const opened = await openStream(source, watchdog, options.cache);
  const reader = new ByteReader(opened, watchdog);
  const tensors = new Map<string, Tensor>();
  try {
    const { metadata, entries, dataStart } = await readHeader(reader, opened.totalBytes);
    checkHeader?.(metadata, new Map(entries.map((e) => [e.name, e.shape])));
    const dtype = options.dtype ?? (metadata.dtype === 'f16' && engine.has('shader-f16') ? 'f16' : 'f32');
    const total = opened.totalBytes ?? dataStart + (entries.length ? entries[entries.length - 1].end : 0);
    let position = 0;
    for (const e of entries) {
      await reader.skip(e.begin - position); // padding between tensors
      const bytes = await reader.read(e.end - e.begin);
      position = e.end;
      tensors.set(e.name, uploadTensor(engine, e, bytes, dtype, options.label));
      options.onProgress?.({ loadedBytes: dataStart + position, totalBytes: total, tensor: e.name, from: opened.from });
    }
    // An abort during the last progress callback still cancels the load.
    watchdog.throwIfAborted(opened.name);
    await opened.stored;
    return { metadata, tensors, dtype };
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    opened.discard?.();
    throw err;
  } finally {
    reader.cancel();
  }
}

/**
 * A converted file's metadata and tensor shapes from its header alone: no GPU, no tensor data
 * read (e.g. to check options against the model's architecture before any work).
 */
export async function readWeightFileHeader(source: WeightSource, options: Pick<LoadOptions, 'signal' | 'stallTimeoutMs'> = {}): Promise<{ metadata: WeightFileMetadata; shapes: Map<string, number[]> }> {
  const watchdog = new LoadWatchdog(options.signal, options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
  watchdog.throwIfAborted(describeSource(source));
  const opened = await openStream(source, watchdog);
  const reader = new ByteReader(opened, watchdog);
  try {
    const { metadata, entries } = await readHeader(reader, opened.totalBytes);
    return { metadata, shapes: new Map(entries.map((e) => [e.name, e.shape])) };
  } finally {
    reader.cancel();
  }
}

async function readHeader(reader: ByteReader, totalBytes: number | undefined): Promise<{ metadata: WeightFileMetadata; entries: HeaderEntry[]; dataStart: number }> {
  const headerLength = new DataView((await reader.read(8)).buffer).getBigUint64(0, true);
  if (headerLength > 100_000_000n) throw new WeightFileError(`not a safetensors file: header length ${headerLength} is implausible`);
  const header = parseHeader(new TextDecoder().decode(await reader.read(Number(headerLength))));
  const metadata = parseMetadata(header.__metadata__);
  const dataStart = 8 + Number(headerLength);
  const entries = parseEntries(header, totalBytes === undefined ? undefined : totalBytes - dataStart);
  return { metadata, entries, dataStart };
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

// ---- The header: untrusted JSON, checked field by field ------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A header value as it appears in the file, shortened for messages. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function parseHeader(text: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (cause) {
    throw new WeightFileError('not a safetensors file: its header is not JSON', { cause });
  }
  if (!isRecord(header)) throw new WeightFileError(`not a safetensors file: its header is not a JSON object but ${show(header)}`);
  return header;
}

function parseMetadata(raw: unknown): WeightFileMetadata {
  const text = isRecord(raw) ? raw[METADATA_KEY] : undefined;
  if (text === undefined || text === '') {
    throw new WeightFileError(`this safetensors file has no '${METADATA_KEY}' metadata: convert the checkpoint with tools/convert-weights first`);
  }
  if (typeof text !== 'string') throw new WeightFileError(`the '${METADATA_KEY}' metadata is not a JSON string but ${show(text)}`);
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (cause) {
    throw new WeightFileError(`the '${METADATA_KEY}' metadata is not JSON: ${show(text)}`, { cause });
  }
  if (!isRecord(m)) throw new WeightFileError(`the '${METADATA_KEY}' metadata is not a JSON object but ${show(m)}`);
  if (m.format !== 'ba-webgpu/1') throw new WeightFileError(`unsupported weight format ${show(m.format)} (this engine reads ba-webgpu/1)`);
  if (typeof m.kind !== 'string' || !MODEL_KINDS.includes(m.kind)) throw new WeightFileError(`unknown model kind ${show(m.kind).replace(/"/g, "'")} in the '${METADATA_KEY}' metadata (${MODEL_KINDS.join(', ')})`);
  if (!isRecord(m.arch)) throw new WeightFileError(`the '${METADATA_KEY}' metadata has no arch record for its ${m.kind} (found ${show(m.arch)})`);
  if (m.dtype !== 'f32' && m.dtype !== 'f16') throw new WeightFileError(`the '${METADATA_KEY}' metadata dtype ${show(m.dtype).replace(/"/g, "'")} is neither f32 nor f16`);
  if (m.convention !== 'repa' && m.convention !== 'sit') throw new WeightFileError(`the '${METADATA_KEY}' metadata time convention ${show(m.convention)} is neither repa nor sit`);
  return m as unknown as WeightFileMetadata;
}

/** The tensor entries in file order. `dataBytes`: the size of the data section, where known. */
function parseEntries(header: Record<string, unknown>, dataBytes: number | undefined): HeaderEntry[] {
  const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isRecord(value)) throw new WeightFileError(`tensor '${name}' has no dtype, shape and data_offsets: its header entry is ${show(value)}`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (dtype !== 'F32' && dtype !== 'F16') throw new WeightFileError(`tensor '${name}' has dtype ${typeof dtype === 'string' && dtype ? dtype : show(dtype)}; converted files hold F32 or F16`);
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new WeightFileError(`tensor '${name}' has shape ${show(shape)}; expected an array of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[1] < offsets[0]) {
      throw new WeightFileError(`tensor '${name}' has data_offsets ${show(offsets)}; expected [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    const needed = shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2);
    if (end - begin !== needed) throw new WeightFileError(`tensor '${name}' [${shape.join(', ')}] has ${end - begin} bytes of data; its shape and dtype need ${needed}`);
    if (dataBytes !== undefined && end > dataBytes) {
      throw new WeightFileError(`tensor '${name}' data_offsets [${begin}, ${end}] run past the end of the file's ${dataBytes} data bytes (truncated file?)`);
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < entries.length; i++) {
    const [previous, e] = [entries[i - 1], entries[i]];
    if (e.begin < previous.end) throw new WeightFileError(`tensors '${previous.name}' [${previous.begin}, ${previous.end}] and '${e.name}' [${e.begin}, ${e.end}] overlap`);
  }
  return entries;
}

/**
 * Throws a WeightFileError naming the first tensor of `expected` that the file lacks or holds
 * in another shape: a metadata arch that disagrees with the tensors fails here, at load, with
 * both shapes, not later inside an op.
 */
export function checkTensorShapes(model: string, expected: Iterable<readonly [string, readonly number[]]>, shapes: ReadonlyMap<string, readonly number[]>): void {
  for (const [name, shape] of expected) {
    const actual = shapes.get(name);
    if (!actual) throw new WeightFileError(`${model} weights lack '${name}' ${shapeString(shape)} (was the file converted by tools/convert-weights?)`);
    if (shapeString(actual) !== shapeString(shape)) throw new WeightFileError(`${model} weights: '${name}' is ${shapeString(actual)} but the metadata arch needs ${shapeString(shape)}`);
  }
}

/** Throws unless each named arch field is an integer >= `min` (the metadata is untrusted too). */
export function checkArchIntegers<A extends object>(model: string, arch: A, fields: readonly (keyof A & string)[], min = 1): void {
  for (const field of fields) {
    const value = arch[field] as unknown;
    if (!Number.isSafeInteger(value) || (value as number) < min) throw new WeightFileError(`${model} metadata arch: ${field} is ${show(value)}; expected an integer >= ${min}`);
  }
}

// ---- Sources: files, URLs, blobs, streams -------------------------------------------------

interface OpenedSource {
  stream: ReadableStream<Uint8Array>;
  totalBytes?: number;
  /** How messages name the source: a path, a URL, or 'the weight stream'. */
  name: string;
  /** The error for the stream failing after `receivedBytes` (a dropped connection, a read error). */
  failure(cause: unknown, receivedBytes: number): WeightFileError;
  from: LoadProgress['from'];
  /** Settles once a network copy is in the weight cache (never rejects). */
  stored?: Promise<void>;
  /** The load failed: drop the cached copy of a file that did not load. */
  discard?(): void;
}

function describeSource(source: WeightSource): string {
  if (typeof source === 'string' || source instanceof URL) return String(source);
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return 'the weight buffer';
  return 'the weight stream';
}

/** The message of an error and of its causes (fetch's TypeError hides the socket error in its cause). */
function errorChain(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(`${e instanceof Error ? e.message : String(e)}${typeof code === 'string' ? ` (${code})` : ''}`);
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}

/** What a failed fetch means, in words: Node puts the socket's error code in the cause. */
function connectionProblem(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
  };
  const words = typeof code === 'string' ? known[code] : undefined;
  return words ? `${words} (${errorChain(error)})` : errorChain(error);
}

function bufferStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (c) => { c.enqueue(bytes); c.close(); } });
}

async function openStream(source: WeightSource, watchdog: LoadWatchdog, cache?: WeightCacheOptions | false): Promise<OpenedSource> {
  const streamFailure = (name: string) => (cause: unknown, received: number) =>
    new WeightFileError(`reading ${name} failed after ${received} bytes: ${errorChain(cause)}`, { cause });
  if (source instanceof ReadableStream) return { stream: source, name: 'the weight stream', failure: streamFailure('the weight stream'), from: 'local' };
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    return { stream: bufferStream(bytes), totalBytes: bytes.byteLength, name: 'the weight buffer', failure: streamFailure('the weight buffer'), from: 'local' };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    return { stream: source.stream(), totalBytes: source.size, name: 'the weight blob', failure: streamFailure('the weight blob'), from: 'local' };
  }
  const text = String(source);
  const file = openLocalFile(text);
  if (file?.stream) return { stream: file.stream, totalBytes: file.totalBytes, name: file.path, failure: streamFailure(file.path), from: 'local' };
  if (file) throw new WeightFileError(`weight file not found: ${file.path}`);
  const store = isHttpUrl(text) ? await openWeightCache(cache) : undefined;
  return store ? openCachedUrl(text, store, cache || {}, watchdog) : openUrl(text, watchdog);
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text, globalThis.location?.href).protocol);
  } catch {
    return false; // fetch names what is wrong with it
  }
}

/** A URL through the weight cache: its copy when still current, else the network (stored on the way). */
async function openCachedUrl(url: string, store: Cache, options: WeightCacheOptions, watchdog: LoadWatchdog): Promise<OpenedSource> {
  const hit = await store.match(url);
  if (hit?.body && (options.revalidate === false || (await stillCurrent(url, hit, watchdog)))) {
    const length = Number(hit.headers.get('content-length'));
    return {
      stream: hit.body, totalBytes: length > 0 ? length : undefined, name: `${url} (cached)`, from: 'cache',
      failure: (cause, received) => new WeightFileError(`reading the cached copy of ${url} failed after ${received} bytes: ${errorChain(cause)}`, { cause }),
      discard: () => void store.delete(url),
    };
  }
  if (hit) await store.delete(url);
  const opened = await openUrl(url, watchdog);
  const [forLoad, forCache] = opened.stream.tee();
  const stored = store.put(url, new Response(forCache, { headers: opened.headers })).catch((err: unknown) => {
    // A full or refused cache only costs the next load a download.
    console.warn(`ba-webgpu: could not cache ${url}: ${errorChain(err)}`);
  });
  return {
    ...opened, stream: forLoad, stored,
    discard: () => {
      watchdog.transport.abort();
      void stored.then(() => store.delete(url));
    },
  };
}

/** Whether the server still has the cached file (a HEAD request); offline, the copy counts as current. */
async function stillCurrent(url: string, cached: Response, watchdog: LoadWatchdog): Promise<boolean> {
  try {
    const head = await watchdog.guard(fetch(url, { method: 'HEAD', signal: watchdog.transport.signal }), url, () => `no response for ${watchdog.stallTimeoutMs} ms`);
    return !head.ok || sameFile(cached, head);
  } catch (err) {
    if (err instanceof WeightLoadAbortedError) throw err;
    return true;
  }
}

async function openUrl(url: string, watchdog: LoadWatchdog): Promise<OpenedSource & { headers: Headers }> {
  let response: Response;
  try {
    response = await watchdog.guard(fetch(url, { signal: watchdog.transport.signal }), url, () => `no response for ${watchdog.stallTimeoutMs} ms`);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new WeightFileError(`fetching ${url} failed: ${connectionProblem(err)}`, { cause: err });
  }
  if (!response.ok || !response.body) {
    void response.body?.cancel().catch(() => undefined);
    throw new WeightFileError(`fetching ${url} failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  const length = Number(response.headers.get('content-length'));
  const totalBytes = length > 0 ? length : undefined;
  return {
    stream: response.body,
    totalBytes,
    name: url,
    from: 'network',
    headers: response.headers,
    failure: (cause, received) =>
      new WeightFileError(`fetching ${url} failed: the connection closed after ${received} of ${totalBytes ?? 'an unknown number of'} bytes (${errorChain(cause)})`, { cause }),
  };
}

/**
 * Bounds every wait of a load: rejects when the caller's signal aborts or nothing arrives for
 * stallTimeoutMs, and then aborts `transport` so that a fetch's connection is closed too.
 */
class LoadWatchdog {
  /** Passed to fetch: aborted when the load is cancelled or stalls. */
  readonly transport = new AbortController();

  constructor(
    private readonly signal: AbortSignal | undefined,
    readonly stallTimeoutMs: number,
  ) {
    if (!(stallTimeoutMs > 0)) throw new RangeError(`stallTimeoutMs must be a positive number of milliseconds (Infinity: no limit), got ${stallTimeoutMs}`);
  }

  throwIfAborted(sourceName: string): void {
    if (this.signal?.aborted) throw this.abortError(sourceName);
  }

  /** `wait`, unless the load is aborted or `wait` takes stallTimeoutMs; `stall` says what did not arrive. */
  async guard<T>(wait: Promise<T>, sourceName: string, stall: () => string): Promise<T> {
    this.throwIfAborted(sourceName);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      const fail = (error: EngineError) => {
        this.transport.abort(error);
        reject(error);
      };
      onAbort = () => fail(this.abortError(sourceName));
      this.signal?.addEventListener('abort', onAbort, { once: true });
      // setTimeout fires at once for delays past 2^31 - 1 ms: those mean "no limit".
      if (this.stallTimeoutMs < 2 ** 31) timer = setTimeout(() => fail(new WeightFileError(`loading ${sourceName} stalled: ${stall()}`)), this.stallTimeoutMs);
    });
    try {
      return await Promise.race([wait, interrupted]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.signal?.removeEventListener('abort', onAbort);
    }
  }

  private abortError(sourceName: string): WeightLoadAbortedError {
    return new WeightLoadAbortedError(`loading ${sourceName} was aborted`, { cause: this.signal?.reason });
  }
}

/** Reads exact byte counts from a stream of arbitrarily sized chunks. */
class ByteReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private received = 0;

  constructor(
    private readonly source: OpenedSource,
    private readonly watchdog: LoadWatchdog,
  ) {
    this.reader = source.stream.getReader();
  }

  async read(n: number): Promise<Uint8Array> {
    await this.fill(n);
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

  /** Discards n bytes. */
  async skip(n: number): Promise<void> {
    if (n > 0) await this.read(n);
  }

  cancel(): void {
    void this.reader.cancel().catch(() => undefined);
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n) {
      const { value, done } = await this.next();
      if (done) {
        throw new WeightFileError(`${this.source.name} ended early after ${this.received} bytes: needed ${n - this.buffered} more (truncated download or file?)`);
      }
      this.chunks.push(value);
      this.buffered += value.byteLength;
      this.received += value.byteLength;
    }
  }

  private async next(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const { source, watchdog } = this;
    const total = source.totalBytes === undefined ? '' : ` of ${source.totalBytes}`;
    try {
      return await watchdog.guard(this.reader.read(), source.name, () => `no bytes for ${watchdog.stallTimeoutMs} ms after ${this.received}${total} bytes`);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw source.failure(err, this.received);
    }
  }
}
