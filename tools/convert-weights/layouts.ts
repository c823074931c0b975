/**
 * Layout mappings: each model layout is a table of key patterns with expected shapes written
 * in terms of architecture symbols, plus a small function that reads those symbols off a few
 * anchor tensors. Validation (missing, unknown, dtype, shape) is generic over the tables.
 */
import { ArchInferenceError, ConvertError, DtypeError, MissingKeyError, ShapeMismatchError, UnknownKeyError } from './errors.js';
import { FLOAT_DTYPES } from './dtype.js';
import type { TensorSource } from './tensor.js';

import type { SideNetArch, SitArch, TimeConvention, VaeArch } from '../../src/model/weights.js';

// The architecture records belong to the engine's weight format (src/model/weights.ts).
export type { SideNetArch, SitArch, VaeArch };
export type ModelKind = 'sit' | 'sidenet' | 'vae';
export type Convention = TimeConvention;
/** 'diffusers-vae': diffusers' names (current or pre-0.15); 'ldm-vae': the original latent-diffusion ones. */
export type SourceLayout = 'sit' | 'repa' | 'sidenet' | 'diffusers-vae' | 'ldm-vae';

/** What the weights do not determine, from the command line. */
export interface LayoutOptions {
  /** Attention heads (SiT without qk-norm, SideNet). */
  heads?: number;
  /** VAE GroupNorm groups; default 32 (Stable Diffusion's). */
  groups?: number;
  /** VAE latent scaling factor; default 0.18215 (Stable Diffusion's). */
  scalingFactor?: number;
}

interface Rule {
  /** `{i}` stands for a block index. */
  key: string;
  /** Comma-separated dims; each a sum of products of integers and arch symbols. */
  shape: string;
  /** Which blocks the rule applies to (block rules only); default all. */
  blocks?: 'res' | 'attn';
  /** Present only when this flag is set (an arch flag, or per module for the VAE). */
  when?: 'qkNorm' | 'shortcut';
}

/** A key's shape spec and the symbol values it is evaluated with. */
interface ExpectedShape {
  spec: string;
  symbols: Record<string, number>;
}

/** Other spellings of a layout's keys, rewritten to the table's names before validation. */
interface Canonical {
  tensors: Map<string, TensorSource>;
  /** Source keys left out on purpose (e.g. the rest of a full Stable Diffusion checkpoint). */
  dropped: string[];
  notes: string[];
}

interface Layout<A> {
  kind: ModelKind;
  /** Key prefixes dropped on purpose, with the note shown to the user. */
  drop: { prefix: string; note: string }[];
  canonicalize?(tensors: ReadonlyMap<string, TensorSource>): Canonical;
  infer(get: ShapeGetter, keys: ReadonlySet<string>, options: LayoutOptions): A;
  /** Every key the architecture has, with its expected shape. */
  expected(arch: A): Map<string, ExpectedShape>;
  /** `sourceKeys`: the checkpoint's keys as found (before canonicalize). */
  sourceLayout(arch: A, sourceKeys: ReadonlySet<string>): SourceLayout;
}

/** A transformer-style layout: one table of rules, `{i}` rules repeated per block. */
interface BlockLayout<A> extends Omit<Layout<A>, 'expected'> {
  rules: Rule[];
  symbols(arch: A): Record<string, number>;
  blockKinds(arch: A): ('res' | 'attn')[];
  flags(arch: A): Set<string>;
}

type ShapeGetter = (key: string, rank: number) => readonly number[];

/** Attention heads of the published SiT configs, by hidden size. */
const KNOWN_SIT_HEADS: Record<number, number> = { 1152: 16, 1024: 16, 768: 12, 384: 6 };
export const DEFAULT_SIDENET_HEADS = 4;

const SIT = blockLayout<SitArch>({
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
});

const SIDENET = blockLayout<SideNetArch>({
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
});

// ---- The VAE decoder of Stable Diffusion (diffusers AutoencoderKL) ---------------------------

const DEFAULT_VAE_GROUPS = 32;
const DEFAULT_VAE_SCALING_FACTOR = 0.18215;

