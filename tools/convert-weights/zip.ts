/**
 * Just enough of the zip format to read torch.save archives: the central directory (with zip64),
 * local headers to locate entry data, and stored (uncompressed) entries only.
 */
import { CorruptFileError, TruncatedFileError, UnsupportedFormatError } from './errors.js';
import type { RandomAccessFile } from './file.js';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export async function readZipDirectory(file: RandomAccessFile): Promise<Map<string, ZipEntry>> {
  const eocdOffset = await findEocd(file);
  const eocd = view(await file.read(eocdOffset, EOCD_SIZE, 'zip end record'));
  let count = eocd.getUint16(10, true);
  let dirSize = eocd.getUint32(12, true);
  let dirOffset = eocd.getUint32(16, true);

  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const locatorOffset = eocdOffset - 20;
    const locator = view(await file.read(locatorOffset, 20, 'zip64 end locator'));
    if (locator.getUint32(0, true) !== ZIP64_LOCATOR_SIG) {
      throw new CorruptFileError(`${file.path}: zip64 fields without a zip64 end locator`);
    }
    const z64Offset = u64(locator, 8);
    const z64 = view(await file.read(z64Offset, 56, 'zip64 end record'));
    if (z64.getUint32(0, true) !== ZIP64_EOCD_SIG) {
      throw new CorruptFileError(`${file.path}: bad zip64 end record signature`);
    }
    count = u64(z64, 32);
    dirSize = u64(z64, 40);
    dirOffset = u64(z64, 48);
  }

  const dir = await file.read(dirOffset, dirSize, 'zip central directory');
  const dv = view(dir);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dv.getUint32(p, true) !== CENTRAL_SIG) {
      throw new CorruptFileError(`${file.path}: bad zip central directory entry ${i}`);
    }
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > dir.length) {
      throw new CorruptFileError(`${file.path}: zip central directory entry ${i} runs past the directory's ${dir.length} bytes`);
    }
    const name = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLen));
    const entry: ZipEntry = {
      name,
      method: dv.getUint16(p + 10, true),
      compressedSize: dv.getUint32(p + 20, true),
      size: dv.getUint32(p + 24, true),
      localHeaderOffset: dv.getUint32(p + 42, true),
    };
    applyZip64Extra(entry, dv, p + 46 + nameLen, extraLen, file.path);
    entries.set(name, entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Absolute file offset of an entry's data. Sizes come from the central directory: torch sets
 * the data-descriptor flag, so the local header's size fields are zero. */
export async function entryDataOffset(file: RandomAccessFile, entry: ZipEntry): Promise<number> {
  if (entry.method !== 0) {
    throw new UnsupportedFormatError(
      `${file.path}: zip entry ${entry.name} is compressed (method ${entry.method}); ` +
        'torch.save writes uncompressed entries: re-save the checkpoint with torch.save instead of re-zipping it',
    );
  }
  const local = view(await file.read(entry.localHeaderOffset, 30, `zip local header of ${entry.name}`));
  if (local.getUint32(0, true) !== LOCAL_SIG) {
    throw new CorruptFileError(`${file.path}: bad zip local header for ${entry.name}`);
  }
  const start = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (start + entry.size > file.size) {
    throw new TruncatedFileError(
      `${file.path} is truncated: entry ${entry.name} needs bytes ${start}..${start + entry.size}, file has ${file.size}`,
    );
  }
  return start;
}

async function findEocd(file: RandomAccessFile): Promise<number> {
  const tailLen = Math.min(file.size, EOCD_SIZE + MAX_COMMENT);
  if (tailLen < EOCD_SIZE) throw new TruncatedFileError(`${file.path} is too short to be a zip archive`);
  const tail = await file.read(file.size - tailLen, tailLen, 'zip end record');
  const dv = view(tail);
  for (let p = tailLen - EOCD_SIZE; p >= 0; p--) {
    if (dv.getUint32(p, true) === EOCD_SIG) return file.size - tailLen + p;
  }
  throw new TruncatedFileError(
    `${file.path} starts like a zip archive but has no end-of-central-directory record: ` +
      'the file is truncated (an interrupted download or copy?)',
  );
}

/** Reads the zip64 extra field (id 1) among the entry's extra fields at [start, start + length). */
function applyZip64Extra(entry: ZipEntry, dv: DataView, start: number, length: number, path: string): void {
  const end = start + length;
  for (let p = start; p + 4 <= end; ) {
    const id = dv.getUint16(p, true);
    const size = dv.getUint16(p + 2, true);
    if (p + 4 + size > end) throw new CorruptFileError(`${path}: zip extra field of ${entry.name} runs past its entry`);
    if (id === 0x0001) {
      // Only the fields whose 32-bit value is saturated are present, in this order.
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > p + 4 + size) throw new CorruptFileError(`${path}: zip64 extra field of ${entry.name} is too short`);
        q += 8;
        return u64(dv, q - 8);
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
    }
    p += 4 + size;
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, offset: number): number {
  const v = dv.getBigUint64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptFileError(`zip64 value ${v} out of range`);
  return Number(v);
}
