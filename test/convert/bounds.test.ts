/**
 * The converter refuses checkpoints whose declared offsets, sizes, shapes or dtypes do not fit
 * the bytes they describe, naming the tensor; it never replaces its input and never leaves a
 * partial output behind.
 */
import { linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConvertError,
  CorruptFileError,
  RandomAccessFile,
  TruncatedFileError,
  convert,
  planConversion,
  readCheckpoint,
  readSafetensors,
} from '../../tools/convert-weights/index.js';
import { unpickle, type PickleHooks } from '../../tools/convert-weights/pickle.js';
import { writeSyntheticTorchZip, type SyntheticTensor } from '../../tools/convert-weights/synthetic-torch.js';
import { MAX_EXPANDED_VIEW_BYTES } from '../../tools/convert-weights/torch.js';
import { fixture, storedZip, tempDir } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

/** A safetensors file from a header (object, or raw JSON text) and data bytes, written as is. */
function writeRawSafetensors(header: unknown, data: Uint8Array | number, path = join(tempDir(), 'raw.safetensors')): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([length, json, typeof data === 'number' ? Buffer.alloc(data) : data]));
  return path;
}

async function readSafetensorsAt(path: string) {
  const file = await RandomAccessFile.open(path);
  try {
    const { tensors } = await readSafetensors(file);
    for (const t of tensors.values()) await t.read();
    return tensors;
  } finally {
    await file.close();
  }
}

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

