/**
 * The SiT backbone (ba-solver.md §2) on the engine's ops. forward() reads like the
 * architecture: patch embedding + position table, conditioning c = t-embed + label-embed,
 * `depth` adaLN-Zero blocks, final layer, unpatchify. Fused where it pays: adaLN modulate runs
 * inside layernorm, bias + GELU in fc1's epilogue, gate × out + residual in proj's and fc2's
 * epilogues, and attention is one flash-style kernel reading q, k, v straight from the qkv
 * output.
 */
import type { Engine } from '../gpu/engine.js';
import { ShapeError } from '../gpu/errors.js';
import { attention } from '../gpu/ops/attention.js';
import { concat0 } from '../gpu/ops/copy.js';
import { add, silu } from '../gpu/ops/elementwise.js';
import { embedding, timestepEmbedding } from '../gpu/ops/embedding.js';
import { guidance } from '../gpu/ops/guidance.js';
import { linear } from '../gpu/ops/matmul.js';
import { layerNorm } from '../gpu/ops/norm.js';
import { patchify, unpatchify } from '../gpu/ops/patch.js';
import { shapeString, Tensor } from '../gpu/tensor.js';
import type { PixelLatentCodec } from './pixel-latent.js';
import {
  checkArchIntegers, checkTensorShapes, loadWeights, WeightFileError,
  type LoadOptions, type SitArch, type TimeConvention, type WeightFileMetadata, type WeightSource,
} from './weights.js';

/** Classifier-free guidance settings (ba-solver.md §2). */
export interface Guidance {
  scale: number;
  /** Guide only where interval[0] <= t <= interval[1], in the model's own time; default: always. */
  interval?: readonly [number, number];
  /** 4: all channels (REPA); 3: the first three (original SiT). Default by convention. */
  channels?: 3 | 4;
}

const LN_EPS = 1e-6;
/** timm's LayerNorm default, used by REPA's qk-norm. */
const QK_NORM_EPS = 1e-5;

export class SitModel {
  /** Latent channels of the velocity (learn_sigma outputs carry twice as many; they are dropped). */
  readonly channels: number;
  /** Storage dtype of weights and activations; inputs must match it. */
  readonly dtype: 'f32' | 'f16';
  readonly tokens: number;

  constructor(
    readonly engine: Engine,
    readonly arch: SitArch,
    readonly convention: TimeConvention,
    private readonly weights: Map<string, Tensor>,
    /** Set for pixel-space models: how their latents become images (no VAE needed). */
    readonly latentCodec?: PixelLatentCodec,
  ) {
    this.channels = arch.inChannels;
    this.dtype = weights.get('pos_embed')?.dtype === 'f16' ? 'f16' : 'f32';
    this.tokens = (arch.inputSize / arch.patch) ** 2;
    for (const [key] of sitShapes(arch)) {
      if (!weights.has(key)) throw new WeightFileError(`SiT weights lack '${key}' (was the file converted by tools/convert-weights?)`);
    }
  }

  /**
   * Loads a converted SiT file (kind 'sit'). The metadata arch is checked against the tensor
   * shapes before anything is uploaded; options.signal and stallTimeoutMs bound the download.
   */
  static async load(engine: Engine, source: WeightSource, options: LoadOptions = {}): Promise<SitModel> {
    const { metadata, tensors } = await loadWeights(engine, source, options, checkSitFile);
    try {
      const { arch, convention, latent_codec } = metadata as SitMetadata;
      return new SitModel(engine, arch, convention, tensors, latent_codec);
    } catch (err) {
      for (const t of tensors.values()) t.dispose();
      throw err;
    }
  }

  get nullClass(): number {
    return this.arch.classes;
  }

  /**
   * Raw model output [B, outChannels, H, W] in the model's own convention (learn_sigma
   * outputs keep all channels). x: [B, C, H, W]; t: [B] times; y: [B] labels (the null class
   * index `classes` drops the label).
   */
  forward(x: Tensor, t: ArrayLike<number> | Tensor, y: ArrayLike<number> | Tensor): Tensor {
    return this.run(x, t, y, this.arch.outChannels);
  }

