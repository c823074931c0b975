/**
 * Minimal in-memory safetensors (browser-safe: bytes in, bytes out). Format: u64 LE header
 * length, JSON header {name: {dtype, shape, data_offsets}, __metadata__: {str: str}} padded
 * with spaces so the data starts 8-byte aligned, then the raw little-endian data.
 */
export interface NamedArray {
  shape: readonly number[];
  data: Float32Array;
}

export function serializeSafetensors(tensors: ReadonlyMap<string, NamedArray> | [string, NamedArray][], metadata: Record<string, string> = {}): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : (tensors as [string, NamedArray][]);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  header.__metadata__ = metadata;
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
  return out;
}

export function parseSafetensors(bytes: Uint8Array): { metadata: Record<string, string>; tensors: Map<string, NamedArray> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw new Error('not a safetensors file (header length past the end)');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const tensors = new Map<string, NamedArray>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [b, e] = info.data_offsets;
    // A copy, aligned at 0 (Node's Buffer.slice() would return a view of the whole file instead).
    const raw = new Uint8Array(bytes.subarray(base + b, base + e));
    let data: Float32Array;
    if (info.dtype === 'F32') data = new Float32Array(raw.buffer, 0, (e - b) / 4);
    else if (info.dtype === 'F16') data = Float32Array.from(new Uint16Array(raw.buffer, 0, (e - b) / 2), halfToFloat);
    else throw new Error(`tensor ${name}: dtype ${info.dtype} (expected F32 or F16)`);
    tensors.set(name, { shape: info.shape, data });
  }
  return { metadata: (header.__metadata__ as unknown as Record<string, string>) ?? {}, tensors };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
