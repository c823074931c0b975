/**
 * Layout mappings: each model layout is a table of key patterns with expected shapes written
 * in terms of architecture symbols, plus a small function that reads those symbols off a few
 * anchor tensors. Validation (missing, unknown, dtype, shape) is generic over the tables.
 */
import { ArchInferenceError, DtypeError, MissingKeyError, ShapeMismatchError, UnknownKeyError } from './errors.js';
import { FLOAT_DTYPES } from './dtype.js';
import type { TensorSource } from './tensor.js';

import type { SideNetArch, SitArch, TimeConvention } from '../../src/model/weights.js';

// The architecture records belong to the engine's weight format (src/model/weights.ts).
export type { SideNetArch, SitArch };
export type ModelKind = 'sit' | 'sidenet';
export type Convention = TimeConvention;
export type SourceLayout = 'sit' | 'repa' | 'sidenet';

interface Rule {
  /** `{i}` stands for a block index. */
  key: string;
  /** Comma-separated dims; each a sum of products of integers and arch symbols. */
  shape: string;
  /** Which blocks the rule applies to (block rules only); default all. */
  blocks?: 'res' | 'attn';
  /** Present only when this arch flag is set. */
  when?: 'qkNorm';
}

interface Layout<A> {
  kind: ModelKind;
  rules: Rule[];
  /** Key prefixes dropped on purpose, with the note shown to the user. */
  drop: { prefix: string; note: string }[];
  infer(get: ShapeGetter, keys: ReadonlySet<string>, options: { heads?: number }): A;
  symbols(arch: A): Record<string, number>;
  blockKinds(arch: A): ('res' | 'attn')[];
  flags(arch: A): Set<string>;
  sourceLayout(arch: A): SourceLayout;
}

type ShapeGetter = (key: string, rank: number) => readonly number[];

/** Attention heads of the published SiT configs, by hidden size. */
const KNOWN_SIT_HEADS: Record<number, number> = { 1152: 16, 1024: 16, 768: 12, 384: 6 };
export const DEFAULT_SIDENET_HEADS = 4;

