/**
 * Seeded fuzzing of the converter's readers: valid torch.save archives and safetensors files,
 * mutated (bit flips, byte and word overwrites with edge values, truncation, chunk duplication
 * and deletion, header-length edits, JSON-header edits), are read as the converter reads them:
 * every tensor found is checked and read, then the file is planned and (every few cases)
 * converted. Each case must end in a result or a typed ConvertError, never another exception,
 * within CASE_TIME_LIMIT_MS, and within the memory bound below.
 *
 * Memory bound: every read is checked against the file's size before anything is allocated,
 * so no tensor decodes to more bytes than the file holds, except a view that repeats storage
 * elements (stride 0), which is capped at MAX_EXPANDED_VIEW_BYTES (256 MiB); the process's
 * RSS may not grow by more than MEMORY_GROWTH_LIMIT over the whole run.
 *
 * A synchronous hang (a parser loop that never ends) cannot be interrupted in process: the case
 * time check reports slow cases, and the test's timeout stops a hung one.
 * FUZZ_SEED=n replays another seed; FUZZ_CASES=n changes the number of cases per seed file.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConvertError,
  RandomAccessFile,
  convert,
  planConversion,
  readCheckpoint,
  type TensorSource,
} from '../../tools/convert-weights/index.js';
import { isTensorSource } from '../../tools/convert-weights/tensor.js';
import { writeSyntheticTorchZip } from '../../tools/convert-weights/synthetic-torch.js';
import { MAX_EXPANDED_VIEW_BYTES } from '../../tools/convert-weights/torch.js';
import { fixture, storedZip, tempDir, zipEntries } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const CASES_PER_SEED_FILE = Number(process.env.FUZZ_CASES ?? 1200);
const CASE_TIME_LIMIT_MS = 2_000;
const MEMORY_GROWTH_LIMIT = 512 * 2 ** 20;
/** Every this many cases also runs convert() to an output file (the writer's path). */
const CONVERT_EVERY = 8;

/** xorshift32: small, seedable, the same sequence on every machine. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const EDGE_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
const EDGE_WORDS = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0x10000];

/** Byte ranges where a mutation matters most (headers, directory, pickle); random otherwise. */
type Hot = [start: number, end: number][];

type Mutation = (bytes: Buffer, random: Random, hot: Hot) => Buffer;

/** A position: in a hot range three times in four (each hot byte equally likely), anywhere otherwise. */
function position(bytes: Buffer, random: Random, hot: Hot): number {
  const hotBytes = hot.reduce((sum, [start, end]) => sum + end - start, 0);
  if (hotBytes > 0 && random.next() < 0.75) {
    let k = random.int(hotBytes);
    for (const [start, end] of hot) {
      if (k < end - start) return Math.min(bytes.length - 1, start + k);
      k -= end - start;
    }
  }
  return random.int(bytes.length);
}

const BYTE_MUTATIONS: Record<string, Mutation> = {
  flipBits(bytes, random, hot) {
    for (let k = 1 + random.int(4); k > 0; k--) bytes[position(bytes, random, hot)] ^= 1 << random.int(8);
    return bytes;
  },
  edgeByte(bytes, random, hot) {
    bytes[position(bytes, random, hot)] = random.pick(EDGE_BYTES);
    return bytes;
  },
  edgeWord(bytes, random, hot) {
    const at = Math.min(position(bytes, random, hot), bytes.length - 4);
    if (at >= 0) bytes.writeUInt32LE(random.pick(EDGE_WORDS), at);
    return bytes;
  },
  truncate(bytes, random, hot) {
    return bytes.subarray(0, random.next() < 0.5 ? position(bytes, random, hot) : random.int(bytes.length));
  },
  duplicateChunk(bytes, random, hot) {
    const at = position(bytes, random, hot);
    const chunk = bytes.subarray(at, at + 1 + random.int(64));
    const into = position(bytes, random, hot);
    return Buffer.concat([bytes.subarray(0, into), chunk, bytes.subarray(into)]);
  },
  deleteChunk(bytes, random, hot) {
    const at = position(bytes, random, hot);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + random.int(64))]);
  },
};

