import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWeights, WeightFileError } from '../../src/model/weights.js';
import { convert } from '../../tools/convert-weights/index.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'ba-weights-'));
const converted = join(dir, 'sit.safetensors');

beforeAll(async () => {
  await convert({ input: 'test/fixtures/sit/repa_d2_h144_p2_8x8/model.pt', output: converted, dtype: 'f32', heads: 2 });
});

/** A stream that hands out the bytes in random small chunks, like a slow download. */
function choppyStream(bytes: Uint8Array, seed: number): ReadableStream<Uint8Array> {
  const rng = new Rng(seed);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = rng.int(1, 4099);
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

describe('loading converted weights', () => {
  it('loads every tensor with its metadata from a path, a buffer and a chunked stream', async () => {
    const engine = await testEngine();
    const reference = readSafetensorsFile(converted);
    const bytes = new Uint8Array(readFileSync(converted));
    for (const source of [converted, bytes.buffer, choppyStream(bytes, 3)]) {
      const progress: number[] = [];
      const { metadata, tensors } = await loadWeights(engine, source, { onProgress: (p) => progress.push(p.loadedBytes / p.totalBytes) });
      expect(metadata.kind).toBe('sit');
      expect(metadata.arch).toEqual(expect.objectContaining({ depth: 2, hidden: 144, heads: 2, patch: 2 }));
      expect([...tensors.keys()].sort()).toEqual([...reference.tensors.keys()].sort());
      const qkv = reference.tensors.get('blocks.1.attn.qkv.weight')!;
      expect(tensors.get('blocks.1.attn.qkv.weight')!.shape).toEqual(qkv.shape);
      expect(Array.from(await tensors.get('blocks.1.attn.qkv.weight')!.read())).toEqual(Array.from(qkv.data));
      expect(progress.at(-1)).toBe(1);
      for (const t of tensors.values()) t.dispose();
    }
  });

  it('stores f16 on the GPU when asked, rounding each weight once', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const { tensors, dtype } = await loadWeights(engine, converted, { dtype: 'f16' });
    expect(dtype).toBe('f16');
    const w = tensors.get('final_layer.linear.weight')!;
    expect(w.dtype).toBe('f16');
    const ref = readSafetensorsFile(converted).tensors.get('final_layer.linear.weight')!.data;
    const got = await w.read();
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(Math.abs(ref[i]) * 2 ** -11 + 2 ** -25);
  });

  it('names the problem with files that are not converted weights', async () => {
    const engine = await testEngine();
    const bytes = new Uint8Array(readFileSync(converted));
    // A truncated buffer is caught from the header (its size is known); a stream when it ends.
    await expect(loadWeights(engine, bytes.slice(0, bytes.length - 100))).rejects.toThrow(/run past the end of the file's \d+ data bytes \(truncated file\?\)/);
    await expect(loadWeights(engine, choppyStream(bytes.slice(0, bytes.length - 100), 5))).rejects.toThrow(/the weight stream ended early after \d+ bytes/);
    await expect(loadWeights(engine, join(dir, 'missing.safetensors'))).rejects.toThrow(/weight file not found/);
    const header = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
    const plain = new Uint8Array(8 + header.length + 4);
    new DataView(plain.buffer).setBigUint64(0, BigInt(header.length), true);
    plain.set(header, 8);
    writeFileSync(join(dir, 'plain.safetensors'), plain);
    await expect(loadWeights(engine, join(dir, 'plain.safetensors'))).rejects.toThrow(WeightFileError);
    await expect(loadWeights(engine, join(dir, 'plain.safetensors'))).rejects.toThrow(/no 'ba_webgpu' metadata/);
  });
});