const SIT: Layout<SitArch> = {
  kind: 'sit',
  rules: [
    { key: 'pos_embed', shape: '1, T, D' },
    { key: 'x_embedder.proj.weight', shape: 'D, C, p, p' },
    { key: 'x_embedder.proj.bias', shape: 'D' },
    { key: 't_embedder.mlp.0.weight', shape: 'D, 256' },
    { key: 't_embedder.mlp.0.bias', shape: 'D' },
    { key: 't_embedder.mlp.2.weight', shape: 'D, D' },
    { key: 't_embedder.mlp.2.bias', shape: 'D' },
    { key: 'y_embedder.embedding_table.weight', shape: 'K+1, D' },
    { key: 'blocks.{i}.attn.qkv.weight', shape: '3*D, D' },
    { key: 'blocks.{i}.attn.qkv.bias', shape: '3*D' },
    { key: 'blocks.{i}.attn.q_norm.weight', shape: 'Dh', when: 'qkNorm' },
    { key: 'blocks.{i}.attn.q_norm.bias', shape: 'Dh', when: 'qkNorm' },
    { key: 'blocks.{i}.attn.k_norm.weight', shape: 'Dh', when: 'qkNorm' },
    { key: 'blocks.{i}.attn.k_norm.bias', shape: 'Dh', when: 'qkNorm' },
    { key: 'blocks.{i}.attn.proj.weight', shape: 'D, D' },
    { key: 'blocks.{i}.attn.proj.bias', shape: 'D' },
    { key: 'blocks.{i}.mlp.fc1.weight', shape: 'M, D' },
    { key: 'blocks.{i}.mlp.fc1.bias', shape: 'M' },
    { key: 'blocks.{i}.mlp.fc2.weight', shape: 'D, M' },
    { key: 'blocks.{i}.mlp.fc2.bias', shape: 'D' },
    { key: 'blocks.{i}.adaLN_modulation.1.weight', shape: '6*D, D' },
    { key: 'blocks.{i}.adaLN_modulation.1.bias', shape: '6*D' },
    { key: 'final_layer.linear.weight', shape: 'p*p*Co, D' },
    { key: 'final_layer.linear.bias', shape: 'p*p*Co' },
    { key: 'final_layer.adaLN_modulation.1.weight', shape: '2*D, D' },
    { key: 'final_layer.adaLN_modulation.1.bias', shape: '2*D' },
  ],
  drop: [{ prefix: 'projectors.', note: 'REPA projection heads (used only for training)' }],
  infer(get, keys, options) {
    const [hidden, inChannels, patch, patch2] = get('x_embedder.proj.weight', 4);
    if (patch !== patch2) {
      throw new ShapeMismatchError('x_embedder.proj.weight', [hidden, inChannels, patch, patch2], '[D, C, p, p]');
    }
    const [outRows] = get('final_layer.linear.weight', 2);
    const outChannels = outRows / (patch * patch);
    if (!Number.isInteger(outChannels)) {
      throw new ShapeMismatchError('final_layer.linear.weight', get('final_layer.linear.weight', 2), `[${patch}*${patch}*C_out, D]`);
    }
    const tokens = get('pos_embed', 3)[1];
    const grid = Math.round(Math.sqrt(tokens));
    if (grid * grid !== tokens) throw new ShapeMismatchError('pos_embed', get('pos_embed', 3), '[1, T, D] with T a square');
    const qkNorm = keys.has('blocks.0.attn.q_norm.weight');
    return {
      depth: blockCount(keys),
      hidden,
      heads: sitHeads(hidden, qkNorm ? get('blocks.0.attn.q_norm.weight', 1)[0] : undefined, options.heads),
      patch,
      inChannels,
      outChannels,
      learnSigma: outChannels === 2 * inChannels,
      classes: get('y_embedder.embedding_table.weight', 2)[0] - 1,
      inputSize: grid * patch,
      mlpHidden: get('blocks.0.mlp.fc1.weight', 2)[0],
      qkNorm,
    };
  },
  symbols: (a) => ({
    T: (a.inputSize / a.patch) ** 2, D: a.hidden, C: a.inChannels, p: a.patch, K: a.classes,
    Dh: a.hidden / a.heads, M: a.mlpHidden, Co: a.outChannels,
  }),
  blockKinds: (a) => new Array(a.depth).fill('res'),
  flags: (a) => new Set(a.qkNorm ? ['qkNorm'] : []),
  sourceLayout: (a) => (a.learnSigma ? 'sit' : 'repa'),
};