/** Values that JSON-header fields get replaced with. */
const HEADER_VALUES: unknown[] = [
  'abc', null, 7, -1, 0.5, true, {}, [], [-1], [1.5], [2 ** 53], [1e300], [0], [0, 0], [8, 0], [0, 2 ** 40],
  ['F32'], 'F32', 'F16', 'BF16', 'I64', 'BOOL', 'F8', 'constructor', '__proto__', [1, 2, 3, 4, 5, 6, 7, 8, 9],
];

/** Safetensors-specific edits: the length field, and the JSON header as parsed values. */
const SAFETENSORS_MUTATIONS: Record<string, Mutation> = {
  headerLength(bytes, random) {
    const n = bytes.readBigUInt64LE(0);
    const edits = [0n, 1n, n - 1n, n + 1n, n + 8n, BigInt(bytes.length), BigInt(bytes.length) - 7n, 2n ** 63n, 2n ** 64n - 1n, 100n << 20n];
    const value = random.pick(edits);
    bytes.writeBigUInt64LE(value < 0n ? 0n : value, 0);
    return bytes;
  },
  jsonField(bytes, random) {
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, Record<string, unknown>>;
    const names = Object.keys(header);
    const name = random.pick(names);
    const entry = header[name];
    const fields = typeof entry === 'object' && entry !== null ? Object.keys(entry) : [];
    switch (random.int(6)) {
      case 0: // replace a field
        if (fields.length > 0) entry[random.pick(fields)] = random.pick(HEADER_VALUES);
        break;
      case 1: // delete a field
        if (fields.length > 0) delete entry[random.pick(fields)];
        break;
      case 2: // replace a whole entry
        header[name] = random.pick(HEADER_VALUES) as Record<string, unknown>;
        break;
      case 3: {
        // shift or resize one tensor's data_offsets
        const range = entry?.data_offsets;
        if (Array.isArray(range)) range[random.int(2)] += random.pick([-8, -4, -1, 1, 4, 8, 1024]);
        break;
      }
      case 4: {
        // give one tensor another's offsets (overlap)
        const other = header[random.pick(names)];
        if (entry && other && typeof other === 'object') entry.data_offsets = other.data_offsets;
        break;
      }
      default: // one dimension of a shape
        if (Array.isArray(entry?.shape) && entry.shape.length > 0) entry.shape[random.int(entry.shape.length)] = random.pick([0, 1, 2, 3, 1024, 2 ** 31, -2]);
    }
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([length, json, bytes.subarray(8 + n)]);
  },
};

/** The mutations of the byte-level ones applied to data.pkl alone, at integer operands mostly. */
function mutatePickle(data: Buffer, random: Random): Buffer {
  const operands: Hot = [];
  const widths: Record<number, number> = { 0x4a: 4, 0x4b: 1, 0x4d: 2 }; // BININT, BININT1, BININT2
  data.forEach((byte, i) => widths[byte] && operands.push([i + 1, i + 1 + widths[byte]]));
  const name = random.pick(Object.keys(BYTE_MUTATIONS));
  return BYTE_MUTATIONS[name](data, random, operands);
}

/**
 * torch-specific edits that keep the archive itself consistent (re-zipped around the edit),
 * so they reach the pickle reader and the tensor views rather than the zip directory.
 */
const TORCH_MUTATIONS: Record<string, Mutation> = {
  pickle(bytes, random) {
    const entries = zipEntries(bytes);
    const pkl = entries.find(([name]) => name.endsWith('/data.pkl'));
    if (!pkl) return bytes;
    pkl[1] = mutatePickle(Buffer.from(pkl[1]), random);
    return storedZip(entries);
  },
  storage(bytes, random) {
    const entries = zipEntries(bytes);
    const entry = random.pick(entries);
    switch (random.int(4)) {
      case 0: // shorter
        entry[1] = entry[1].subarray(0, random.int(entry[1].length));
        break;
      case 1: // longer
        entry[1] = Buffer.concat([entry[1], Buffer.alloc(1 + random.int(64), 0x7f)]);
        break;
      case 2: // gone
        entries.splice(entries.indexOf(entry), 1);
        break;
      default: // twice
        entries.push(entry);
    }
    return storedZip(entries);
  },
};

