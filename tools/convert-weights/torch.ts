/**
 * Reads torch.save zip archives (torch >= 1.6): `<name>/data.pkl` describes the object tree,
 * `<name>/data/<key>` hold the raw storages. Tensors come back as lazy TensorSources that
 * read only their own byte range, resolving storage offsets and strides (views).
 */
import { CorruptFileError, DtypeError, UnsupportedFormatError } from './errors.js';
import type { RandomAccessFile } from './file.js';
import { ITEM_SIZE, type DType } from './dtype.js';
import { PyGlobal, describe, unpickle } from './pickle.js';
import type { TensorSource } from './tensor.js';
import { numel } from './tensor.js';
import { entryDataOffset, readZipDirectory, type ZipEntry } from './zip.js';

const STORAGE_DTYPES: Record<string, DType> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8',
  ByteStorage: 'U8', BoolStorage: 'BOOL',
};

/** data.pkl is metadata only; anything this large is not a checkpoint we should parse. */
const MAX_PICKLE_BYTES = 512 << 20;

class Storage {
  private dataOffset: Promise<number> | undefined;
  constructor(
    readonly file: RandomAccessFile,
    readonly entry: ZipEntry,
    readonly dtype: DType,
    readonly numel: number,
  ) {}

  /** Absolute file offset of the storage's first byte (looked up once). */
  offset(): Promise<number> {
    this.dataOffset ??= entryDataOffset(this.file, this.entry);
    return this.dataOffset;
  }
}

/**
 * A view that repeats storage elements (stride 0, overlapping strides) can decode to far more
 * bytes than the file holds; past this it is refused rather than allocated (WebGPU's default
 * maxBufferSize: a larger weight could not be uploaded as one buffer anyway).
 */
export const MAX_EXPANDED_VIEW_BYTES = 256 << 20;

export class TorchTensor implements TensorSource {
  readonly dtype: DType;
  constructor(
    private readonly storage: Storage,
    private readonly storageOffset: number,
    readonly shape: readonly number[],
    private readonly stride: readonly number[],
  ) {
    this.dtype = storage.dtype;
  }

  check(): void {
    this.extent();
  }

  async read(): Promise<Uint8Array> {
    const size = ITEM_SIZE[this.dtype];
    const extent = this.extent();
    if (extent === 0) return new Uint8Array(0);
    // The view touches storage elements [storageOffset, storageOffset + extent); read just that span.
    const start = (await this.storage.offset()) + this.storageOffset * size;
    const span = await this.storage.file.read(start, extent * size, `storage ${this.storage.entry.name}`);
    return this.isContiguous() ? span : gather(span, this.shape, this.stride, size);
  }

  /**
   * Storage elements the view spans from its offset (0 for an empty tensor), after checking
   * that they lie in the storage (as the pickle counts it and as the archive holds it).
   */
  private extent(): number {
    const { storageOffset: offset, shape, stride } = this;
    const entry = this.storage.entry;
    const size = ITEM_SIZE[this.dtype];
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new CorruptFileError(`storage offset ${offset} of storage ${entry.name} must be a non-negative integer`);
    }
    if (stride.length !== shape.length) {
      throw new CorruptFileError(
        `shape [${shape.join(', ')}] has ${shape.length} dimensions but strides [${stride.join(', ')}] have ${stride.length}`,
      );
    }
    const n = numel(shape);
    if (n === 0) return 0;
    let extent = 1;
    shape.forEach((s, d) => (extent += (s - 1) * stride[d]));
    const held = Math.floor(entry.size / size);
    const available = Math.min(this.storage.numel, held);
    if (offset + extent > available) {
      throw new CorruptFileError(
        `the view needs ${offset + extent} elements of storage ${entry.name} (offset ${offset} + extent ${extent}), ` +
          `which holds ${available}${held < this.storage.numel ? ` (${entry.size} bytes)` : ''}`,
      );
    }
    if (n > extent && n * size > MAX_EXPANDED_VIEW_BYTES) {
      throw new CorruptFileError(
        `the view [${shape.join(', ')}] repeats storage elements into ${n * size} bytes, ` +
          `more than the ${MAX_EXPANDED_VIEW_BYTES} allowed for such views`,
      );
    }
    return extent;
  }

  private isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.stride[d] !== expected) return false;
      expected *= this.shape[d];
    }
    return true;
  }
}