/** The decoder's modules, each a table in its own symbols; VAE.expected lists the instances. */
const VAE_TOP: Rule[] = [
  { key: 'post_quant_conv.weight', shape: 'L, L, 1, 1' },
  { key: 'post_quant_conv.bias', shape: 'L' },
  { key: 'decoder.conv_in.weight', shape: 'M, L, 3, 3' },
  { key: 'decoder.conv_in.bias', shape: 'M' },
  { key: 'decoder.conv_norm_out.weight', shape: 'C0' },
  { key: 'decoder.conv_norm_out.bias', shape: 'C0' },
  { key: 'decoder.conv_out.weight', shape: 'Co, C0, 3, 3' },
  { key: 'decoder.conv_out.bias', shape: 'Co' },
];
/** ResnetBlock2D from In to Out channels, with a 1×1 shortcut when they differ. */
const VAE_RESNET: Rule[] = [
  { key: 'norm1.weight', shape: 'In' },
  { key: 'norm1.bias', shape: 'In' },
  { key: 'conv1.weight', shape: 'Out, In, 3, 3' },
  { key: 'conv1.bias', shape: 'Out' },
  { key: 'norm2.weight', shape: 'Out' },
  { key: 'norm2.bias', shape: 'Out' },
  { key: 'conv2.weight', shape: 'Out, Out, 3, 3' },
  { key: 'conv2.bias', shape: 'Out' },
  { key: 'conv_shortcut.weight', shape: 'Out, In, 1, 1', when: 'shortcut' },
  { key: 'conv_shortcut.bias', shape: 'Out', when: 'shortcut' },
];
/** The mid block's single-head attention over C channels. */
const VAE_ATTENTION: Rule[] = [
  { key: 'group_norm.weight', shape: 'C' },
  { key: 'group_norm.bias', shape: 'C' },
  ...['to_q', 'to_k', 'to_v', 'to_out.0'].flatMap((p) => [{ key: `${p}.weight`, shape: 'C, C' }, { key: `${p}.bias`, shape: 'C' }]),
];
const VAE_UPSAMPLER: Rule[] = [
  { key: 'conv.weight', shape: 'C, C, 3, 3' },
  { key: 'conv.bias', shape: 'C' },
];

/** A full Stable Diffusion checkpoint keeps its VAE under this prefix. */
const SD_VAE_PREFIX = 'first_stage_model.';
const LEGACY_ATTENTION: Record<string, string> = { query: 'to_q', key: 'to_k', value: 'to_v', proj_attn: 'to_out.0' };

/**
 * Older spellings of the decoder's keys, each rewritten (in this order) to diffusers' current
 * names: the original latent-diffusion layout (SD checkpoints; its decoder.up.{k} counts from
 * the highest resolution, diffusers' up_blocks.{i} from the lowest, so i = levels − 1 − k) and
 * the attention names of diffusers < 0.15.
 */
const VAE_RENAMES: { pattern: RegExp; to: (m: RegExpExecArray, upLevels: number) => string }[] = [
  { pattern: /^decoder\.mid\.block_([12])\./, to: (m) => `decoder.mid_block.resnets.${Number(m[1]) - 1}.` },
  { pattern: /^decoder\.mid\.attn_1\.norm\./, to: () => 'decoder.mid_block.attentions.0.group_norm.' },
  { pattern: /^decoder\.mid\.attn_1\.([qkv])\./, to: (m) => `decoder.mid_block.attentions.0.to_${m[1]}.` },
  { pattern: /^decoder\.mid\.attn_1\.proj_out\./, to: () => 'decoder.mid_block.attentions.0.to_out.0.' },
  { pattern: /^decoder\.up\.(\d+)\.block\./, to: (m, n) => `decoder.up_blocks.${n - 1 - Number(m[1])}.resnets.` },
  { pattern: /^decoder\.up\.(\d+)\.upsample\./, to: (m, n) => `decoder.up_blocks.${n - 1 - Number(m[1])}.upsamplers.0.` },
  { pattern: /^decoder\.norm_out\./, to: () => 'decoder.conv_norm_out.' },
  { pattern: /\.nin_shortcut\./, to: () => '.conv_shortcut.' },
  { pattern: /\.attentions\.0\.(query|key|value|proj_attn)\./, to: (m) => `.attentions.0.${LEGACY_ATTENTION[m[1]]}.` },
];
/** Latent-diffusion stores the attention projections as 1×1 convs [C, C, 1, 1]. */
const VAE_ATTENTION_WEIGHT = /^decoder\.mid_block\.attentions\.0\.to_(q|k|v|out\.0)\.weight$/;