interface SeedFile {
  name: string;
  bytes: Buffer;
  hot: Hot;
  /** Format-aware mutations, picked half of the time; byte-level ones otherwise. */
  structured: Record<string, Mutation>;
}

/** Hot ranges of a zip archive: its end records, central directory, local headers and data.pkl. */
function zipHotRanges(zip: Buffer): Hot {
  const eocd = zip.lastIndexOf('PK\x05\x06', undefined, 'latin1');
  const hot: Hot = [[eocd - 76 > 0 ? eocd - 76 : 0, zip.length]];
  for (let at = zip.indexOf('PK\x01\x02', 0, 'latin1'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 1, 'latin1')) {
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('latin1', at + 46, at + 46 + nameLength);
    hot.push([at, at + 46 + nameLength]);
    const local = zip.readUInt32LE(at + 42);
    if (local === 0xffffffff) continue; // zip64: the whole tail is hot already
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    hot.push([local, dataStart]);
    if (name.endsWith('data.pkl')) hot.push([dataStart, dataStart + zip.readUInt32LE(at + 24)]);
  }
  return hot;
}

/** Every tensor in a checkpoint's object tree (maps, lists, opaque objects' state). */
function tensorsIn(root: unknown): TensorSource[] {
  const found: TensorSource[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown) => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (isTensorSource(v)) found.push(v);
    else if (v instanceof Map) for (const [k, x] of v) (visit(k), visit(x));
    else if (Array.isArray(v)) v.forEach(visit);
    else if ('state' in v) visit((v as { state: unknown }).state);
  };
  visit(root);
  return found;
}

/**
 * Reads a checkpoint as the converter does: every tensor, then the plan; `convertTo` also
 * writes. Calls `onRead` once every tensor was read.
 */
async function exercise(path: string, fileSize: number, onRead: () => void, convertTo?: string): Promise<void> {
  const file = await RandomAccessFile.open(path);
  try {
    for (const tensor of tensorsIn(await readCheckpoint(file))) {
      tensor.check?.();
      const bytes = await tensor.read();
      if (bytes.length > Math.max(fileSize, MAX_EXPANDED_VIEW_BYTES)) {
        throw new Error(`a tensor of ${bytes.length} bytes from a file of ${fileSize}`);
      }
    }
  } finally {
    await file.close();
  }
  onRead();
  await planConversion({ input: path, heads: 2 });
  if (convertTo) await convert({ input: path, output: convertTo, heads: 2 });
}

interface Finding {
  seedFile: string;
  caseIndex: number;
  mutations: string[];
  problem: string;
}

interface Outcomes {
  /** Cases whose every tensor was read. */
  reads: number;
  typedErrors: number;
  /** Largest RSS growth seen after a case, from `rssBefore`. */
  peakGrowth: number;
}