  /**
   * The velocity [B, C, H, W] the sampler integrates, in the model's own convention. With
   * guidance, the conditional and null-class halves run as one batch of 2B.
   */
  velocity(x: Tensor, t: ArrayLike<number>, y: ArrayLike<number>, cfg?: Guidance): Tensor {
    if (!cfg || cfg.scale === 1) return this.run(x, t, y, this.channels);
    const batch = x.shape[0];
    const both = concat0(this.engine, [x, x]);
    const raw = this.run(both, [...Array.from(t), ...Array.from(t)], [...Array.from(y), ...Array(batch).fill(this.nullClass)], this.arch.outChannels);
    both.dispose();
    const times = this.engine.upload(t, [batch]);
    const guided = guidance(this.engine, raw, times, {
      scale: cfg.scale,
      interval: cfg.interval,
      guidedChannels: cfg.channels ?? (this.convention === 'sit' ? 3 : 4),
      channels: this.channels,
    });
    raw.dispose();
    times.dispose();
    return guided;
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
    this.weights.clear();
  }

  private w(key: string): Tensor {
    return this.weights.get(key)!;
  }

  private run(x: Tensor, t: ArrayLike<number> | Tensor, y: ArrayLike<number> | Tensor, keepChannels: number): Tensor {
    const { engine, arch } = this;
    const [batch, channels, height, width] = x.shape;
    if (x.shape.length !== 4 || channels !== arch.inChannels || height !== arch.inputSize || width !== arch.inputSize) {
      throw new ShapeError(`SiT: x must be [B, ${arch.inChannels}, ${arch.inputSize}, ${arch.inputSize}], got ${shapeString(x.shape)}`);
    }
    if (x.dtype !== this.dtype) throw new ShapeError(`SiT: x is ${x.dtype} but the model runs in ${this.dtype} (load with { dtype } to choose)`);
    const count = (v: ArrayLike<number> | Tensor) => (v instanceof Tensor ? v.shape[0] : v.length);
    if (count(t) !== batch || count(y) !== batch) throw new ShapeError(`SiT: t and y need ${batch} entries (batch of x), got ${count(t)} and ${count(y)}`);

    const D = arch.hidden;
    const T = this.tokens;
    // Patch embedding: a p×p stride-p conv = patchify + matmul with the weight viewed [D, C·p·p].
    const patches = patchify(engine, x, arch.patch);
    const embedWeight = this.w('x_embedder.proj.weight');
    const embedded = linear(engine, patches, embedWeight.reshape([D, embedWeight.size / D]), this.w('x_embedder.proj.bias'));
    patches.dispose();
    let h = add(engine, embedded, this.w('pos_embed').reshape([1, T, D]));
    embedded.dispose();

    const siluC = this.conditioning(t, y);
    for (let i = 0; i < arch.depth; i++) {
      const next = this.block(i, h, siluC, batch);
      h.dispose();
      h = next;
    }

    const mod = linear(engine, siluC, this.w('final_layer.adaLN_modulation.1.weight'), this.w('final_layer.adaLN_modulation.1.bias'));
    siluC.dispose();
    const normed = layerNorm(engine, h, { eps: LN_EPS, modulation: { mod, rowsPerImage: T, shiftOffset: 0, scaleOffset: D } });
    h.dispose();
    mod.dispose();
    const out = linear(engine, normed, this.w('final_layer.linear.weight'), this.w('final_layer.linear.bias'));
    normed.dispose();
    const image = unpatchify(engine, out, arch.patch, height, width, keepChannels);
    out.dispose();
    return image;
  }

