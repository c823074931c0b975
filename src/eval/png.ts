/**
 * PNG encoding in plain TypeScript (browsers and Node, no zlib binding): 8-bit gray, gray +
 * alpha, RGB or RGBA, one IDAT chunk holding a zlib stream. The deflate data is LZ77 with the
 * fixed Huffman code (plots and image grids are mostly flat, so they shrink 20-100×), or stored
 * blocks when that would be smaller (noise).
 */
import { ShapeError } from '../gpu/errors.js';
import { EvalInputError } from './errors.js';
import { ADVANCE, CELL_HEIGHT } from './font.js';
import { Canvas } from './raster.js';

export type PngChannels = 1 | 2 | 3 | 4;

/** PNG colour type for 1..4 channels: gray, gray + alpha, RGB, RGBA. */
const COLOR_TYPE: Record<PngChannels, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Encodes 8-bit pixels [height, width, channels] (row-major, interleaved) as a PNG file. */
export function encodePng(width: number, height: number, channels: PngChannels, pixels: Uint8Array): Uint8Array {
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) throw new ShapeError(`encodePng: ${name} ${v} is not an integer in [1, 2^31 − 1]`);
  }
  if (!(channels in COLOR_TYPE)) throw new ShapeError(`encodePng: ${channels} channels; PNG takes 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA)`);
  const stride = width * channels;
  if (pixels.length !== height * stride) throw new ShapeError(`encodePng: ${pixels.length} bytes for ${width}×${height}×${channels} = ${height * stride}`);
  // Each scanline is preceded by its filter type; 0 = None.
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, COLOR_TYPE[channels], 0, 0, 0], 8); // bit depth, colour type, deflate, filter set 0, no interlace
  return concat([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlibCompress(raw)), chunk('IEND', new Uint8Array(0))]);
}

export interface ImageGridOptions {
  /** Black border between and around the images, in output pixels (default 2). */
  pad?: number;
  /** One caption per image, drawn under it in white (e.g. class names or predictions). */
  labels?: readonly string[];
}

/**
 * A grayscale PNG of `count` images [count, height, width] with values in [-1, 1] (mapped to
 * round((v + 1)·127.5), clamped), laid out `cols` per row on black, each pixel magnified to
 * `scale` × `scale`.
 */
