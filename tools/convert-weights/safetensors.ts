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

/** True when the first bytes look like a safetensors header (length, then '{'). */
export function looksLikeSafetensors(head: Uint8Array, fileSize: number): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  return n < BigInt(fileSize);
}

export async function readSafetensors(file: RandomAccessFile): Promise<SafetensorsFile> {
  const n = Number(new DataView((await file.read(0, 8, 'safetensors header size')).buffer).getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES) throw new CorruptFileError(`${file.path}: safetensors header of ${n} bytes`);
  const text = new TextDecoder().decode(await file.read(8, n, 'safetensors header'));
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CorruptFileError(`${file.path}: the safetensors header is not valid JSON`);
  }
  const base = 8 + n;
  const tensors = new Map<string, TensorSource>();
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: range } = info as { dtype: DType; shape: number[]; data_offsets: number[] };
    if (!(dtype in ITEM_SIZE)) throw new CorruptFileError(`${file.path}: tensor ${name} has unknown dtype ${dtype}`);
    if (range[1] - range[0] !== numel(shape) * ITEM_SIZE[dtype]) {
      throw new CorruptFileError(`${file.path}: tensor ${name} byte range does not match its shape [${shape}]`);
    }
    if (base + range[1] > file.size) {
      throw new TruncatedFileError(
        `${file.path} is truncated: tensor ${name} needs bytes up to ${base + range[1]}, file has ${file.size}`,
      );
    }
    tensors.set(name, { dtype, shape, read: () => file.read(base + range[0], range[1] - range[0], `tensor ${name}`) });
  }
  return { metadata, tensors };
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
    await handle.write(Buffer.concat([prefix, body]), 0, 8 + body.length, 0);
    return new SafetensorsWriter(handle, path, specs, 8 + body.length);
  }

  /** Bytes of the next tensor in spec order. */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const spec = this.specs[this.next];
    const expected = spec ? numel(spec.shape) * ITEM_SIZE[spec.dtype] : 0;
    if (!spec || spec.name !== name || bytes.length !== expected) {
      throw new ConvertError(`safetensors writer: got ${name} (${bytes.length} bytes), expected ${spec?.name} (${expected})`);
    }
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += bytes.length;
    this.next++;
  }

  async close(): Promise<void> {
    await this.handle.close();
    if (this.next !== this.specs.length) {
      throw new ConvertError(`safetensors writer closed after ${this.next} of ${this.specs.length} tensors`);
    }
    await rename(`${this.path}.partial`, this.path);
  }

  /** Closes and deletes the partial file after a failure. */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(`${this.path}.partial`, { force: true });
  }
}
