/**
 * Writes torch.save-compatible zip archives without torch: an OrderedDict of float32 tensors
 * (pickle protocol 2, `_rebuild_tensor_v2` + storage persistent ids, stored zip entries).
 * Used to make multi-GB test checkpoints (measure-memory.ts) and zip64 archives for tests.
 */
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export interface SyntheticTensor {
  name: string;
  shape: number[];
  /** Fills `out` with elements [start, start + out.length) of the tensor (of its storage, for a view). */
  fill(out: Float32Array, start: number): void;
  /** A view into a storage of `storageElements` floats; default: contiguous, offset 0, a storage of its own size. */
  view?: { storageOffset: number; stride: number[]; storageElements: number };
}

const CHUNK_ELEMENTS = 1 << 20;

/** Streams the archive to `path`; `zip64` forces zip64 records even for small files. */
export async function writeSyntheticTorchZip(
  path: string,
  tensors: SyntheticTensor[],
  options: { archiveName?: string; zip64?: boolean } = {},
): Promise<void> {
  const archive = options.archiveName ?? 'archive';
  const handle = await open(path, 'w');
  const central: Buffer[] = [];
  let position = 0;
  let count = 0;
  const write = async (b: Uint8Array) => {
    await handle.write(b, 0, b.length, position);
    position += b.length;
  };
  const entry = async (name: string, size: number, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) => {
    const zip64 = options.zip64 === true || position + size >= 0xffffffff;
    const nameBytes = Buffer.from(name);
    const headerAt = position;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0x0008, 6); // sizes and CRC follow in a data descriptor
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(zip64 ? 20 : 0, 28);
    await write(local);
    await write(nameBytes);
    if (zip64) await write(zip64Extra([0, 0]));
    let crc = 0;
    for await (const c of chunks) {
      crc = crc32(c, crc);
      await write(c);
    }
    const descriptor = Buffer.alloc(zip64 ? 24 : 16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    if (zip64) {
      descriptor.writeBigUInt64LE(BigInt(size), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(size, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    await write(descriptor);

    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(zip64 ? 45 : 20, 4);
    c.writeUInt16LE(zip64 ? 45 : 20, 6);
    c.writeUInt16LE(0x0008, 8);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(zip64 ? 0xffffffff : size, 20);
    c.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    c.writeUInt16LE(nameBytes.length, 28);
    c.writeUInt16LE(zip64 ? 28 : 0, 30);
    c.writeUInt32LE(zip64 ? 0xffffffff : headerAt, 42);
    central.push(c, nameBytes);
    if (zip64) central.push(zip64Extra([size, size, headerAt]));
    count++;
  };

  const pickle = statePickle(tensors);
  await entry(`${archive}/data.pkl`, pickle.length, [pickle]);
  for (const [key, t] of tensors.entries()) {
    const n = storageElements(t);
    await entry(`${archive}/data/${key}`, n * 4, floatChunks(t, n));
  }
  const version = Buffer.from('3\n');
  await entry(`${archive}/version`, version.length, [version]);

  const dirAt = position;
  const dir = Buffer.concat(central);
  await write(dir);
  const zip64 = options.zip64 === true || dirAt + dir.length >= 0xffffffff;
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(dir.length), 40);
    rec.writeBigUInt64LE(BigInt(dirAt), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(dirAt + dir.length), 8);
    locator.writeUInt32LE(1, 16);
    await write(Buffer.concat([rec, locator]));
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : count, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : count, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : dir.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : dirAt, 16);
  await write(eocd);
  await handle.close();
}

function* floatChunks(t: SyntheticTensor, n: number): Iterable<Uint8Array> {
  for (let start = 0; start < n; start += CHUNK_ELEMENTS) {
    const chunk = new Float32Array(Math.min(CHUNK_ELEMENTS, n - start));
    t.fill(chunk, start);
    yield new Uint8Array(chunk.buffer);
  }
}

function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return b;
}

function storageElements(t: SyntheticTensor): number {
  return t.view?.storageElements ?? t.shape.reduce((a, b) => a * b, 1);
}

/** Protocol-2 pickle of OrderedDict{name: _rebuild_tensor_v2(storage i, offset, shape, stride, False, OrderedDict())}. */
function statePickle(tensors: SyntheticTensor[]): Buffer {
  const out: number[] = [0x80, 2];
  const bytes = (...b: number[]) => out.push(...b);
  const text = (s: string) => out.push(...Buffer.from(s));
  const global = (module: string, name: string) => {
    bytes(0x63);
    text(`${module}\n${name}\n`);
  };
  const str = (s: string) => {
    const b = Buffer.from(s);
    bytes(0x58, ...u32(b.length));
    out.push(...b);
  };
  const int = (v: number) => bytes(0x4a, ...u32(v));
  const intTuple = (values: number[]) => {
    bytes(0x28);
    values.forEach(int);
    bytes(0x74);
  };
  const emptyOrderedDict = () => {
    global('collections', 'OrderedDict');
    bytes(0x29, 0x52); // EMPTY_TUPLE, REDUCE
  };

  emptyOrderedDict();
  bytes(0x28); // MARK for SETITEMS
  tensors.forEach((t, key) => {
    const stride = t.view?.stride ?? t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    str(t.name);
    global('torch._utils', '_rebuild_tensor_v2');
    bytes(0x28, 0x28); // args tuple, persistent-id tuple
    str('storage');
    global('torch', 'FloatStorage');
    str(String(key));
    str('cpu');
    int(storageElements(t));
    bytes(0x74, 0x51); // TUPLE, BINPERSID
    int(t.view?.storageOffset ?? 0);
    intTuple(t.shape);
    intTuple(stride);
    bytes(0x89); // requires_grad False
    emptyOrderedDict(); // backward hooks
    bytes(0x74, 0x52); // TUPLE, REDUCE
  });
  bytes(0x75, 0x2e); // SETITEMS, STOP
  return Buffer.from(out);
}

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
