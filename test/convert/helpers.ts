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

/**
 * A zip archive of stored (uncompressed) entries, as torch.save writes them (without zip64);
 * `centralExtra` is put as is in every central directory record's extra field.
 */
export function storedZip(entries: [name: string, bytes: Uint8Array][], centralExtra = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, bytes] of entries) {
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(bytes.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt32LE(bytes.length, 20);
    record.writeUInt32LE(bytes.length, 24);
    record.writeUInt16LE(nameBytes.length, 28);
    record.writeUInt16LE(centralExtra.length, 30);
    record.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, Buffer.from(bytes));
    central.push(record, nameBytes, centralExtra);
    offset += 30 + nameBytes.length + bytes.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/** The entries of a zip archive without zip64 records (stored data, as storedZip writes them). */
export function zipEntries(zip: Buffer): [name: string, bytes: Buffer][] {
  const end = zip.lastIndexOf('PK\x05\x06', undefined, 'latin1');
  if (end < 0) throw new Error('no zip end record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: [string, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    entries.push([name, zip.subarray(data, data + zip.readUInt32LE(at + 24))]);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}
