/**
 * The conversion pipeline: open (torch zip or safetensors) → pick the state dict → map and
 * validate the layout → stream tensors one at a time into a safetensors file.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { PixelLatentCodec } from '../../src/model/pixel-latent.js';
import { ConvertError, LegacyTorchFormatError, UnsupportedFormatError } from './errors.js';
import { convertFloats, type DType, type OutputDType } from './dtype.js';
import { RandomAccessFile } from './file.js';
import {
  mapLayout,
  type Convention,
  type ModelKind,
  type SideNetArch,
  type SitArch,
  type SourceLayout,
  type VaeArch,
} from './layouts.js';
import { describe } from './pickle.js';
import { SafetensorsWriter, looksLikeSafetensors, readSafetensors } from './safetensors.js';
import { isTensorSource, type TensorSource } from './tensor.js';
import { readTorchZip } from './torch.js';

export type WeightSource = 'auto' | 'ema' | 'model';

export interface ConvertOptions {
  input: string;
  output: string;
  /** Output element type (default f32). */
  dtype?: OutputDType;
  /** Which weights of a training checkpoint: auto prefers the EMA ones. */
  source?: WeightSource;
  /** Force the layout instead of detecting it from the keys. */
  kind?: ModelKind;
  /** Attention heads when the weights do not determine them. */
  heads?: number;
  /** VAE: GroupNorm groups (default 32) and latent scaling factor (default 0.18215), which the weights do not record. */
  groups?: number;
  scalingFactor?: number;
  /** Time convention of the model (default: 'sit' for learn_sigma SiT, else 'repa'). */
  convention?: Convention;
  /** For pixel-space SiTs: how latents map to images, recorded in the metadata for apps. */
  latentCodec?: PixelLatentCodec;
  onProgress?: (bytesWritten: number, totalBytes: number) => void;
}

/** JSON stored as the string `__metadata__.ba_webgpu` of the output file. */
export interface BaWebgpuMetadata {
  format: 'ba-webgpu/1';
  kind: ModelKind;
  arch: SitArch | SideNetArch | VaeArch;
  convention: Convention;
  source_layout: SourceLayout;
  dtype: OutputDType;
  source_file: string;
  /** Top-level entry of a training checkpoint that was used ('ema', 'model', ...), or null. */
  source_key: string | null;
  latent_codec?: PixelLatentCodec;
}

/** A source tensor's dtype and shape (its bytes are only read by convert()). */
export interface TensorInfo {
  dtype: DType;
  shape: readonly number[];
}

export interface ConversionPlan {
  metadata: BaWebgpuMetadata;
  /** Output tensors in write order, with their source dtypes. */
  tensors: Map<string, TensorInfo>;
  /** Source keys left out on purpose (after prefix stripping). */
  dropped: string[];
  notes: string[];
  totalBytes: number;
}

export interface ConvertResult extends ConversionPlan {
  output: string;
}

export const METADATA_KEY = 'ba_webgpu';

const EMA_KEYS = ['ema', 'ema_side_model'];
const MODEL_KEYS = ['model', 'side_model', 'state_dict'];
/** Wrappers that prefix every key: DistributedDataParallel, torch.compile. */
const WRAPPER_PREFIX = /^(module\.|_orig_mod\.)+/;

export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const clash = outputClash(options.input, options.output);
  if (clash) throw new ConvertError(clash);
  const file = await RandomAccessFile.open(options.input);
  try {
    const { plan, sources } = await planFrom(file, options);
    const dtype: DType = plan.metadata.dtype === 'f16' ? 'F16' : 'F32';
    const specs = [...plan.tensors].map(([name, t]) => ({ name, dtype, shape: t.shape }));
    const writer = await SafetensorsWriter.create(options.output, specs, { [METADATA_KEY]: JSON.stringify(plan.metadata) });
    try {
      let written = 0;
      options.onProgress?.(0, plan.totalBytes);
      for (const [name, t] of sources) {
        const bytes = convertFloats(await t.read(), t.dtype, plan.metadata.dtype, name);
        await writer.write(name, bytes);
        written += bytes.length;
        options.onProgress?.(written, plan.totalBytes);
      }
      await writer.close();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    return { ...plan, output: options.output };
  } finally {
    await file.close();
  }
}

/**
 * Why writing `output` would destroy `input`, or undefined when it would not: convert writes
 * `<output>.partial` and renames it to `output`, so neither may be the input file. stat follows
 * symlinks and hard links share an inode, so comparing device and inode catches every spelling
 * of the same file (the same path, a detour through .., a symlink, a hard link).
 */
export function outputClash(input: string, output: string): string | undefined {
  const source = statSync(input, { throwIfNoEntry: false });
  if (!source) return undefined;
  for (const path of [output, `${output}.partial`]) {
    const target = statSync(path, { throwIfNoEntry: false });
    if (target && target.dev === source.dev && target.ino === source.ino) {
      return `${path} is the input file ${input}: converting would replace it, choose another output`;
    }
  }
  return undefined;
}