const SIDENET: Layout<SideNetArch> = {
  kind: 'sidenet',
  rules: [
    ...['t_embedder', 'h_embedder'].flatMap((e) => [
      { key: `${e}.mlp.0.weight`, shape: 'E, 256' },
      { key: `${e}.mlp.0.bias`, shape: 'E' },
      { key: `${e}.mlp.2.weight`, shape: 'E, E' },
      { key: `${e}.mlp.2.bias`, shape: 'E' },
    ]),
    { key: 'y_embedder.embedding_table.weight', shape: 'K+1, E' },
    { key: 'emb_fusion.0.weight', shape: 'E, 3*E' },
    { key: 'emb_fusion.0.bias', shape: 'E' },
    { key: 'emb_fusion.2.weight', shape: 'E, E' },
    { key: 'emb_fusion.2.bias', shape: 'E' },
    { key: 'input_conv.weight', shape: 'C, 2*Cl, 3, 3' },
    { key: 'blocks.{i}.emb_proj.weight', shape: '2*C, E' },
    { key: 'blocks.{i}.emb_proj.bias', shape: '2*C' },
    { key: 'blocks.{i}.conv1_dw.weight', shape: 'C, 1, 3, 3', blocks: 'res' },
    { key: 'blocks.{i}.conv1_pw.weight', shape: 'C, C, 1, 1', blocks: 'res' },
    { key: 'blocks.{i}.conv2_dw.weight', shape: 'C, 1, 3, 3', blocks: 'res' },
    { key: 'blocks.{i}.conv2_pw.weight', shape: 'C, C, 1, 1', blocks: 'res' },
    { key: 'blocks.{i}.conv2_pw.bias', shape: 'C', blocks: 'res' },
    { key: 'blocks.{i}.qkv.weight', shape: '3*C, C, 1, 1', blocks: 'attn' },
    { key: 'blocks.{i}.proj.weight', shape: 'C, C, 1, 1', blocks: 'attn' },
    { key: 'output_conv.weight', shape: 'Cl, C, 3, 3' },
    { key: 'output_conv.bias', shape: 'Cl' },
  ],
  drop: [],
  infer(get, keys, options) {
    const channels = get('input_conv.weight', 4)[0];
    const blocks = blockCount(keys);
    const attn = [...Array(blocks).keys()].filter((i) => keys.has(`blocks.${i}.qkv.weight`));
    if (attn.length !== 1) {
      throw new ArchInferenceError(
        `SideNet must have exactly one attention block (blocks.{i}.qkv.weight), found ${attn.length}: [${attn.join(', ')}]`,
      );
    }
    const heads = options.heads ?? DEFAULT_SIDENET_HEADS;
    if (channels % heads !== 0) {
      throw new ArchInferenceError(`SideNet channels ${channels} are not divisible by --heads ${heads}`);
    }
    return {
      channels,
      embed: get('t_embedder.mlp.0.weight', 2)[0],
      blocks,
      attnBlock: attn[0],
      heads,
      classes: get('y_embedder.embedding_table.weight', 2)[0] - 1,
      latentChannels: get('output_conv.weight', 4)[0],
    };
  },
  symbols: (a) => ({ C: a.channels, E: a.embed, K: a.classes, Cl: a.latentChannels }),
  blockKinds: (a) => [...Array(a.blocks).keys()].map((i) => (i === a.attnBlock ? 'attn' : 'res')),
  flags: () => new Set(),
  sourceLayout: () => 'sidenet',
};

function sitHeads(hidden: number, qkNormDim: number | undefined, flag: number | undefined): number {
  if (qkNormDim !== undefined) {
    // q_norm acts per head, so its width is the head dimension.
    const heads = hidden / qkNormDim;
    if (flag !== undefined && flag !== heads) {
      throw new ArchInferenceError(
        `--heads ${flag} contradicts blocks.0.attn.q_norm.weight (head dim ${qkNormDim}, so ${heads} heads)`,
      );
    }
    return heads;
  }
  const heads = flag ?? KNOWN_SIT_HEADS[hidden];
  if (heads === undefined) {
    throw new ArchInferenceError(
      `cannot infer the number of attention heads for hidden size ${hidden} (known: ` +
        `${Object.entries(KNOWN_SIT_HEADS).map(([d, h]) => `${d}→${h}`).join(', ')}); pass --heads`,
    );
  }
  if (hidden % heads !== 0) throw new ArchInferenceError(`hidden size ${hidden} is not divisible by --heads ${heads}`);
  return heads;
}

function blockCount(keys: ReadonlySet<string>): number {
  let count = 0;
  for (const k of keys) {
    const m = /^blocks\.(\d+)\./.exec(k);
    if (m) count = Math.max(count, Number(m[1]) + 1);
  }
  return count;
}

export interface MappedModel {
  kind: ModelKind;
  arch: SitArch | SideNetArch;
  sourceLayout: SourceLayout;
  /** Keys to write, in source order. */
  keep: string[];
  dropped: string[];
  notes: string[];
}

/** Detects the layout, infers the architecture and validates every key, dtype and shape. */
export function mapLayout(
  tensors: ReadonlyMap<string, TensorSource>,
  options: { kind?: ModelKind; heads?: number } = {},
): MappedModel {
  const kind = options.kind ?? detectKind(tensors);
  return kind === 'sit' ? apply(SIT, tensors, options) : apply(SIDENET, tensors, options);
}

