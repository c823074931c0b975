/**
 * Element types (safetensors spelling) and the float conversions the converter needs.
 * Byte order is little-endian throughout, as in torch.save storages and safetensors; typed
 * arrays are used directly, which assumes a little-endian host (x86, ARM).
 */
import { DtypeError } from './errors.js';

export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
export type OutputDType = 'f32' | 'f16';

export const ITEM_SIZE: Record<DType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export const FLOAT_DTYPES: ReadonlySet<DType> = new Set<DType>(['F64', 'F32', 'F16', 'BF16']);

/** Converts contiguous little-endian `src`-typed bytes to f32 or f16 bytes. */
export function convertFloats(bytes: Uint8Array, src: DType, dst: OutputDType, what: string): Uint8Array {
  if (!FLOAT_DTYPES.has(src)) throw new DtypeError(`${what} has dtype ${src}; model weights must be floating point`);
  if ((src === 'F32' && dst === 'f32') || (src === 'F16' && dst === 'f16')) return bytes;
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const n = aligned.byteLength / ITEM_SIZE[src];
  const buf = aligned.buffer;
  const at = aligned.byteOffset;

  if (dst === 'f32') {
    const out = new Float32Array(n);
    if (src === 'F64') out.set(new Float64Array(buf, at, n)); // Float32Array stores round to nearest even
    else if (src === 'BF16') {
      const inp = new Uint16Array(buf, at, n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = inp[i] << 16;
    } else {
      const inp = new Uint16Array(buf, at, n);
      for (let i = 0; i < n; i++) out[i] = f16BitsToNumber(inp[i]);
    }
    return new Uint8Array(out.buffer);
  }

  const out = new Uint16Array(n);
  if (src === 'F64') {
    // Direct rounding: going through f32 first could round twice.
    const inp = new Float64Array(buf, at, n);
    for (let i = 0; i < n; i++) out[i] = numberToF16Bits(inp[i]);
  } else if (src === 'F32') {
    const inp = new Uint32Array(buf, at, n);
    for (let i = 0; i < n; i++) out[i] = f32BitsToF16Bits(inp[i]);
  } else {
    const inp = new Uint16Array(buf, at, n);
    for (let i = 0; i < n; i++) out[i] = f32BitsToF16Bits(inp[i] << 16); // bf16 → f32 is exact
  }
  return new Uint8Array(out.buffer);
}

/** IEEE binary32 bits → binary16 bits, round to nearest, ties to even (as torch's .half()). */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0); // inf, quiet NaN
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the significand with its implicit bit into place.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rem > half || (rem === half && r & 1)) r++; // a carry into 0x400 is the smallest normal
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++; // a carry may reach the exponent, even inf
  return sign | r;
}

/** Any double → binary16 bits, one rounding (nearest, ties to even). */
export function numberToF16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 is halfway between 65504 and 2^16: ties to inf
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return sign | (((e + 15) << 10) + roundHalfEven((a / 2 ** e - 1) * 1024));
}

export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}