const VAE: Layout<VaeArch> = {
  kind: 'vae',
  drop: [
    { prefix: 'encoder.', note: 'the VAE encoder (only the decoder is converted)' },
    { prefix: 'quant_conv.', note: "the encoder's quant_conv" },
    { prefix: 'loss.', note: 'training losses (LPIPS, discriminator)' },
    { prefix: 'model_ema.', note: 'EMA bookkeeping of a training checkpoint' },
  ],
  canonicalize(tensors) {
    let entries = [...tensors];
    const dropped: string[] = [];
    const notes: string[] = [];
    if (entries.some(([k]) => k.startsWith(SD_VAE_PREFIX))) {
      const others = entries.filter(([k]) => !k.startsWith(SD_VAE_PREFIX)).map(([k]) => k);
      dropped.push(...others);
      if (others.length) notes.push(`dropped ${others.length} tensors outside ${SD_VAE_PREFIX}*: the rest of a Stable Diffusion checkpoint (UNet, text encoder, schedule)`);
      entries = entries.filter(([k]) => k.startsWith(SD_VAE_PREFIX)).map(([k, t]) => [k.slice(SD_VAE_PREFIX.length), t]);
    }
    const upLevels = new Set(entries.map(([k]) => /^decoder\.up\.(\d+)\./.exec(k)?.[1]).filter((level) => level !== undefined)).size;
    const out = new Map<string, TensorSource>();
    let renamed = 0;
    for (const [key, tensor] of entries) {
      let name = key;
      for (const { pattern, to } of VAE_RENAMES) {
        const m = pattern.exec(name);
        if (m) name = name.slice(0, m.index) + to(m, upLevels) + name.slice(m.index + m[0].length);
      }
      if (name !== key) renamed++;
      if (out.has(name)) throw new ConvertError(`${key} and another key both name ${name}`);
      const [rows, cols, kh, kw] = tensor.shape;
      const squeeze = VAE_ATTENTION_WEIGHT.test(name) && tensor.shape.length === 4 && kh === 1 && kw === 1;
      out.set(name, squeeze ? { dtype: tensor.dtype, shape: [rows, cols], read: () => tensor.read() } : tensor);
    }
    if (renamed) notes.push(`renamed ${renamed} keys from an older VAE layout (latent-diffusion or diffusers < 0.15) to diffusers' current names`);
    return { tensors: out, dropped, notes };
  },
  infer(get, keys, options) {
    const upBlocks = indexCount(keys, /^decoder\.up_blocks\.(\d+)\./);
    if (upBlocks === 0) throw new MissingKeyError(['decoder.up_blocks.0.resnets.0.conv1.weight'], 'vae');
    // up_blocks.{i} holds block_out_channels[-1 - i] channels.
    const blockOutChannels = [...Array(upBlocks).keys()].map((i) => get(`decoder.up_blocks.${i}.resnets.0.conv1.weight`, 4)[0]).reverse();
    const groups = options.groups ?? DEFAULT_VAE_GROUPS;
    if (!Number.isInteger(groups) || groups < 1 || blockOutChannels.some((c) => c % groups !== 0)) {
      throw new ArchInferenceError(
        `GroupNorm groups ${groups} do not divide the decoder's channels (block_out_channels [${blockOutChannels.join(', ')}]): ` +
          'pass --groups (the VAE config\'s norm_num_groups)',
      );
    }
    const scalingFactor = options.scalingFactor ?? DEFAULT_VAE_SCALING_FACTOR;
    if (!(Number.isFinite(scalingFactor) && scalingFactor > 0)) throw new ArchInferenceError(`--scaling-factor must be a positive number, got ${scalingFactor}`);
    return {
      blockOutChannels,
      layersPerBlock: indexCount(keys, /^decoder\.up_blocks\.0\.resnets\.(\d+)\./) - 1,
      groups,
      latentChannels: get('post_quant_conv.weight', 4)[0],
      outChannels: get('decoder.conv_out.weight', 4)[0],
      scalingFactor,
    };
  },
  expected(a) {
    const out = new Map<string, ExpectedShape>();
    const add = (prefix: string, rules: Rule[], symbols: Record<string, number>, flags: string[] = []) => {
      for (const rule of rules) if (!rule.when || flags.includes(rule.when)) out.set(prefix + rule.key, { spec: rule.shape, symbols });
    };
    const widths = [...a.blockOutChannels].reverse();
    const mid = widths[0];
    add('', VAE_TOP, { L: a.latentChannels, M: mid, C0: a.blockOutChannels[0], Co: a.outChannels });
    for (const j of [0, 1]) add(`decoder.mid_block.resnets.${j}.`, VAE_RESNET, { In: mid, Out: mid });
    add('decoder.mid_block.attentions.0.', VAE_ATTENTION, { C: mid });
    widths.forEach((width, i) => {
      for (let j = 0; j <= a.layersPerBlock; j++) {
        const cin = j === 0 ? widths[Math.max(i - 1, 0)] : width;
        add(`decoder.up_blocks.${i}.resnets.${j}.`, VAE_RESNET, { In: cin, Out: width }, cin !== width ? ['shortcut'] : []);
      }
      if (i < widths.length - 1) add(`decoder.up_blocks.${i}.upsamplers.0.`, VAE_UPSAMPLER, { C: width });
    });
    return out;
  },
  sourceLayout: (_, sourceKeys) => ([...sourceKeys].some((k) => /(^|\.)decoder\.mid\.block_1\./.test(k)) ? 'ldm-vae' : 'diffusers-vae'),
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
  return indexCount(keys, /^blocks\.(\d+)\./);
}

