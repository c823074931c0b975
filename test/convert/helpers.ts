/** Shared helpers for the converter tests: fixtures, expected values, an independent safetensors parser. */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'convert');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ba-convert-test-'));
}

interface ExpectedTensor {
  dtype: string;
  shape: number[];
  /** base64 little-endian f32 of the logical values (floating tensors). */
  f32?: string;
  /** base64 of torch's own .half() of them. */
  f16?: string;
  values?: number[];
}

const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Record<string, unknown>;

/** Expected tensors of a fixture (`file` or `file#entry` for training checkpoints). */
export function expectedTensors(name: string): Map<string, ExpectedTensor> {
  const entry = expected[name] as { tensors: Record<string, ExpectedTensor> } | undefined;
  if (!entry) throw new Error(`no expected values for ${name}`);
  return new Map(Object.entries(entry.tensors));
}

export function expectedF16Rounding(): { f32Bits: number[]; f16Bits: number[] } {
  const e = expected.f16_rounding as { f32_bits: number[]; f16_bits: number[] };
  return { f32Bits: e.f32_bits, f16Bits: e.f16_bits };
}

export function base64Bytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export interface ParsedSafetensors {
  metadata: Record<string, string>;
  /** Tensor names in file-offset order. */
  names: string[];
  tensors: Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>;
}

/** A deliberately separate reader (not the converter's) so tests check the file format itself. */
export function parseSafetensors(path: string): ParsedSafetensors {
  const file = readFileSync(path);
  const n = Number(file.readBigUInt64LE(0));
  expect((8 + n) % 8).toBe(0);
  const header = JSON.parse(file.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const tensors = new Map<string, { dtype: string; shape: number[]; bytes: Uint8Array }>();
  let end = 0;
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] },
  ][];
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  for (const [name, t] of entries) {
    expect(t.data_offsets[0]).toBe(end); // no holes, no overlaps
    end = t.data_offsets[1];
    const bytes = new Uint8Array(file.subarray(8 + n + t.data_offsets[0], 8 + n + end));
    tensors.set(name, { dtype: t.dtype, shape: t.shape, bytes });
  }
  expect(8 + n + end).toBe(file.length);
  return { metadata: header.__metadata__ as Record<string, string>, names: entries.map(([k]) => k), tensors };
}