  /** SiLU(t-embed(t) + label-embed(y)), shared by every adaLN projection. */
  private conditioning(t: ArrayLike<number> | Tensor, y: ArrayLike<number> | Tensor): Tensor {
    const { engine } = this;
    const freq = timestepEmbedding(engine, t, { dim: 256, dtype: this.dtype });
    const hidden = linear(engine, freq, this.w('t_embedder.mlp.0.weight'), this.w('t_embedder.mlp.0.bias'), { epilogue: 'silu' });
    freq.dispose();
    const tEmb = linear(engine, hidden, this.w('t_embedder.mlp.2.weight'), this.w('t_embedder.mlp.2.bias'));
    hidden.dispose();
    const yEmb = embedding(engine, this.w('y_embedder.embedding_table.weight'), y instanceof Tensor ? y : Array.from(y));
    const c = add(engine, tEmb, yEmb);
    tEmb.dispose();
    yEmb.dispose();
    const s = silu(engine, c);
    c.dispose();
    return s;
  }

  /** x += gate_msa · Attn(modulate(LN(x))); x += gate_mlp · MLP(modulate(LN(x))). */
  private block(i: number, x: Tensor, siluC: Tensor, batch: number): Tensor {
    const { engine, arch } = this;
    const D = arch.hidden;
    const T = this.tokens;
    const p = `blocks.${i}.`;
    // chunk6 order: shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp.
    const mod = linear(engine, siluC, this.w(p + 'adaLN_modulation.1.weight'), this.w(p + 'adaLN_modulation.1.bias'));
    const modulated = (shift: number, scale: number) =>
      layerNorm(engine, x, { eps: LN_EPS, modulation: { mod, rowsPerImage: T, shiftOffset: shift * D, scaleOffset: scale * D } });
    const gate = (chunk: number) => ({ tensor: mod, rowsPerGate: T, stride: 6 * D, offset: chunk * D });

    const attnIn = modulated(0, 1);
    const qkv = linear(engine, attnIn, this.w(p + 'attn.qkv.weight'), this.w(p + 'attn.qkv.bias'));
    attnIn.dispose();
    const attnOut = this.attention(p, qkv, batch);
    qkv.dispose();
    const afterAttn = linear(engine, attnOut, this.w(p + 'attn.proj.weight'), this.w(p + 'attn.proj.bias'), {
      epilogue: 'gate-residual', gate: gate(2), residual: x,
    });
    attnOut.dispose();

    const mlpIn = layerNorm(engine, afterAttn, { eps: LN_EPS, modulation: { mod, rowsPerImage: T, shiftOffset: 3 * D, scaleOffset: 4 * D } });
    const hidden = linear(engine, mlpIn, this.w(p + 'mlp.fc1.weight'), this.w(p + 'mlp.fc1.bias'), { epilogue: 'gelu' });
    mlpIn.dispose();
    const out = linear(engine, hidden, this.w(p + 'mlp.fc2.weight'), this.w(p + 'mlp.fc2.bias'), {
      epilogue: 'gate-residual', gate: gate(5), residual: afterAttn,
    });
    hidden.dispose();
    afterAttn.dispose();
    mod.dispose();
    return out;
  }

  /** Multi-head attention on qkv [B·T, 3D] (rows [q | k | v], head by head), with optional qk-norm. */
  private attention(p: string, qkv: Tensor, batch: number): Tensor {
    const { engine, arch } = this;
    const D = arch.hidden;
    const T = this.tokens;
    const H = arch.heads;
    const Dh = D / H;
    const qkvStrides = [T * 3 * D, Dh, 3 * D, 1] as const;
    const denseStrides = [T * D, Dh, D, 1] as const;
    const out = engine.empty([batch, T, D], qkv.dtype);
    if (!arch.qkNorm) {
      attention(engine, {
        batch, heads: H, seqQ: T, headDim: Dh,
        q: { tensor: qkv, strides: qkvStrides },
        k: { tensor: qkv, offset: D, strides: qkvStrides },
        v: { tensor: qkv, offset: 2 * D, strides: qkvStrides },
        out: { tensor: out, strides: denseStrides },
      });
      return out;
    }
    // qk-norm: LayerNorm(head_dim) with affine weights on every (token, head) row of q and of k.
    const normRows = (which: 'q' | 'k', offset: number) =>
      layerNorm(engine, qkv, {
        eps: QK_NORM_EPS,
        affine: { weight: this.w(`${p}attn.${which}_norm.weight`), bias: this.w(`${p}attn.${which}_norm.bias`) },
        select: { dim: Dh, rows: batch * T * H, offset, groupRows: H, groupStride: 3 * D },
      });
    const q = normRows('q', 0);
    const k = normRows('k', D);
    attention(engine, {
      batch, heads: H, seqQ: T, headDim: Dh,
      q: { tensor: q, strides: denseStrides },
      k: { tensor: k, strides: denseStrides },
      v: { tensor: qkv, offset: 2 * D, strides: qkvStrides },
      out: { tensor: out, strides: denseStrides },
    });
    q.dispose();
    k.dispose();
    return out;
  }
}

