/** A minimal synchronous safetensors reader for Node tests (fixtures and converter outputs). */
import { readFileSync } from 'node:fs';

export interface FixtureTensor {
  shape: number[];
  dtype: string;
  data: Float32Array | Int32Array | Float64Array;
}

export function readSafetensorsFile(path: string): { metadata: Record<string, string>; tensors: Map<string, FixtureTensor> } {
  const file = readFileSync(path);
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8'));
  const base = 8 + headerLength;
  const tensors = new Map<string, FixtureTensor>();
  for (const [name, v] of Object.entries(header) as [string, { dtype: string; shape: number[]; data_offsets: [number, number] }][]) {
    if (name === '__metadata__') continue;
    const raw = file.subarray(base + v.data_offsets[0], base + v.data_offsets[1]);
    const copy = new Uint8Array(raw).buffer;
    const data =
      v.dtype === 'F32' ? new Float32Array(copy)
        : v.dtype === 'I32' ? new Int32Array(copy)
          : v.dtype === 'F64' ? new Float64Array(copy)
            : v.dtype === 'F16' ? Float32Array.from(new Uint16Array(copy), halfToFloat)
              : undefined;
    if (!data) throw new Error(`${path}: tensor ${name} has unsupported dtype ${v.dtype}`);
    tensors.set(name, { shape: v.shape, dtype: v.dtype, data });
  }
  return { metadata: header.__metadata__ ?? {}, tensors };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
