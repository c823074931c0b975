import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EvalInputError } from '../../src/eval/errors.js';
import { adler32, crc32, encodePng, imageGridPng, zlibCompress, type PngChannels } from '../../src/eval/png.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { decodePng } from '../helpers/png.js';
import { Rng } from '../helpers/random.js';

function randomBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(0, 255));
}

/** Data with repeats at chosen distances (some beyond deflate's 32 KiB window) and run lengths up to 300. */
function repetitive(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    if (i > 4 && rng.next() < 0.6) {
      const distance = Math.min(i, rng.pick([1, 2, 3, 4, 7, 100, 1000, 32768, 32769, 40000, rng.int(1, 33000)]));
      const len = Math.min(n - i, rng.int(1, 300));
      for (let k = 0; k < len; k++, i++) out[i] = out[i - distance];
    } else {
      out[i++] = rng.int(0, 255);
    }
  }
  return out;
}

describe('zlib stream (deflate in plain TS)', () => {
  it('round-trips through node:zlib for empty, tiny, random, repetitive and long-run data', () => {
    const rng = new Rng(21);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte', new Uint8Array([200])],
      ['three equal bytes', new Uint8Array([7, 7, 7])],
      ['random 1000', randomBytes(rng, 1000)],
      ['random 150000 (three stored blocks)', randomBytes(rng, 150_000)],
      ['zeros 100000 (runs longer than the window)', new Uint8Array(100_000)],
      ['all byte values', Uint8Array.from({ length: 512 }, (_, i) => i & 255)],
      ...Array.from({ length: 6 }, (_, i) => [`repetitive #${i}`, repetitive(rng, rng.int(10, 120_000))] as [string, Uint8Array]),
    ];
    for (const [name, data] of cases) {
      const z = zlibCompress(data);
      expect(Buffer.from(inflateSync(z)).equals(Buffer.from(data)), name).toBe(true); // inflate also checks Adler-32
    }
  });

  it('compresses flat data and falls back to stored blocks for noise', () => {
    const rng = new Rng(22);
    const flat = new Uint8Array(300_000).fill(255);
    expect(zlibCompress(flat).length).toBeLessThan(3000);
    const noise = randomBytes(rng, 70_000); // two stored blocks: 5 bytes of header each, + 2 zlib header + 4 Adler-32
    expect(zlibCompress(noise).length).toBe(70_000 + 2 * 5 + 6);
  });

  it('computes CRC-32 like zlib and Adler-32 like its definition', () => {
    const rng = new Rng(23);
    for (const n of [0, 1, 5551, 5552, 5553, 100_000]) {
      const data = n === 100_000 ? new Uint8Array(n).fill(255) : randomBytes(rng, n); // 255s stress the modulo
      expect(crc32(data)).toBe(zlibCrc32(data));
      let a = 1;
      let b = 0;
      for (const byte of data) {
        a = (a + byte) % 65521;
        b = (b + a) % 65521;
      }
      expect(adler32(data)).toBe(((b << 16) | a) >>> 0);
    }
  });
});

describe('PNG encoder', () => {
  it('writes gray, gray + alpha, RGB and RGBA images that decode to the same pixels', () => {
    const rng = new Rng(24);
    for (const channels of [1, 2, 3, 4] as PngChannels[]) {
      for (const [w, h] of [[1, 1], [13, 7], [300, 211]]) {
        const pixels = rng.next() < 0.5 ? randomBytes(rng, w * h * channels) : repetitive(rng, w * h * channels);
        const png = decodePng(encodePng(w, h, channels, pixels));
        expect([png.width, png.height, png.bitDepth, png.channels]).toEqual([w, h, 8, channels]);
        expect(png.colorType).toBe({ 1: 0, 2: 4, 3: 2, 4: 6 }[channels]);
        expect(png.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
        expect(Buffer.from(png.pixels).equals(Buffer.from(pixels))).toBe(true);
      }
    }
  });

  it('rejects bad sizes and channel counts, naming them', () => {
    expect(() => encodePng(0, 1, 1, new Uint8Array(0))).toThrow(/width 0/);
    expect(() => encodePng(2, 2.5, 1, new Uint8Array(5))).toThrow(ShapeError);
    expect(() => encodePng(2, 2, 5 as PngChannels, new Uint8Array(20))).toThrow(/5 channels/);
    expect(() => encodePng(2, 2, 3, new Uint8Array(11))).toThrow(/11 bytes for 2×2×3 = 12/);
  });
});

describe('image grid PNG', () => {
  it('maps [-1, 1] to 0..255, magnifies, pads with black and lays images out by rows', () => {
    const rng = new Rng(25);
    const [n, h, w, cols, scale, pad] = [5, 4, 3, 2, 3, 2];
    const images = Float32Array.from({ length: n * h * w }, () => rng.uniform(-1.2, 1.2)); // out of range values clamp
    images.set([-1, 0, 1], 0);
    const png = decodePng(imageGridPng(images, n, h, w, cols, scale, { pad }));
    expect([png.width, png.height, png.channels]).toEqual([cols * (w * scale + pad) + pad, 3 * (h * scale + pad) + pad, 1]);
    const at = (x: number, y: number) => png.pixels[y * png.width + x];
    for (let i = 0; i < n; i++) {
      const left = pad + (i % cols) * (w * scale + pad);
      const top = pad + Math.floor(i / cols) * (h * scale + pad);
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const v = images[i * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)];
          expect(at(left + x, top + y)).toBe(Math.max(0, Math.min(255, Math.round((v + 1) * 127.5))));
        }
      }
      expect(at(left - 1, top)).toBe(0);
    }
    expect([at(pad, pad), at(pad + scale, pad), at(pad + 2 * scale, pad)]).toEqual([0, 128, 255]);
    // The empty sixth cell stays black.
    expect(at(pad + (w * scale + pad) + 1, pad + 2 * (h * scale + pad) + 1)).toBe(0);
  });

  it('writes each label in white under its image and widens cells for long labels', () => {
    const images = new Float32Array(2 * 28 * 28).fill(-1);
    const png = decodePng(imageGridPng(images, 2, 28, 28, 2, 1, { labels: ['Ankle boot', 'Bag'] }));
    expect(png.width).toBe(2 * (10 * 6 + 2) + 2); // 10 characters of 6 px are wider than 28 px
    const whiteIn = (x0: number, x1: number, y0: number, y1: number) => {
      let count = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) count += png.pixels[y * png.width + x] === 255 ? 1 : 0;
      return count;
    };
    expect(whiteIn(0, png.width, 0, 2 + 28)).toBe(0); // the images are black
    const first = whiteIn(2, 62, 30, png.height);
    const second = whiteIn(64, png.width, 30, png.height);
    expect(first).toBeGreaterThan(second); // 'Ankle boot' has more ink than 'Bag'
    expect(second).toBeGreaterThan(10);
  });

  it('rejects mismatched shapes and options', () => {
    const images = new Float32Array(2 * 4 * 4);
    expect(() => imageGridPng(images, 3, 4, 4, 2)).toThrow(/expected 3×4×4 = 48/);
    expect(() => imageGridPng(images, 2, 0, 16, 2)).toThrow(ShapeError);
    expect(() => imageGridPng(images, 2, 4, 4, 0)).toThrow(EvalInputError);
    expect(() => imageGridPng(images, 2, 4, 4, 2, 1.5)).toThrow(/scale 1.5/);
    expect(() => imageGridPng(images, 2, 4, 4, 2, 1, { labels: ['a'] })).toThrow(/1 labels for 2 images/);
  });
});
