/**
 * The safetensors header is untrusted input: every malformed header must give a
 * WeightFileError naming the problem (and the tensor), never a TypeError or RangeError from
 * deep inside, and a failed load must leave no GPU memory behind. A seeded fuzz run mutates a
 * small valid file (header edits, bit flips, truncation) to look for what the cases miss.
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { EngineError } from '../../src/gpu/errors.js';
import { loadWeights, WeightFileError, type WeightSource } from '../../src/model/weights.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { joinWeightFile, splitWeightFile, type RawWeightFile } from './weight-file-edits.js';

const METADATA = { format: 'ba-webgpu/1', kind: 'sidenet', arch: {}, convention: 'repa', source_layout: 'test', dtype: 'f32' };

/** A small valid converted file: f32 and f16 tensors, one padding gap, a scalar. */
function validFile(): RawWeightFile {
  const header: Record<string, unknown> = {
    __metadata__: { ba_webgpu: JSON.stringify(METADATA) },
    a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    b: { dtype: 'F16', shape: [3], data_offsets: [24, 30] },
    c: { dtype: 'F32', shape: [4, 1], data_offsets: [32, 48] },
    s: { dtype: 'F32', shape: [], data_offsets: [48, 52] },
  };
  const data = new Uint8Array(52);
  const view = new DataView(data.buffer);
  for (let i = 0; i < 6; i++) view.setFloat32(4 * i, i - 2.5, true);
  [0x3c00, 0xc000, 0x3800].forEach((h, i) => view.setUint16(24 + 2 * i, h, true));
  for (let i = 0; i < 5; i++) view.setFloat32(32 + 4 * i, 10 + i, true);
  return { header, data };
}

function withEntry(name: string, entry: unknown): Uint8Array {
  const file = validFile();
  file.header[name] = entry;
  return joinWeightFile(file);
}

function withMetadataText(text: unknown): Uint8Array {
  const file = validFile();
  file.header.__metadata__ = { ba_webgpu: text };
  return joinWeightFile(file);
}

/** Loads `source`, which must fail; returns the error after checking no GPU memory stayed live. */
async function failedLoad(engine: Engine, source: WeightSource): Promise<Error> {
  const before = engine.poolStats().liveBytes;
  const error = await loadWeights(engine, source).then(
    ({ tensors }) => {
      for (const t of tensors.values()) t.dispose();
      return new Error('the load succeeded');
    },
    (e: unknown) => e as Error,
  );
  expect(engine.poolStats().liveBytes).toBe(before);
  return error;
}

describe('the safetensors header parser', () => {
  it('loads the valid file', async () => {
    const engine = await testEngine();
    const { tensors } = await loadWeights(engine, joinWeightFile(validFile()));
    expect(Array.from(await tensors.get('b')!.read())).toEqual([1, -2, 0.5]);
    expect(Array.from(await tensors.get('c')!.read())).toEqual([10, 11, 12, 13]);
    expect(tensors.get('s')!.shape).toEqual([]);
    for (const t of tensors.values()) t.dispose();
  });

  const malformedEntries: [string, unknown, RegExp][] = [
    ['a shape that is a string', { dtype: 'F32', shape: 'abc', data_offsets: [0, 24] }, /tensor 'a' has shape "abc"; expected an array of non-negative integers/],
    ['a shape that is an object', { dtype: 'F32', shape: { 0: 6 }, data_offsets: [0, 24] }, /tensor 'a' has shape \{"0":6\}/],
    ['negative dimensions', { dtype: 'F32', shape: [-2, -3], data_offsets: [0, 24] }, /tensor 'a' has shape \[-2,-3\]/],
    ['fractional dimensions', { dtype: 'F32', shape: [1.5, 4], data_offsets: [0, 24] }, /tensor 'a' has shape \[1.5,4\]/],
    ['an implausibly large shape', { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 24] }, /tensor 'a' \[1099511627776, 1099511627776\] has 24 bytes of data/],
    ['an entry that is not an object', null, /tensor 'a' has no dtype, shape and data_offsets/],
    ['data_offsets that are not two integers', { dtype: 'F32', shape: [2, 3], data_offsets: null }, /tensor 'a' has data_offsets null/],
    ['data_offsets past the data', { dtype: 'F32', shape: [2, 3], data_offsets: [52, 76] }, /tensor 'a' data_offsets \[52, 76\] run past the end of the file's 52 data bytes/],
    ['data_offsets out of order', { dtype: 'F32', shape: [2, 3], data_offsets: [24, 0] }, /tensor 'a' has data_offsets \[24,0\]/],
    ['data_offsets overlapping another tensor', { dtype: 'F32', shape: [2, 3], data_offsets: [8, 32] }, /tensors 'a' \[8, 32\] and 'b' \[24, 30\] overlap/],
    ['an unknown dtype', { dtype: 'I64', shape: [3], data_offsets: [0, 24] }, /tensor 'a' has dtype I64/],
  ];
  for (const [what, entry, message] of malformedEntries) {
    it(`names the tensor for ${what}`, async () => {
      const error = await failedLoad(await testEngine(), withEntry('a', entry));
      expect(error).toBeInstanceOf(WeightFileError);
      expect(error.message).toMatch(message);
    });
  }

  const malformedMetadata: [string, unknown, RegExp][] = [
    ['metadata text that is not JSON', '{"format": "ba-webgpu/1",', /'ba_webgpu' metadata is not JSON/],
    ['metadata that is JSON null', 'null', /'ba_webgpu' metadata is not a JSON object/],
    ['metadata that is not text', { format: 'ba-webgpu/1' }, /'ba_webgpu' metadata is not a JSON string/],
    ['an unknown model kind', JSON.stringify({ ...METADATA, kind: 'unet' }), /unknown model kind 'unet'/],
    ['a missing arch', JSON.stringify({ ...METADATA, arch: 3 }), /metadata has no arch record/],
    ['an unknown dtype', JSON.stringify({ ...METADATA, dtype: 'bf16' }), /metadata dtype 'bf16'/],
  ];
  for (const [what, text, message] of malformedMetadata) {
    it(`names the problem for ${what}`, async () => {
      const error = await failedLoad(await testEngine(), withMetadataText(text));
      expect(error).toBeInstanceOf(WeightFileError);
      expect(error.message).toMatch(message);
    });
  }

  it('names headers that are JSON but not an object', async () => {
    const engine = await testEngine();
    for (const text of ['null', '[1, 2]', '"abc"', '7']) {
      const error = await failedLoad(engine, joinWeightFile(validFile(), text));
      expect(error).toBeInstanceOf(WeightFileError);
      expect(error.message).toMatch(/header is not a JSON object/);
    }
  });
});