type SitMetadata = Extract<WeightFileMetadata, { kind: 'sit' }>;

/** Refuses, before any upload, a file that is not a SiT or whose metadata arch disagrees with its tensors. */
function checkSitFile(metadata: WeightFileMetadata, shapes: ReadonlyMap<string, readonly number[]>): void {
  if (metadata.kind !== 'sit') throw new WeightFileError(`expected SiT weights, but the file holds a ${metadata.kind}`);
  const { arch } = metadata;
  checkArchIntegers('SiT', arch, ['depth', 'hidden', 'heads', 'patch', 'inChannels', 'outChannels', 'classes', 'inputSize', 'mlpHidden']);
  if (arch.hidden % arch.heads) throw new WeightFileError(`SiT metadata arch: heads ${arch.heads} do not divide hidden ${arch.hidden}`);
  if (arch.inputSize % arch.patch) throw new WeightFileError(`SiT metadata arch: patch ${arch.patch} does not divide inputSize ${arch.inputSize}`);
  checkTensorShapes('SiT', sitShapes(arch), shapes);
}

/** Every tensor forward() reads, with the shape the arch gives it (the converter's layout). */
function sitShapes(arch: SitArch): [string, number[]][] {
  const D = arch.hidden;
  const p = arch.patch;
  const tokens = (arch.inputSize / p) ** 2;
  const out = p * p * arch.outChannels;
  const shapes: [string, number[]][] = [
    ['pos_embed', [1, tokens, D]], ['x_embedder.proj.weight', [D, arch.inChannels, p, p]], ['x_embedder.proj.bias', [D]],
    ['t_embedder.mlp.0.weight', [D, 256]], ['t_embedder.mlp.0.bias', [D]], ['t_embedder.mlp.2.weight', [D, D]], ['t_embedder.mlp.2.bias', [D]],
    ['y_embedder.embedding_table.weight', [arch.classes + 1, D]],
    ['final_layer.linear.weight', [out, D]], ['final_layer.linear.bias', [out]],
    ['final_layer.adaLN_modulation.1.weight', [2 * D, D]], ['final_layer.adaLN_modulation.1.bias', [2 * D]],
  ];
  const linear = (key: string, rows: number, cols: number) => shapes.push([`${key}.weight`, [rows, cols]], [`${key}.bias`, [rows]]);
  for (let i = 0; i < arch.depth; i++) {
    const b = `blocks.${i}.`;
    linear(`${b}attn.qkv`, 3 * D, D);
    linear(`${b}attn.proj`, D, D);
    linear(`${b}mlp.fc1`, arch.mlpHidden, D);
    linear(`${b}mlp.fc2`, D, arch.mlpHidden);
    linear(`${b}adaLN_modulation.1`, 6 * D, D);
    if (arch.qkNorm) for (const k of ['q_norm', 'k_norm']) shapes.push([`${b}attn.${k}.weight`, [D / arch.heads]], [`${b}attn.${k}.bias`, [D / arch.heads]]);
  }
  return shapes;
}
