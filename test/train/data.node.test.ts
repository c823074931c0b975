import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_CODEC } from '../../src/model/pixel-latent.js';
import { InMemoryDataset, parseIdx, sampleBatch } from '../../src/train/data.js';
import { loadIdxFiles } from '../../src/train/node.js';
import { Rng } from '../../src/train/rng.js';

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  head.setUint8(2, 0x08);
  head.setUint8(3, dims.length);
  dims.forEach((d, i) => head.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(head.byteLength + data.length);
  out.set(new Uint8Array(head.buffer));
  out.set(data, head.byteLength);
  return out;
}

describe('latent datasets', () => {
  it('reads gzipped IDX files: pooled, centred, scaled to [-1, 1], channel repeated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ba-idx-'));
    // Two 28×28 images: all 255, and a 4×4 white block at the top-left corner.
    const pixels = new Uint8Array(2 * 784);
    pixels.fill(255, 0, 784);
    for (let r = 0; r < 4; r++) pixels.fill(255, 784 + r * 28, 784 + r * 28 + 4);
    writeFileSync(join(dir, 'img.gz'), gzipSync(idx([2, 28, 28], pixels)));
    writeFileSync(join(dir, 'lab'), idx([2], new Uint8Array([3, 7])));
    expect(parseIdx(idx([2], new Uint8Array([3, 7]))).dims).toEqual([2]);
    const ds = await loadIdxFiles(join(dir, 'img.gz'), join(dir, 'lab'), [2, 8, 8]);
    expect(ds.size).toBe(2);
    // 28 → pooled by 4 to 7×7, placed at rows/cols 0..6 of 8×8 (padding −1 at row/col 7).
    const a = ds.item(0);
    expect(a.label).toBe(3);
    expect(a.latent[0]).toBe(1);
    expect(a.latent[7]).toBe(-1);
    expect(a.latent[64 + 9]).toBe(1); // channel 1 repeats channel 0
    const b = ds.item(1).latent;
    expect(b[0]).toBe(1); // the 4×4 block is exactly pooled cell (0, 0)
    expect(b[1]).toBe(-1);
  });

  it('encodes through a pixel latent codec when the backbone has one; a shape mismatch names both shapes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ba-idx-'));
    // One 28×28 image whose only white pixel is at row 0, column 1.
    const pixels = new Uint8Array(784);
    pixels[1] = 255;
    writeFileSync(join(dir, 'img'), idx([1, 28, 28], pixels));
    writeFileSync(join(dir, 'lab'), idx([1], new Uint8Array([5])));
    const ds = await loadIdxFiles(join(dir, 'img'), join(dir, 'lab'), [4, 16, 16], { codec: FASHION_CODEC });
    const { latent, label } = ds.item(0);
    expect(label).toBe(5);
    // Padded by 2: (row 2, col 3) → latent channel 2·0 + 1 = 1 at (1, 1).
    expect(latent[1 * 256 + 1 * 16 + 1]).toBe(1);
    expect(latent.filter((x) => x === 1).length).toBe(1);
    expect(latent.filter((x) => x === -1).length).toBe(4 * 256 - 1);
    await expect(loadIdxFiles(join(dir, 'img'), join(dir, 'lab'), [4, 8, 8], { codec: FASHION_CODEC })).rejects.toThrow(/encode to latents \[4,16,16\], the backbone takes \[4,8,8\]/);
  });

  it('draws batches reproducibly from the RNG stream', () => {
    const ds = new InMemoryDataset([1, 1, 2], 3, Float32Array.from([0, 1, 2, 3, 4, 5]), [0, 1, 2]);
    const one = sampleBatch(ds, new Rng(5), 4);
    const two = sampleBatch(ds, new Rng(5), 4);
    expect(one).toEqual(two);
    expect(() => new InMemoryDataset([1, 1, 2], 2, Float32Array.from([0, 1, 2, 3, 4, 5]), [0, 1, 2])).toThrow(/label 2 = 2/);
  });
});
