/** An independent PNG reader for tests of our encoder: node:zlib inflates and checks Adler-32; chunk CRCs are checked with zlib.crc32. */
import { crc32, inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  channels: number;
  pixels: Uint8Array;
  chunks: string[];
}

const CHANNELS: Record<number, number> = { 0: 1, 4: 2, 2: 3, 6: 4 };

export function decodePng(file: Uint8Array): DecodedPng {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => file[i] === b)) throw new Error('PNG signature missing');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let header: DataView | undefined;
  for (let at = 8; at < file.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const stored = view.getUint32(at + 8 + length);
    const actual = crc32(file.subarray(at + 4, at + 8 + length));
    if (stored !== actual) throw new Error(`chunk ${type}: CRC ${stored.toString(16)} != ${actual.toString(16)}`);
    const data = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (type === 'IDAT') idat.push(data);
    chunks.push(type);
    at += 12 + length;
  }
  if (!header || chunks[0] !== 'IHDR' || chunks[chunks.length - 1] !== 'IEND') throw new Error(`bad chunk order: ${chunks}`);
  const width = header.getUint32(0);
  const height = header.getUint32(4);
  const bitDepth = header.getUint8(8);
  const colorType = header.getUint8(9);
  const channels = CHANNELS[colorType];
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`IDAT inflates to ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error(`row ${y}: filter ${raw[y * (stride + 1)]} (this reader only knows filter 0)`);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, bitDepth, colorType, channels, pixels, chunks };
}