export function imageGridPng(images: Float32Array, count: number, height: number, width: number, cols: number, scale = 1, options: ImageGridOptions = {}): Uint8Array {
  const [h, w] = [height, width];
  const { pad = 2, labels } = options;
  if (![count, h, w].every((d) => Number.isInteger(d) && d > 0)) throw new ShapeError(`imageGridPng: count ${count}, height ${h} and width ${w} must be positive integers`);
  if (images.length !== count * h * w) throw new ShapeError(`imageGridPng: images hold ${images.length} values, expected ${count}×${h}×${w} = ${count * h * w}`);
  if (!Number.isInteger(cols) || cols < 1) throw new EvalInputError(`imageGridPng: cols ${cols} is not a positive integer`);
  if (!Number.isInteger(scale) || scale < 1) throw new EvalInputError(`imageGridPng: scale ${scale} is not a positive integer`);
  if (!Number.isInteger(pad) || pad < 0) throw new EvalInputError(`imageGridPng: pad ${pad} is not a non-negative integer`);
  if (labels && labels.length !== count) throw new EvalInputError(`imageGridPng: ${labels.length} labels for ${count} images`);
  const fontScale = Math.max(1, Math.floor(scale / 2));
  const labelHeight = labels ? (CELL_HEIGHT + 2) * fontScale : 0;
  const longest = labels ? Math.max(...labels.map((l) => [...l].length)) : 0;
  const cellWidth = Math.max(w * scale, longest * ADVANCE * fontScale);
  const cellHeight = h * scale + labelHeight;
  const rows = Math.ceil(count / cols);
  const shown = Math.min(cols, count);
  const canvas = new Canvas(shown * (cellWidth + pad) + pad, rows * (cellHeight + pad) + pad, 1, '#000000');
  for (let i = 0; i < count; i++) {
    const left = pad + (i % cols) * (cellWidth + pad) + Math.floor((cellWidth - w * scale) / 2);
    const top = pad + Math.floor(i / cols) * (cellHeight + pad);
    for (let y = 0; y < h * scale; y++) {
      const row = (top + y) * canvas.width;
      for (let x = 0; x < w * scale; x++) {
        const v = images[i * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
        canvas.pixels[row + left + x] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
      }
    }
    if (labels) {
      const centre = pad + (i % cols) * (cellWidth + pad) + cellWidth / 2;
      canvas.drawText(labels[i], centre, top + h * scale + 8 * fontScale, { scale: fontScale, color: '#ffffff', anchor: 'middle' });
    }
  }
  return encodePng(canvas.width, canvas.height, 1, canvas.pixels);
}

/**
 * An RGB PNG of 8-bit RGBA images (each [height, width, 4], e.g. from
 * ImageGenerator.readPixels; alpha dropped), laid out `cols` per row on black with a `pad`
 * border, each pixel magnified to `scale` × `scale`.
 */
export function rgbaGridPng(images: readonly Uint8Array[], height: number, width: number, cols: number, scale = 1, pad = 2): Uint8Array {
  if (!images.length || ![height, width, cols, scale].every((d) => Number.isInteger(d) && d > 0)) {
    throw new EvalInputError(`rgbaGridPng: ${images.length} images, height ${height}, width ${width}, cols ${cols} and scale ${scale} must be positive integers`);
  }
  const bad = images.findIndex((im) => im.length !== height * width * 4);
  if (bad >= 0) throw new ShapeError(`rgbaGridPng: image ${bad} holds ${images[bad].length} bytes, expected ${height}×${width}×4`);
  const shown = Math.min(cols, images.length);
  const gridWidth = shown * (width * scale + pad) + pad;
  const gridHeight = Math.ceil(images.length / cols) * (height * scale + pad) + pad;
  const pixels = new Uint8Array(gridWidth * gridHeight * 3);
  images.forEach((image, i) => {
    const left = pad + (i % cols) * (width * scale + pad);
    const top = pad + Math.floor(i / cols) * (height * scale + pad);
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < width * scale; x++) {
        const from = (Math.floor(y / scale) * width + Math.floor(x / scale)) * 4;
        pixels.set(image.subarray(from, from + 3), ((top + y) * gridWidth + left + x) * 3);
      }
    }
  });
  return encodePng(gridWidth, gridHeight, 3, pixels);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309 / PNG / zlib polynomial 0xEDB88320). */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Adler-32 (zlib's trailer checksum). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    // 5552 bytes is the most that cannot overflow before the modulo (zlib's NMAX).
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream (RFC 1950) of `data`: header, deflate data (RFC 1951), Adler-32. */
export function zlibCompress(data: Uint8Array): Uint8Array {
  const fixed = deflateFixed(data);
  const body = fixed.length < storedLength(data.length) ? fixed : deflateStored(data);
  const out = new Uint8Array(2 + body.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary; (0x78 << 8 | 0x01) is a multiple of 31 as required
  out.set(body, 2);
  new DataView(out.buffer).setUint32(2 + body.length, adler32(data));
  return out;
}

const MAX_STORED = 65535;

function storedLength(n: number): number {
  return n + 5 * Math.max(1, Math.ceil(n / MAX_STORED));
}

/** Stored (uncompressed) blocks: a header byte, LEN and its complement NLEN (LE), the bytes. */
function deflateStored(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(storedLength(data.length));
  let at = 0;
  let i = 0;
  do {
    const len = Math.min(MAX_STORED, data.length - i);
    const final = i + len >= data.length;
    out[at] = final ? 1 : 0; // BFINAL, BTYPE 00, then padding to the byte boundary
    out[at + 1] = len & 0xff;
    out[at + 2] = len >>> 8;
    out[at + 3] = ~len & 0xff;
    out[at + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(i, i + len), at + 5);
    at += 5 + len;
    i += len;
  } while (i < data.length);
  return out;
}

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const HASH_BITS = 15;
/** Candidates tried per position: a speed/ratio trade-off (zlib's level 6 uses 128). */
const MAX_CHAIN = 48;

/** Fixed-Huffman code of a literal/length symbol: [code, bit length] (RFC 1951 §3.2.6). */
function fixedLiteral(symbol: number): [number, number] {
  if (symbol < 144) return [0x30 + symbol, 8];
  if (symbol < 256) return [0x190 + symbol - 144, 9];
  if (symbol < 280) return [symbol - 256, 7];
  return [0xc0 + symbol - 280, 8];
}

function reverseBits(code: number, length: number): number {
  let r = 0;
  for (let i = 0; i < length; i++) r |= ((code >>> i) & 1) << (length - 1 - i);
  return r;
}

class BitWriter {
  private bytes = new Uint8Array(1024);
  private length = 0;
  private bits = 0;
  private count = 0;

  /** Appends the low `n` bits of `value`, least significant first (deflate's bit order). */
  write(value: number, n: number): void {
    this.bits |= value << this.count;
    this.count += n;
    while (this.count >= 8) {
      if (this.length === this.bytes.length) {
        const grown = new Uint8Array(this.bytes.length * 2);
        grown.set(this.bytes);
        this.bytes = grown;
      }
      this.bytes[this.length++] = this.bits & 0xff;
      this.bits >>>= 8;
      this.count -= 8;
    }
  }

  finish(): Uint8Array {
    if (this.count > 0) this.write(0, 8 - this.count);
    return this.bytes.slice(0, this.length);
  }
}

/** One final block with the fixed Huffman code; greedy LZ77 matches found by 3-byte hash chains. */
function deflateFixed(data: Uint8Array): Uint8Array {
  // Huffman codes go most significant bit first: pre-reverse them for the LSB-first writer.
  const literalCodes = Array.from({ length: 288 }, (_, s) => {
    const [code, length] = fixedLiteral(s);
    return [reverseBits(code, length), length] as const;
  });
  const lengthSymbol = new Uint16Array(MAX_MATCH + 1);
  for (let i = 0; i < LENGTH_BASE.length; i++) {
    for (let len = LENGTH_BASE[i]; len < LENGTH_BASE[i] + (1 << LENGTH_EXTRA[i]) && len <= MAX_MATCH; len++) lengthSymbol[len] = i;
  }
  lengthSymbol[MAX_MATCH] = 28; // 258 has its own code (285), not 284 + 31
  const out = new BitWriter();
  out.write(1, 1); // BFINAL
  out.write(1, 2); // BTYPE 01: fixed Huffman
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(WINDOW);
  const n = data.length;
  const hashAt = (i: number) => (((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & ((1 << HASH_BITS) - 1));
  const insert = (i: number) => {
    if (i + MIN_MATCH > n) return;
    const h = hashAt(i);
    prev[i & (WINDOW - 1)] = head[h];
    head[h] = i;
  };
  let i = 0;
  while (i < n) {
    let best = 0;
    let bestDistance = 0;
    if (i + MIN_MATCH <= n) {
      const limit = Math.min(MAX_MATCH, n - i);
      let candidate = head[hashAt(i)];
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
        if (data[candidate + best] === data[i + best]) {
          let len = 0;
          while (len < limit && data[candidate + len] === data[i + len]) len++;
          if (len > best) {
            best = len;
            bestDistance = i - candidate;
            if (len === limit) break;
          }
        }
        candidate = prev[candidate & (WINDOW - 1)];
      }
    }
    if (best >= MIN_MATCH) {
      const ls = lengthSymbol[best];
      const [code, bits] = literalCodes[257 + ls];
      out.write(code, bits);
      if (LENGTH_EXTRA[ls]) out.write(best - LENGTH_BASE[ls], LENGTH_EXTRA[ls]);
      let ds = DIST_BASE.length - 1;
      while (DIST_BASE[ds] > bestDistance) ds--;
      out.write(reverseBits(ds, 5), 5);
      if (DIST_EXTRA[ds]) out.write(bestDistance - DIST_BASE[ds], DIST_EXTRA[ds]);
      for (let k = 0; k < best; k++) insert(i + k);
      i += best;
    } else {
      const [code, bits] = literalCodes[data[i]];
      out.write(code, bits);
      insert(i);
      i++;
    }
  }
  const [end, endBits] = literalCodes[256];
  out.write(end, endBits);
  return out.finish();
}