/** Copies a strided view (strides in elements, relative to span[0]) into row-major order. */
function gather(span: Uint8Array, shape: readonly number[], stride: readonly number[], size: number): Uint8Array {
  const n = numel(shape);
  const out = new Uint8Array(n * size);
  const index = new Array<number>(shape.length).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < size; b++) out[i * size + b] = span[src * size + b];
    for (let d = shape.length - 1; d >= 0; d--) {
      src += stride[d];
      if (++index[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Parses the archive's data.pkl; returns the saved object with TorchTensor leaves. */
export async function readTorchZip(file: RandomAccessFile): Promise<unknown> {
  const entries = await readZipDirectory(file);
  const pkl = [...entries.values()].find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (!pkl) {
    throw new UnsupportedFormatError(`${file.path} is a zip archive but has no <name>/data.pkl: not a torch.save file`);
  }
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(await readEntry(file, byteorder));
    if (order !== 'little') throw new UnsupportedFormatError(`${file.path} stores ${order}-endian tensors`);
  }
  if (pkl.size > MAX_PICKLE_BYTES) throw new CorruptFileError(`${file.path}: ${pkl.name} is ${pkl.size} bytes`);

  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: unknown): Storage => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5 || !isCount(pid[4])) {
      throw new CorruptFileError(`${file.path}: unexpected persistent id ${describe(pid)}`);
    }
    const [, type, key, , count] = pid as [string, unknown, unknown, unknown, unknown];
    const name = type instanceof PyGlobal ? type.name : String(type);
    const dtype = Object.hasOwn(STORAGE_DTYPES, name) ? STORAGE_DTYPES[name] : undefined;
    if (!dtype) throw new DtypeError(`${file.path}: unsupported storage type ${describe(type)} (${name})`);
    const k = String(key);
    let storage = storages.get(k);
    if (!storage) {
      const entry = entries.get(`${prefix}data/${k}`);
      if (!entry) throw new CorruptFileError(`${file.path}: storage ${prefix}data/${k} is missing from the archive`);
      storage = new Storage(file, entry, dtype, count as number);
      storages.set(k, storage);
    }
    return storage;
  };
  const reduce = (cls: PyGlobal, args: unknown[]): unknown => {
    switch (`${cls}`) {
      case 'collections.OrderedDict':
        return orderedDict(args[0], file.path);
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, size, stride] = args;
        if (!(storage instanceof Storage) || !isInts(size) || !isInts(stride) || typeof offset !== 'number') {
          throw new CorruptFileError(`${file.path}: malformed ${cls} arguments`);
        }
        return new TorchTensor(storage, offset, size, stride);
      }
      case 'torch._tensor._rebuild_from_type_v2': {
        // A tensor subclass: (rebuild function, subclass, its arguments, state); keep the tensor.
        // A nested one could refer to itself through the memo and recurse forever.
        const [func, , funcArgs] = args;
        const rebuilds = func instanceof PyGlobal && `${func}` !== `${cls}` && Array.isArray(funcArgs);
        return rebuilds ? reduce(func, funcArgs) : undefined;
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return args[0];
      default:
        return undefined;
    }
  };
  return unpickle(await readEntry(file, pkl), { reduce, persistentLoad }, `${file.path}:${pkl.name}`);
}

async function readEntry(file: RandomAccessFile, entry: ZipEntry): Promise<Uint8Array> {
  return file.read(await entryDataOffset(file, entry), entry.size, entry.name);
}

/** OrderedDict(items): items, when given, is a list of (key, value) pairs. */
function orderedDict(items: unknown, path: string): Map<unknown, unknown> {
  if (items === undefined) return new Map();
  if (!Array.isArray(items) || !items.every((pair) => Array.isArray(pair) && pair.length === 2)) {
    throw new CorruptFileError(`${path}: OrderedDict arguments are not a list of (key, value) pairs`);
  }
  return new Map(items as [unknown, unknown][]);
}

function isInts(v: unknown): v is number[] {
  return Array.isArray(v) && v.every(isCount);
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}