/** One fuzz case: the valid file damaged in one of several ways, chosen by the seed. */
function mutate(rng: Rng): { bytes: Uint8Array; how: string } {
  const file = validFile();
  const names = ['a', 'b', 'c', 's'];
  const evil: unknown[] = ['abc', '', null, true, {}, [], [-1], [1.5, 4], [2 ** 53], [2 ** 31, 2 ** 31], 1e308, -0, [0], [0, -4], [[2], [3]], 'F64', 'F16', 'F32', [24, 0], [0, 1e300], [Number.MAX_SAFE_INTEGER, 4]];
  const kind = rng.int(0, 5);
  switch (kind) {
    case 0: { // one field of one entry replaced
      const name = rng.pick(names);
      const field = rng.pick(['dtype', 'shape', 'data_offsets']);
      const value = rng.pick(evil);
      (file.header[name] as Record<string, unknown>)[field] = value;
      return { bytes: joinWeightFile(file), how: `${name}.${field} = ${JSON.stringify(value)}` };
    }
    case 1: { // one metadata field replaced, or the metadata text damaged
      const metadata: Record<string, unknown> = { ...METADATA };
      const field = rng.pick(['format', 'kind', 'arch', 'dtype', 'convention', 'latent_codec']);
      metadata[field] = rng.pick(evil);
      let text = JSON.stringify(metadata);
      if (rng.next() < 0.3) text = text.slice(0, rng.int(0, text.length - 1));
      file.header.__metadata__ = rng.next() < 0.1 ? rng.pick(evil) : { ba_webgpu: text };
      return { bytes: joinWeightFile(file), how: `metadata ${field}: ${text}` };
    }
    case 2: { // characters of the header text replaced (header length unchanged)
      const text = [...JSON.stringify(file.header)];
      const edits = rng.int(1, 4);
      for (let i = 0; i < edits; i++) text[rng.int(0, text.length - 1)] = rng.pick([...'{}[]",:-.0123456789eE aF']);
      return { bytes: joinWeightFile(file, text.join('')), how: `header text ${text.join('')}` };
    }
    case 3: { // bits flipped anywhere, the header length included
      const bytes = joinWeightFile(file);
      const flips = rng.int(1, 8);
      const at: number[] = [];
      for (let i = 0; i < flips; i++) {
        const bit = rng.int(0, bytes.length * 8 - 1);
        bytes[bit >> 3] ^= 1 << (bit & 7);
        at.push(bit);
      }
      return { bytes, how: `bits flipped ${at}` };
    }
    case 4: { // truncated
      const bytes = joinWeightFile(file);
      const length = rng.int(0, bytes.length - 1);
      return { bytes: bytes.slice(0, length), how: `truncated to ${length} of ${bytes.length} bytes` };
    }
    default: { // an entry removed, renamed or duplicated at another offset
      const name = rng.pick(names);
      const entry = file.header[name];
      delete file.header[name];
      const renamed = rng.pick(['', '__metadata__', 'a', 'b', '__proto__', 'x'.repeat(300), 'é']);
      if (rng.next() < 0.7) file.header[renamed] = entry;
      return { bytes: joinWeightFile(file), how: `${name} moved to '${renamed}'` };
    }
  }
}

describe('loadWeights under fuzzing', () => {
  it('gives a typed error or a valid load for 400 damaged files, and frees every failed load', async () => {
    const engine = await testEngine();
    const baseline = engine.poolStats().liveBytes;
    const rng = new Rng(20_240_611);
    const started = performance.now();
    let loaded = 0;
    for (let i = 0; i < 400; i++) {
      const { bytes, how } = mutate(rng);
      // Every fourth case arrives as a stream of small chunks (no known length).
      const source: WeightSource = i % 4 === 3 ? new Blob([new Uint8Array(bytes)]).stream() : bytes;
      try {
        const { tensors } = await loadWeights(engine, source);
        for (const [name, t] of tensors) {
          expect(t.size * 4, `case ${i} (${how}): ${name}`).toBeLessThanOrEqual(bytes.length * 2);
          t.dispose();
        }
        loaded++;
      } catch (error) {
        expect(error, `case ${i} (${how}): ${String(error)}`).toBeInstanceOf(EngineError);
      }
      expect(engine.poolStats().liveBytes, `case ${i} (${how})`).toBe(baseline);
    }
    expect(loaded).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
