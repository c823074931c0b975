/**
 * safetensors: 8-byte little-endian header length, a JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}),
 * then the tensor bytes; offsets are relative to the end of the header.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { ConvertError, CorruptFileError, TruncatedFileError } from './errors.js';
import { ITEM_SIZE, type DType } from './dtype.js';
import type { RandomAccessFile } from './file.js';
import { numel, type TensorSource } from './tensor.js';

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, TensorSource>;
}

const MAX_HEADER_BYTES = 100 << 20;

/** True when the first bytes look like a safetensors file: a JSON header starts at byte 8. */
export function looksLikeSafetensors(head: Uint8Array): boolean {
  return head.length >= 9 && head[8] === 0x7b;
}

/**
 * Reads the header and checks it against the file before anything is allocated for tensors:
 * every tensor's dtype, shape and byte range must be valid, its range must lie in the data
 * and match its shape, and no two ranges may overlap (header order does not matter; gaps are
 * harmless and allowed, though the reference writer leaves none).
 */
export async function readSafetensors(file: RandomAccessFile): Promise<SafetensorsFile> {
  const declared = new DataView((await file.read(0, 8, 'safetensors header size')).buffer).getBigUint64(0, true);
  if (declared + 8n > BigInt(file.size)) {
    throw new TruncatedFileError(`${file.path}: the safetensors header length ${declared} exceeds the file size ${file.size}`);
  }
  const n = Number(declared);
  if (n > MAX_HEADER_BYTES) throw new CorruptFileError(`${file.path}: safetensors header of ${n} bytes (at most ${MAX_HEADER_BYTES})`);
  const text = new TextDecoder().decode(await file.read(8, n, 'safetensors header'));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new CorruptFileError(`${file.path}: the safetensors header is not valid JSON`);
  }
  if (!isPlainObject(header)) throw new CorruptFileError(`${file.path}: the safetensors header is not a JSON object`);
  const base = 8 + n;
  const dataBytes = file.size - base;
  const tensors = new Map<string, TensorSource>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(info) || !Object.values(info).every((v) => typeof v === 'string')) {
        throw new CorruptFileError(`${file.path}: __metadata__ must map strings to strings`);
      }
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, begin, end } = tensorEntry(info, `${file.path}: tensor ${name}`);
    if (end - begin !== numel(shape) * ITEM_SIZE[dtype]) {
      throw new CorruptFileError(`${file.path}: tensor ${name} byte range does not match its shape [${shape}]`);
    }
    if (end > dataBytes) {
      throw new TruncatedFileError(
        `${file.path} is truncated: tensor ${name} needs bytes up to ${base + end}, file has ${file.size}`,
      );
    }
    ranges.push({ name, begin, end });
    tensors.set(name, { dtype, shape, read: () => file.read(base + begin, end - begin, `tensor ${name}`) });
  }
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < ranges.length; i++) {
    const [a, b] = [ranges[i - 1], ranges[i]];
    // Empty tensors take no bytes, so they overlap nothing.
    if (b.begin < a.end && a.begin < a.end && b.begin < b.end) {
      throw new CorruptFileError(
        `${file.path}: tensors ${a.name} (bytes ${a.begin}..${a.end}) and ${b.name} (bytes ${b.begin}..${b.end}) overlap`,
      );
    }
  }
  return { metadata, tensors };
}

/** One tensor's header entry, validated; `what` names it in errors. */
function tensorEntry(info: unknown, what: string): { dtype: DType; shape: number[]; begin: number; end: number } {
  if (!isPlainObject(info)) throw new CorruptFileError(`${what}: expected {dtype, shape, data_offsets}, got ${brief(info)}`);
  const { dtype, shape, data_offsets: range } = info;
  if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_SIZE, dtype)) {
    throw new CorruptFileError(`${what} has unknown dtype ${brief(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new CorruptFileError(`${what}: shape must be an array of non-negative integers, got ${brief(shape)}`);
  }
  if (!Array.isArray(range) || range.length !== 2 || !range.every(isCount)) {
    throw new CorruptFileError(`${what}: data_offsets must be two non-negative integers, got ${brief(range)}`);
  }
  const [begin, end] = range as [number, number];
  if (begin > end) throw new CorruptFileError(`${what}: data_offsets [${begin}, ${end}] begin after they end`);
  return { dtype: dtype as DType, shape, begin, end };
}

/** A header value as JSON, cut short: a corrupt header can hold anything. */
function brief(v: unknown): string {
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: readonly number[];
}

/**
 * Writes the header up front (all sizes are known from the shapes), then tensors one at a
 * time in spec order, so only one tensor is in memory. Writes to `<path>.partial` and renames
 * on close, so an interrupted conversion never leaves a plausible-looking output.
 */
export class SafetensorsWriter {
  private next = 0;
  private position: number;

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly specs: readonly TensorSpec[],
    headerBytes: number,
  ) {
    this.position = headerBytes;
  }

  static async create(path: string, specs: readonly TensorSpec[], metadata: Record<string, string>) {
    const header: Record<string, unknown> = { __metadata__: metadata };
    let offset = 0;
    for (const s of specs) {
      const bytes = numel(s.shape) * ITEM_SIZE[s.dtype];
      header[s.name] = { dtype: s.dtype, shape: s.shape, data_offsets: [offset, offset + bytes] };
      offset += bytes;
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // keep tensor data 8-byte aligned
    const body = Buffer.from(json);
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(body.length));
    const handle = await open(`${path}.partial`, 'w');
    try {
      await writeFully(handle, Buffer.concat([prefix, body]), 0);
    } catch (e) {
      await handle.close().catch(() => undefined);
      await rm(`${path}.partial`, { force: true });
      throw e;
    }
    return new SafetensorsWriter(handle, path, specs, 8 + body.length);
  }

  /** Bytes of the next tensor in spec order. */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const spec = this.specs[this.next];
    const expected = spec ? numel(spec.shape) * ITEM_SIZE[spec.dtype] : 0;
    if (!spec || spec.name !== name || bytes.length !== expected) {
      throw new ConvertError(`safetensors writer: got ${name} (${bytes.length} bytes), expected ${spec?.name} (${expected})`);
    }
    await writeFully(this.handle, bytes, this.position);
    this.position += bytes.length;
    this.next++;
  }

  /** Renames the finished file into place; on any failure the partial file is removed. */
  async close(): Promise<void> {
    try {
      await this.handle.close();
      if (this.next !== this.specs.length) {
        throw new ConvertError(`safetensors writer closed after ${this.next} of ${this.specs.length} tensors`);
      }
      await rename(`${this.path}.partial`, this.path);
    } catch (e) {
      await rm(`${this.path}.partial`, { force: true });
      throw e;
    }
  }

  /** Closes and deletes the partial file after a failure. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(`${this.path}.partial`, { force: true });
  }
}

/** A single write may take fewer bytes than given, so loop. */
async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