/** Everything convert() would do except writing: validates the checkpoint, returns the metadata. */
export async function planConversion(options: Omit<ConvertOptions, 'output' | 'onProgress'>): Promise<ConversionPlan> {
  const file = await RandomAccessFile.open(options.input);
  try {
    return (await planFrom(file, options)).plan;
  } finally {
    await file.close();
  }
}

/** Reads a checkpoint's object tree (tensors stay on disk until read). */
export async function readCheckpoint(file: RandomAccessFile): Promise<unknown> {
  const head = await file.read(0, Math.min(16, file.size), 'file header');
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return readTorchZip(file);
  if (looksLikeSafetensors(head)) return new Map((await readSafetensors(file)).tensors);
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) throw new LegacyTorchFormatError(file.path);
  throw new UnsupportedFormatError(
    `${file.path} is neither a torch.save zip archive (torch>=1.6) nor a safetensors file`,
  );
}

async function planFrom(
  file: RandomAccessFile,
  options: Omit<ConvertOptions, 'output' | 'onProgress'>,
): Promise<{ plan: ConversionPlan; sources: Map<string, TensorSource> }> {
  const root = await readCheckpoint(file);
  const { dict, key } = selectStateDict(root, options.source ?? 'auto', file.path);
  const tensors = stripPrefixes(dict, file.path);
  const { kind, heads, groups, scalingFactor } = options;
  const mapped = withFileName(file.path, () => mapLayout(tensors, { kind, heads, groups, scalingFactor }));
  const dtype = options.dtype ?? 'f32';
  const sources = mapped.sources;
  let totalBytes = 0;
  for (const t of sources.values()) totalBytes += t.shape.reduce((a, b) => a * b, 1) * (dtype === 'f16' ? 2 : 4);
  const notes = key ? [`using the '${key}' weights of a training checkpoint`, ...mapped.notes] : mapped.notes;
  const plan: ConversionPlan = {
    metadata: {
      format: 'ba-webgpu/1',
      kind: mapped.kind,
      arch: mapped.arch,
      convention: options.convention ?? (mapped.sourceLayout === 'sit' ? 'sit' : 'repa'),
      source_layout: mapped.sourceLayout,
      dtype,
      source_file: basename(file.path),
      source_key: key,
      ...(options.latentCodec ? { latent_codec: options.latentCodec } : {}),
    },
    tensors: new Map([...sources].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape }])),
    dropped: mapped.dropped,
    notes,
    totalBytes,
  };
  return { plan, sources };
}

/** Layout errors name keys; say which file they came from too. */
function withFileName<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConvertError) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

/** A training checkpoint holds the state dicts under known keys; anything else is one itself. */
function selectStateDict(root: unknown, source: WeightSource, path: string): { dict: Map<unknown, unknown>; key: string | null } {
  if (!(root instanceof Map)) throw new UnsupportedFormatError(`${path}: the saved object is a ${describe(root)}, expected a dict`);
  const candidates = source === 'ema' ? EMA_KEYS : source === 'model' ? MODEL_KEYS : [...EMA_KEYS, ...MODEL_KEYS];
  const isTraining = [...EMA_KEYS, ...MODEL_KEYS].some((k) => root.get(k) instanceof Map);
  if (!isTraining) {
    if (source !== 'auto') {
      throw new ConvertError(`${path} is a bare state_dict: it has no '${candidates.join("'/'")}' entry for --source ${source}`);
    }
    return { dict: root, key: null };
  }
  for (const k of candidates) {
    const v = root.get(k);
    if (v instanceof Map) return { dict: v, key: k };
  }
  const present = [...root].map(([k, v]) => `${String(k)} (${describe(v)})`).join(', ');
  throw new ConvertError(`${path}: no '${candidates.join("'/'")}' state dict for --source ${source}; top-level entries: ${present}`);
}

function stripPrefixes(dict: Map<unknown, unknown>, path: string): Map<string, TensorSource> {
  const out = new Map<string, TensorSource>();
  for (const [k, v] of dict) {
    if (typeof k !== 'string') throw new ConvertError(`${path}: state dict key ${describe(k)} is not a string`);
    if (!isTensorSource(v)) throw new ConvertError(`${path}: state dict entry ${k} is a ${describe(v)}, not a tensor`);
    try {
      v.check?.();
    } catch (e) {
      if (e instanceof ConvertError) e.message = `${path}: tensor ${k}: ${e.message}`;
      throw e;
    }
    const name = k.replace(WRAPPER_PREFIX, '');
    if (out.has(name)) throw new ConvertError(`${path}: ${k} and another key both map to ${name} after removing wrapper prefixes`);
    out.set(name, v);
  }
  return out;
}