function detectKind(tensors: ReadonlyMap<string, TensorSource>): ModelKind {
  if (tensors.has('x_embedder.proj.weight')) return 'sit';
  if (tensors.has('input_conv.weight')) return 'sidenet';
  throw new ArchInferenceError(
    'cannot tell the model kind: found neither x_embedder.proj.weight (SiT) nor input_conv.weight (SideNet); ' +
      `first keys: ${[...tensors.keys()].slice(0, 6).join(', ')}`,
  );
}

function apply<A>(layout: Layout<A>, tensors: ReadonlyMap<string, TensorSource>, options: { heads?: number }): MappedModel {
  const dropped = new Set<string>();
  const notes: string[] = [];
  for (const d of layout.drop) {
    const hits = [...tensors.keys()].filter((k) => k.startsWith(d.prefix));
    if (hits.length > 0) notes.push(`dropped ${hits.length} ${d.prefix}* tensors: ${d.note}`);
    hits.forEach((k) => dropped.add(k));
  }
  const present = new Set([...tensors.keys()].filter((k) => !dropped.has(k)));
  const get: ShapeGetter = (key, rank) => {
    const t = tensors.get(key);
    if (!t) throw new MissingKeyError([key], layout.kind);
    if (t.shape.length !== rank) throw new ShapeMismatchError(key, t.shape, `a rank-${rank} tensor`);
    return t.shape;
  };
  const arch = layout.infer(get, present, options);

  const expected = expand(layout, arch);
  const missing = [...expected.keys()].filter((k) => !present.has(k));
  const unknown = [...present].filter((k) => !expected.has(k));
  if (missing.length > 0) throw new MissingKeyError(missing, layout.kind, unknown);
  if (unknown.length > 0) throw new UnknownKeyError(unknown, layout.kind);

  const symbols = layout.symbols(arch);
  for (const key of present) {
    const t = tensors.get(key)!;
    if (!FLOAT_DTYPES.has(t.dtype)) {
      throw new DtypeError(`${key} has dtype ${t.dtype}; model weights must be floating point (F32, F16, BF16, F64)`);
    }
    const spec = expected.get(key)!;
    const dims = spec.split(',').map((d) => evaluate(d.trim(), symbols));
    if (dims.length !== t.shape.length || dims.some((d, i) => d !== t.shape[i])) {
      throw new ShapeMismatchError(key, t.shape, `[${spec}] = [${dims.join(', ')}]`);
    }
  }
  return {
    kind: layout.kind,
    arch: arch as SitArch | SideNetArch,
    sourceLayout: layout.sourceLayout(arch),
    keep: [...present],
    dropped: [...dropped],
    notes,
  };
}

/** Concrete key → shape spec for this architecture. */
function expand<A>(layout: Layout<A>, arch: A): Map<string, string> {
  const flags = layout.flags(arch);
  const kinds = layout.blockKinds(arch);
  const out = new Map<string, string>();
  for (const rule of layout.rules) {
    if (rule.when && !flags.has(rule.when)) continue;
    if (!rule.key.includes('{i}')) {
      out.set(rule.key, rule.shape);
      continue;
    }
    kinds.forEach((kind, i) => {
      if (!rule.blocks || rule.blocks === kind) out.set(rule.key.replace('{i}', String(i)), rule.shape);
    });
  }
  return out;
}

/** Evaluates a dim such as `p*p*Co` or `K+1`. */
function evaluate(expr: string, symbols: Record<string, number>): number {
  return expr
    .split('+')
    .map((term) =>
      term.split('*').reduce((acc, f) => {
        const v = /^\d+$/.test(f) ? Number(f) : symbols[f];
        if (v === undefined) throw new Error(`layout table uses unknown symbol ${f}`);
        return acc * v;
      }, 1),
    )
    .reduce((a, b) => a + b, 0);
}
