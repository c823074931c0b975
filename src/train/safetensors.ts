/**
 * Minimal in-memory safetensors (browser-safe: bytes in, bytes out). Format: u64 LE header
 * length, JSON header {name: {dtype, shape, data_offsets}, __metadata__: {str: str}} padded
 * with spaces so the data starts 8-byte aligned, then the raw little-endian data.
 *
 * Optionally a file carries a checksum in its metadata, so that a torn or bit-flipped file is
 * told apart from a good one before its numbers are used: `__metadata__.file_crc32` holds the CRC-32
 * (IEEE, as in zip and PNG) of the whole file computed with those 8 hex digits read as
 * '00000000'. It stays a plain safetensors file that any reader loads.
 */
import { EngineError } from '../gpu/errors.js';

/** A file that is not valid safetensors: truncated, a broken header, or a checksum mismatch. */
export class SafetensorsError extends EngineError {
  override name = 'SafetensorsError';
}

/** The `__metadata__` key of the checksum (see the file comment). */
export const CHECKSUM_KEY = 'file_crc32';
const CHECKSUM_PLACEHOLDER = '00000000';

export interface NamedArray {
  shape: readonly number[];
  data: Float32Array;
}

export function serializeSafetensors(
  tensors: ReadonlyMap<string, NamedArray> | [string, NamedArray][], metadata: Record<string, string> = {}, options: { checksum?: boolean } = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : (tensors as [string, NamedArray][]);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // The checksum is the last metadata entry, so it is the last '"file_crc32":"' in the header.
  // With its comma the entry is 24 bytes: added to other metadata, it leaves the alignment padding as it was.
  header.__metadata__ = options.checksum ? { ...metadata, [CHECKSUM_KEY]: CHECKSUM_PLACEHOLDER } : metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), at);
    at += t.data.length * 4;
  }
  if (options.checksum) out.set(new TextEncoder().encode(hex32(crc32(out))), checksumOffset(out, head.length)!);
  return out;
}

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;

/** The JSON header and where the data starts; SafetensorsError if the header cannot be read. */
function readHeader(bytes: Uint8Array): { header: Header; headerLength: number; base: number } {
  if (bytes.length < 8) throw new SafetensorsError(`not a safetensors file (${bytes.length} bytes, shorter than the 8-byte header length)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw new SafetensorsError(`not a safetensors file or truncated (header of ${n} bytes, the file has ${bytes.length})`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Header;
  } catch (e) {
    throw new SafetensorsError(`safetensors header is not JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError('safetensors header is not a JSON object');
  return { header, headerLength: n, base: 8 + n };
}

/** Byte offset of the checksum's hex digits (the last `"file_crc32":"` in the header), or undefined. */
function checksumOffset(bytes: Uint8Array, headerLength: number): number | undefined {
  const key = new TextEncoder().encode(`"${CHECKSUM_KEY}":"`);
  const head = bytes.subarray(8, 8 + headerLength);
  for (let i = head.length - key.length; i >= 0; i--) {
    let match = true;
    for (let j = 0; j < key.length && match; j++) match = head[i + j] === key[j];
    if (match) return 8 + i + key.length;
  }
  return undefined;
}

/**
 * Checks the file's checksum (see the file comment): 'verified' when it matches, 'absent' when
 * the file has none (written without one, e.g. by an older version). Throws SafetensorsError
 * when it does not match or the header cannot be read.
 */
export function verifySafetensorsChecksum(bytes: Uint8Array): 'verified' | 'absent' {
  const { header, headerLength } = readHeader(bytes);
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, unknown>;
  const stored = metadata[CHECKSUM_KEY];
  if (stored === undefined) return 'absent';
  const at = checksumOffset(bytes, headerLength);
  if (typeof stored !== 'string' || !/^[0-9a-f]{8}$/.test(stored) || at === undefined) throw new SafetensorsError(`checksum entry '${CHECKSUM_KEY}' is malformed: ${JSON.stringify(stored)}`);
  const zeroed = new Uint8Array(bytes);
  zeroed.set(new TextEncoder().encode(CHECKSUM_PLACEHOLDER), at);
  const actual = hex32(crc32(zeroed));
  if (actual !== stored) throw new SafetensorsError(`checksum mismatch (CRC-32 ${actual}, the file says ${stored}): the file is corrupted`);
  return 'verified';
}

export function parseSafetensors(bytes: Uint8Array): { metadata: Record<string, string>; tensors: Map<string, NamedArray> } {
  const { header, base } = readHeader(bytes);
  const dataBytes = bytes.length - base;
  const tensors = new Map<string, NamedArray>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets ?? [];
    const elementBytes = info.dtype === 'F32' ? 4 : info.dtype === 'F16' ? 2 : 0;
    if (!elementBytes) throw new SafetensorsError(`tensor ${name}: dtype ${info.dtype} (expected F32 or F16)`);
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e < b) throw new SafetensorsError(`tensor ${name}: invalid data_offsets ${JSON.stringify(info.data_offsets)}`);
    if (e > dataBytes) throw new SafetensorsError(`truncated: tensor ${name} ends at data byte ${e}, the file holds ${dataBytes} data bytes`);
    const count = (info.shape ?? []).reduce((a, d) => a * d, 1);
    if (count * elementBytes !== e - b) throw new SafetensorsError(`tensor ${name}: shape [${info.shape}] of ${info.dtype} needs ${count * elementBytes} bytes, data_offsets span ${e - b}`);
    // A copy, aligned at 0 (Node's Buffer.slice() would return a view of the whole file instead).
    const raw = new Uint8Array(bytes.subarray(base + b, base + e));
    const data = info.dtype === 'F32' ? new Float32Array(raw.buffer, 0, count) : Float32Array.from(new Uint16Array(raw.buffer, 0, count), halfToFloat);
    tensors.set(name, { shape: info.shape, data });
  }
  return { metadata: (header.__metadata__ as unknown as Record<string, string>) ?? {}, tensors };
}

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, reflected, as zlib's crc32). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const hex32 = (x: number) => x.toString(16).padStart(8, '0');

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