async function fuzz(seed: SeedFile, random: Random, dir: string, rssBefore: number): Promise<{ findings: Finding[]; outcomes: Outcomes }> {
  const path = join(dir, `${seed.name}.fuzz`);
  const output = join(dir, 'out.safetensors');
  const structured = Object.keys(seed.structured);
  const byteLevel = Object.keys(BYTE_MUTATIONS);
  const findings: Finding[] = [];
  const outcomes: Outcomes = { reads: 0, typedErrors: 0, peakGrowth: 0 };
  for (let caseIndex = 0; caseIndex < CASES_PER_SEED_FILE; caseIndex++) {
    let bytes: Buffer = Buffer.from(seed.bytes);
    const applied: string[] = [];
    for (let k = 1 + random.int(3); k > 0 && bytes.length > 0; k--) {
      const name = random.next() < 0.5 ? random.pick(structured) : random.pick(byteLevel);
      applied.push(name);
      try {
        bytes = (seed.structured[name] ?? BYTE_MUTATIONS[name])(bytes, random, seed.hot);
      } catch {
        // A format-aware edit after a byte edit may find no JSON or zip to parse: keep the bytes.
      }
    }
    writeFileSync(path, bytes);
    const started = performance.now();
    try {
      await exercise(path, bytes.length, () => outcomes.reads++, caseIndex % CONVERT_EVERY === 0 ? output : undefined);
    } catch (e) {
      if (e instanceof ConvertError) outcomes.typedErrors++;
      else findings.push({ seedFile: seed.name, caseIndex, mutations: applied, problem: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
    }
    const ms = performance.now() - started;
    if (ms > CASE_TIME_LIMIT_MS) findings.push({ seedFile: seed.name, caseIndex, mutations: applied, problem: `took ${ms.toFixed(0)} ms` });
    rmSync(output, { force: true });
    outcomes.peakGrowth = Math.max(outcomes.peakGrowth, process.memoryUsage().rss - rssBefore);
  }
  return { findings, outcomes };
}

/** One finding per distinct problem (the error's class and where it was thrown), with a count. */
function distinct(findings: Finding[]): (Finding & { count: number })[] {
  const groups = new Map<string, Finding & { count: number }>();
  for (const f of findings) {
    const [message, , frame] = f.problem.split('\n');
    const key = frame ? `${message.split(':')[0]} ${frame}` : message.replace(/\d+/g, 'N');
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { ...f, problem: f.problem.slice(0, 600), count: 1 });
  }
  return [...groups.values()];
}

describe('converter fuzzing', () => {
  const seeds: SeedFile[] = [];
  const dir = tempDir();

  beforeAll(async () => {
    const torch = (name: string, bytes: Buffer): SeedFile => ({ name, bytes, hot: zipHotRanges(bytes), structured: TORCH_MUTATIONS });
    for (const name of ['sit_views.pt', 'repa_train.pt']) seeds.push(torch(name, readFileSync(fixture(name))));
    const zip64 = join(dir, 'zip64.pt');
    await writeSyntheticTorchZip(zip64, [
      { name: 'pos_embed', shape: [1, 4, 8], fill: (out, start) => out.forEach((_, i) => (out[i] = start + i)) },
      { name: 'x_embedder.proj.bias', shape: [8], view: { storageOffset: 2, stride: [1], storageElements: 12 }, fill: (out) => out.fill(1) },
    ], { zip64: true });
    seeds.push(torch('zip64.pt', readFileSync(zip64)));

    const st = join(dir, 'seed.safetensors');
    await convert({ input: fixture('sit_views.pt'), output: st, heads: 2, dtype: 'f16' });
    const bytes = readFileSync(st);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    seeds.push({ name: 'sit_views.safetensors', bytes, hot: [[0, headerEnd]], structured: SAFETENSORS_MUTATIONS });
  });

  it('ends every mutated checkpoint in a result or a typed ConvertError, in bounded time and memory', async () => {
    const random = new Random(SEED);
    const rssBefore = process.memoryUsage().rss;
    const findings: Finding[] = [];
    const bySeedFile: Record<string, Outcomes> = {};
    for (const seed of seeds) {
      const result = await fuzz(seed, random, dir, rssBefore);
      findings.push(...result.findings);
      bySeedFile[seed.name] = result.outcomes;
    }
    expect(distinct(findings), `seed ${SEED}: ${findings.length} findings`).toEqual([]);
    for (const [name, o] of Object.entries(bySeedFile)) {
      // The mutations must reach past the first check: some files still read, most fail typed.
      expect(o.typedErrors, name).toBeGreaterThan(CASES_PER_SEED_FILE / 4);
      expect(o.reads, name).toBeGreaterThan(0);
      expect(o.peakGrowth, name).toBeLessThan(MEMORY_GROWTH_LIMIT);
    }
  }, 120_000);
});