describe('safetensors headers', () => {
  it('accepts adjacent tensors in any header order', async () => {
    const tensors = await readSafetensorsAt(writeRawSafetensors({ b: f32([2], 8, 16), a: f32([2], 0, 8) }, 16));
    expect([...tensors.keys()]).toEqual(['b', 'a']);
  });

  it('rejects overlapping data_offsets, naming both tensors', async () => {
    const path = writeRawSafetensors({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, 12);
    await expect(readSafetensorsAt(path)).rejects.toThrow(CorruptFileError);
    await expect(readSafetensorsAt(path)).rejects.toThrow(/tensors a \(bytes 0\.\.8\) and b \(bytes 4\.\.12\) overlap/);
  });

  it.each([
    ['begin after end', { a: f32([0], 8, 0) }, /tensor a: data_offsets \[8, 0\] begin after they end/],
    ['non-integer offsets', { a: f32([2], 0.5, 8.5) }, /tensor a: data_offsets must be two non-negative integers, got \[0\.5,8\.5\]/],
    ['negative offsets', { a: f32([2], -8, 0) }, /tensor a: data_offsets must be two non-negative integers/],
    ['missing offsets', { a: { dtype: 'F32', shape: [2] } }, /tensor a: data_offsets must be two non-negative integers, got undefined/],
    ['a shape that is a string', { a: { dtype: 'F32', shape: 'abc', data_offsets: [0, 8] } }, /tensor a: shape must be an array of non-negative integers, got "abc"/],
    ['a negative dimension', { a: f32([-2], 0, 8) }, /tensor a: shape must be an array of non-negative integers, got \[-2\]/],
    ['a fractional dimension', { a: f32([1.5], 0, 8) }, /tensor a: shape must be an array of non-negative integers/],
    ['an unknown dtype', { a: { dtype: 'F8', shape: [2], data_offsets: [0, 8] } }, /tensor a has unknown dtype "F8"/],
    ['a dtype that names an Object property', { a: { dtype: 'constructor', shape: [2], data_offsets: [0, 8] } }, /tensor a has unknown dtype "constructor"/],
    ['a numeric dtype', { a: { dtype: 7, shape: [2], data_offsets: [0, 8] } }, /tensor a has unknown dtype 7/],
    ['a tensor entry that is not an object', { a: null }, /tensor a: expected \{dtype, shape, data_offsets\}, got null/],
    ['a header that is not an object', [1, 2], /the safetensors header is not a JSON object/],
    ['metadata that is not strings', { __metadata__: { a: 1 } }, /__metadata__ must map strings to strings/],
    ['a byte range that does not match the shape', { a: f32([3], 0, 8) }, /tensor a byte range does not match its shape \[3\]/],
  ])('rejects %s', async (_, header, message) => {
    const path = writeRawSafetensors(header, 8);
    await expect(readSafetensorsAt(path)).rejects.toThrow(CorruptFileError);
    await expect(readSafetensorsAt(path)).rejects.toThrow(message);
  });

  it('rejects data_offsets past the end of the data', async () => {
    const path = writeRawSafetensors({ a: f32([2], 0, 8), b: f32([2], 8, 16) }, 12);
    await expect(readSafetensorsAt(path)).rejects.toThrow(TruncatedFileError);
    await expect(readSafetensorsAt(path)).rejects.toThrow(/is truncated: tensor b needs bytes up to \d+, file has \d+/);
  });

  it('says that a header length past the end of the file exceeds the file size', async () => {
    const path = join(tempDir(), 'long-header.safetensors');
    const bytes = readFileSync(writeRawSafetensors({ a: f32([2], 0, 8) }, 8));
    bytes.writeBigUInt64LE(1_000_000n, 0);
    writeFileSync(path, bytes);
    const file = await RandomAccessFile.open(path);
    await expect(readCheckpoint(file)).rejects.toThrow(TruncatedFileError);
    await expect(readCheckpoint(file)).rejects.toThrow(
      `${path}: the safetensors header length 1000000 exceeds the file size ${bytes.length}`,
    );
    await file.close();
  });
});

/** A one-tensor torch.save archive whose tensor is `view` into a storage of counting floats. */
async function torchView(shape: number[], view: SyntheticTensor['view']): Promise<string> {
  const path = join(tempDir(), 'view.pt');
  await writeSyntheticTorchZip(path, [{ name: 'pos_embed', shape, view, fill: (out, start) => out.forEach((_, i) => (out[i] = start + i)) }]);
  return path;
}

async function readTorchTensor(path: string): Promise<Float32Array> {
  const file = await RandomAccessFile.open(path);
  try {
    const root = (await readCheckpoint(file)) as Map<string, { read(): Promise<Uint8Array> }>;
    return new Float32Array((await root.get('pos_embed')!.read()).slice().buffer);
  } finally {
    await file.close();
  }
}

describe('torch views', () => {
  it('reads a strided view with a storage offset', async () => {
    const path = await torchView([2, 2], { storageOffset: 1, stride: [3, 1], storageElements: 6 });
    expect([...(await readTorchTensor(path))]).toEqual([1, 2, 4, 5]);
  });

  it('reads a view that repeats storage elements (stride 0)', async () => {
    const path = await torchView([3, 2], { storageOffset: 0, stride: [0, 1], storageElements: 2 });
    expect([...(await readTorchTensor(path))]).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('refuses a repeating view past MAX_EXPANDED_VIEW_BYTES before allocating it', async () => {
    // 2^30 floats (4 GiB) from a storage of one.
    const path = await torchView([1 << 20, 1 << 10], { storageOffset: 0, stride: [0, 0], storageElements: 1 });
    await expect(planConversion({ input: path })).rejects.toThrow(
      `tensor pos_embed: the view [1048576, 1024] repeats storage elements into 4294967296 bytes, more than the ${MAX_EXPANDED_VIEW_BYTES} allowed for such views`,
    );
  });

  it('rejects a negative storage offset, naming the tensor', async () => {
    const path = await torchView([2], { storageOffset: -4, stride: [1], storageElements: 2 });
    await expect(planConversion({ input: path })).rejects.toThrow(CorruptFileError);
    await expect(planConversion({ input: path })).rejects.toThrow(
      /view\.pt: tensor pos_embed: storage offset -4 of storage archive\/data\/0 must be a non-negative integer/,
    );
    await expect(readTorchTensor(path)).rejects.toThrow(/storage offset -4/);
  });

  it('rejects a view whose strides do not match its shape', async () => {
    const path = await torchView([2, 2], { storageOffset: 0, stride: [2], storageElements: 4 });
    await expect(planConversion({ input: path })).rejects.toThrow(/tensor pos_embed: shape \[2, 2\] has 2 dimensions but strides \[2\] have 1/);
  });

  it('names the elements a view needs and the elements its storage holds', async () => {
    // Offset 1 + extent (1·3 + 2·1 + 1 = 6) = 7 elements, from a storage of 4.
    const path = await torchView([2, 3], { storageOffset: 1, stride: [3, 1], storageElements: 4 });
    await expect(planConversion({ input: path })).rejects.toThrow(CorruptFileError);
    await expect(planConversion({ input: path })).rejects.toThrow(
      /tensor pos_embed: the view needs 7 elements of storage archive\/data\/0 \(offset 1 \+ extent 6\), which holds 4/,
    );
  });

  it('counts a storage by its bytes when the archive holds fewer than the pickle says', async () => {
    const path = await torchView([4], { storageOffset: 0, stride: [1], storageElements: 4 });
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(8, centralEntry(bytes, 'archive/data/0') + 24); // its size: now 2 floats
    writeFileSync(path, bytes);
    await expect(planConversion({ input: path })).rejects.toThrow(
      /tensor pos_embed: the view needs 4 elements of storage archive\/data\/0 \(offset 0 \+ extent 4\), which holds 2 \(8 bytes\)/,
    );
  });
});

describe('convert output', () => {
  const sit = fixture('sit_bare.pt');

  async function copyOf(path: string) {
    const dir = tempDir();
    const copy = join(dir, 'in.pt');
    writeFileSync(copy, readFileSync(path));
    return { dir, copy };
  }

  it.each([
    ['the same path', (copy: string) => copy],
    ['a symlink to the input', (copy: string) => {
      const link = join(copy, '..', 'link.safetensors');
      symlinkSync(copy, link);
      return link;
    }],
    ['a hard link to the input', (copy: string) => {
      const link = join(copy, '..', 'hard.safetensors');
      linkSync(copy, link);
      return link;
    }],
    ['the input through ..', (copy: string) => join(copy, '..', '..', copy.split('/').at(-2)!, 'in.pt')],
  ])('refuses to write over its input: %s', async (_, output) => {
    const { dir, copy } = await copyOf(sit);
    const before = readFileSync(copy);
    const target = output(copy);
    await expect(convert({ input: copy, output: target, heads: 2 })).rejects.toThrow(ConvertError);
    await expect(convert({ input: copy, output: target, heads: 2 })).rejects.toThrow(/is the input file/);
    expect(readFileSync(copy).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('refuses an output whose .partial file is the input', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.pt.partial');
    writeFileSync(input, readFileSync(sit));
    await expect(convert({ input, output: join(dir, 'in.pt'), heads: 2 })).rejects.toThrow(
      `${input} is the input file ${input}: converting would replace it`,
    );
    expect(readFileSync(input).equals(readFileSync(sit))).toBe(true);
  });

  it('removes the partial file when the header write fails', async () => {
    const { dir, copy } = await copyOf(sit);
    await failFileWrites(1);
    await expect(convert({ input: copy, output: join(dir, 'out.safetensors'), heads: 2 })).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual(['in.pt']);
  });

  it('removes the partial file when a tensor write fails', async () => {
    const { dir, copy } = await copyOf(sit);
    await failFileWrites(2);
    await expect(convert({ input: copy, output: join(dir, 'out.safetensors'), heads: 2 })).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual(['in.pt']);
  });

  it('removes the partial file when the rename fails (the output is a folder)', async () => {
    const { dir, copy } = await copyOf(sit);
    const output = join(dir, 'out.safetensors');
    mkdirSync(join(output, 'inside'), { recursive: true });
    await expect(convert({ input: copy, output, heads: 2 })).rejects.toThrow(/EISDIR|ENOTEMPTY/);
    expect(readdirSync(dir).sort()).toEqual(['in.pt', 'out.safetensors']);
  });
});

/** Offset of the zip central directory record of entry `name`. */
function centralEntry(zip: Buffer, name: string): number {
  for (let at = zip.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 1, 'latin1')) {
    if (zip.toString('latin1', at + 46, at + 46 + zip.readUInt16LE(at + 28)) === name) return at;
  }
  throw new Error(`no zip entry ${name}`);
}

/** Makes the `nth` file write from now on fail as a full disk would. */
async function failFileWrites(nth: number) {
  const probe = await open(join(tempDir(), 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
  await probe.close();
  const write = prototype.write;
  let calls = 0;
  vi.spyOn(prototype, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
    if (++calls === nth) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    return write.apply(this, args);
  });
}

const pickle = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
const opaque: PickleHooks = { reduce: () => undefined, persistentLoad: (pid) => pid };

describe('pickle VM bounds', () => {
  it('rejects a negative BINSTRING length instead of stepping back forever', () => {
    expect(() => unpickle(pickle([0x80, 2, 0x54, 0xfb, 0xff, 0xff, 0xff, 0x2e]), opaque, 'x.pkl')).toThrow(
      new CorruptFileError('x.pkl: negative length -5 at byte 7'),
    );
  });

  it.each(['abc', '1e5', '', '0x10'])('rejects INT and LONG lines that are not decimal integers (%j)', (text) => {
    expect(() => unpickle(pickle([0x80, 2, 0x49], `${text}\n`, [0x2e]), opaque, 'x.pkl')).toThrow(CorruptFileError);
    expect(() => unpickle(pickle([0x80, 2, 0x4c], `${text}L\n`, [0x2e]), opaque, 'x.pkl')).toThrow(/bad integer/);
  });

  it('appends a list of 300,000 items (APPENDS)', () => {
    const items = new Array<number[]>(300_000).fill([0x4b, 7]).flat();
    const list = unpickle(pickle([0x80, 2, 0x5d, 0x28], items, [0x65, 0x2e]), opaque, 'x.pkl') as number[];
    expect(list).toHaveLength(300_000);
  });

  it('reads a 1 MB LONG4 in linear time', () => {
    const n = 1 << 20;
    const digits = new Uint8Array(n).fill(0xff); // -1
    const started = performance.now();
    expect(unpickle(pickle([0x80, 2, 0x8b, 0, 0, 0x10, 0], [...digits], [0x2e]), opaque, 'x.pkl')).toBe(-1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

/** A torch.save-like archive from a raw data.pkl and storages `archive/data/<key>`. */
function torchArchive(dataPkl: Uint8Array, storages: Record<string, Uint8Array> = {}): string {
  const path = join(tempDir(), 'custom.pt');
  writeFileSync(path, storedZip([['archive/data.pkl', dataPkl], ...Object.entries(storages).map(([k, b]): [string, Uint8Array] => [`archive/data/${k}`, b])]));
  return path;
}

async function readArchive(path: string): Promise<unknown> {
  const file = await RandomAccessFile.open(path);
  try {
    return await readCheckpoint(file);
  } finally {
    await file.close();
  }
}

describe('zip directories', () => {
  const pkl = pickle([0x80, 2, 0x7d, 0x2e]); // {}
  const extraField = (id: number, declared: number, actual: number) => {
    const b = Buffer.alloc(4 + actual);
    b.writeUInt16LE(id, 0);
    b.writeUInt16LE(declared, 2);
    return b;
  };
  const write = (zip: Buffer) => {
    const path = join(tempDir(), 'dir.pt');
    writeFileSync(path, zip);
    return path;
  };

  it('reads an archive whose records carry extra fields', async () => {
    expect(await readArchive(write(storedZip([['archive/data.pkl', pkl]], extraField(0x5455, 5, 5))))).toEqual(new Map());
  });

  it('rejects a central directory record that runs past the directory', async () => {
    const zip = storedZip([['archive/data.pkl', pkl]]);
    zip.writeUInt16LE(200, centralEntry(zip, 'archive/data.pkl') + 32); // a comment longer than what is left
    const path = write(zip);
    await expect(readArchive(path)).rejects.toThrow(new CorruptFileError(`${path}: zip central directory entry 0 runs past the directory's 62 bytes`));
  });

  it('rejects an extra field that runs past its record', async () => {
    const path = write(storedZip([['archive/data.pkl', pkl]], extraField(0x5455, 100, 5)));
    await expect(readArchive(path)).rejects.toThrow(new CorruptFileError(`${path}: zip extra field of archive/data.pkl runs past its entry`));
  });

  it('rejects a zip64 extra field too short for the sizes it must hold', async () => {
    const zip = storedZip([['archive/data.pkl', pkl]], extraField(0x0001, 4, 4));
    zip.writeUInt32LE(0xffffffff, centralEntry(zip, 'archive/data.pkl') + 24); // size: in the zip64 field
    const path = write(zip);
    await expect(readArchive(path)).rejects.toThrow(new CorruptFileError(`${path}: zip64 extra field of archive/data.pkl is too short`));
  });
});

describe('torch object trees', () => {
  it('rejects OrderedDict arguments that are not (key, value) pairs', async () => {
    // OrderedDict([1, 2, 3])
    const path = torchArchive(pickle([0x80, 2], 'ccollections\nOrderedDict\n', [0x5d, 0x28, 0x4b, 1, 0x4b, 2, 0x4b, 3, 0x65, 0x85, 0x52, 0x2e]));
    await expect(readArchive(path)).rejects.toThrow(new CorruptFileError(`${path}: OrderedDict arguments are not a list of (key, value) pairs`));
  });

  it('reads OrderedDict([(key, value)])', async () => {
    const path = torchArchive(pickle([0x80, 2], 'ccollections\nOrderedDict\n', [0x5d, 0x28, 0x8c, 1], 'a', [0x4b, 5, 0x86, 0x65, 0x85, 0x52, 0x2e]));
    expect(await readArchive(path)).toEqual(new Map([['a', 5]]));
  });

  it('does not recurse into a _rebuild_from_type_v2 that refers to itself', async () => {
    // args = [F, None, args] through the memo; F(*args)
    const path = torchArchive(pickle(
      [0x80, 2], 'ctorch._tensor\n_rebuild_from_type_v2\n', [0x71, 0], // F, memo 0
      [0x5d, 0x71, 1], // args = [], memo 1
      [0x28, 0x68, 0, 0x4e, 0x68, 1, 0x65], // args += [F, None, args]
      [0x68, 0, 0x68, 1, 0x52, 0x2e], // F(*args)
    ));
    expect(`${(await readArchive(path)) as object}`).toBe('torch._tensor._rebuild_from_type_v2(...)');
  });

  it('rejects a storage type named after an Object property', async () => {
    // persistent id ('storage', constructor, '0', 'cpu', 1)
    const path = torchArchive(
      pickle([0x80, 2, 0x28, 0x8c, 7], 'storage', [0x8c, 11], 'constructor', [0x8c, 1], '0', [0x8c, 3], 'cpu', [0x4b, 1, 0x74, 0x51, 0x2e]),
      { '0': new Uint8Array(4) },
    );
    await expect(readArchive(path)).rejects.toThrow(/unsupported storage type string \(constructor\)/);
  });
});