/** 1 + the largest index the pattern's first group captures in any key (0 if none matches). */
function indexCount(keys: ReadonlySet<string>, pattern: RegExp): number {
  let count = 0;
  for (const k of keys) {
    const m = pattern.exec(k);
    if (m) count = Math.max(count, Number(m[1]) + 1);
  }
  return count;
}

export interface MappedModel {
  kind: ModelKind;
  arch: SitArch | SideNetArch | VaeArch;
  sourceLayout: SourceLayout;
  /** Keys to write (the layout's names), in source order. */
  keep: string[];
  /** The tensor to write under each kept key. */
  sources: Map<string, TensorSource>;
  dropped: string[];
  notes: string[];
}

/** Detects the layout, infers the architecture and validates every key, dtype and shape. */
export function mapLayout(
  tensors: ReadonlyMap<string, TensorSource>,
  options: LayoutOptions & { kind?: ModelKind } = {},
): MappedModel {
  const kind = options.kind ?? detectKind(tensors);
  if (kind === 'vae') return apply(VAE, tensors, options);
  return kind === 'sit' ? apply(SIT, tensors, options) : apply(SIDENET, tensors, options);
}

function detectKind(tensors: ReadonlyMap<string, TensorSource>): ModelKind {
  if (tensors.has('x_embedder.proj.weight')) return 'sit';
  if (tensors.has('input_conv.weight')) return 'sidenet';
  if (tensors.has('decoder.conv_in.weight') || tensors.has(`${SD_VAE_PREFIX}decoder.conv_in.weight`)) return 'vae';
  throw new ArchInferenceError(
    'cannot tell the model kind: found neither x_embedder.proj.weight (SiT), input_conv.weight (SideNet) ' +
      `nor decoder.conv_in.weight (VAE); first keys: ${[...tensors.keys()].slice(0, 6).join(', ')}`,
  );
}

function apply<A>(layout: Layout<A>, found: ReadonlyMap<string, TensorSource>, options: LayoutOptions): MappedModel {
  const canonical = layout.canonicalize?.(found) ?? { tensors: new Map(found), dropped: [], notes: [] };
  const tensors = canonical.tensors;
  const dropped = new Set<string>();
  const notes = [...canonical.notes];
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

  const expected = layout.expected(arch);
  const missing = [...expected.keys()].filter((k) => !present.has(k));
  const unknown = [...present].filter((k) => !expected.has(k));
  if (missing.length > 0) throw new MissingKeyError(missing, layout.kind, unknown);
  if (unknown.length > 0) throw new UnknownKeyError(unknown, layout.kind);

  for (const key of present) {
    const t = tensors.get(key)!;
    if (!FLOAT_DTYPES.has(t.dtype)) {
      throw new DtypeError(`${key} has dtype ${t.dtype}; model weights must be floating point (F32, F16, BF16, F64)`);
    }
    const { spec, symbols } = expected.get(key)!;
    const dims = spec.split(',').map((d) => evaluate(d.trim(), symbols));
    if (dims.length !== t.shape.length || dims.some((d, i) => d !== t.shape[i])) {
      throw new ShapeMismatchError(key, t.shape, `[${spec}] = [${dims.join(', ')}]`);
    }
  }
  const keep = [...present];
  return {
    kind: layout.kind,
    arch: arch as SitArch | SideNetArch | VaeArch,
    sourceLayout: layout.sourceLayout(arch, new Set(found.keys())),
    keep,
    sources: new Map(keep.map((k) => [k, tensors.get(k)!])),
    dropped: [...canonical.dropped, ...dropped],
    notes,
  };
}

/** A block layout's expected keys: its rules, `{i}` rules once per block of the matching kind. */
function blockLayout<A>(layout: BlockLayout<A>): Layout<A> {
  return {
    ...layout,
    expected(arch) {
      const flags = layout.flags(arch);
      const kinds = layout.blockKinds(arch);
      const symbols = layout.symbols(arch);
      const out = new Map<string, ExpectedShape>();
      for (const rule of layout.rules) {
        if (rule.when && !flags.has(rule.when)) continue;
        if (!rule.key.includes('{i}')) {
          out.set(rule.key, { spec: rule.shape, symbols });
          continue;
        }
        kinds.forEach((kind, i) => {
          if (!rule.blocks || rule.blocks === kind) out.set(rule.key.replace('{i}', String(i)), { spec: rule.shape, symbols });
        });
      }
      return out;
    },
  };
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
