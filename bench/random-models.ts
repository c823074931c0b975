/**
 * Random-weight SiT and SideNet models for the benchmarks, generated in TS straight into GPU
 * tensors (one tensor at a time, so even SiT-XL/2 never sits whole in JS memory) and handed to
 * the models' constructors as weight maps. Values are uniform with std 1/sqrt(fan_in) for
 * weights, small for biases; nothing is zero-initialised (adaLN, final layer and the SideNet's
 * output conv included), so every kernel does real work. Runs in Node and in browsers.
 */
import type { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { SideNetModel } from '../src/model/sidenet.js';
import { SitModel } from '../src/model/sit.js';
import type { SideNetArch, SitArch } from '../src/model/weights.js';

/** SiT configs of ba-solver.md §2 (mlp ratio 4). */
export const SIT_CONFIGS = {
  S: { depth: 12, hidden: 384, heads: 6 },
  B: { depth: 12, hidden: 768, heads: 12 },
  L: { depth: 24, hidden: 1024, heads: 16 },
  XL: { depth: 28, hidden: 1152, heads: 16 },
} as const;
export type SitSize = keyof typeof SIT_CONFIGS;

/** REPA layout (C_out = 4, no qk-norm), ImageNet classes, 256 px (latent 32×32). */
export function sitArch(size: SitSize, patch = 2, inputSize = 32): SitArch {
  const c = SIT_CONFIGS[size];
  return {
    depth: c.depth, hidden: c.hidden, heads: c.heads, patch, inChannels: 4, outChannels: 4, learnSigma: false,
    classes: 1000, inputSize, mlpHidden: 4 * c.hidden, qkNorm: false,
  };
}

/** The default SideNet of ba-solver.md §3 at 256 px: C = 256, E = 256, L = 4, 4 heads, attention at L//2. */
export function sideNetArch(channels = 256, embed = 256, blocks = 4, heads = 4): SideNetArch {
  return { channels, embed, blocks, attnBlock: blocks >> 1, heads, classes: 1000, latentChannels: 4 };
}

/** Shapes of a SiT state dict (reference key names), in checkpoint order. */
export function sitShapes(arch: SitArch): [string, number[]][] {
  const D = arch.hidden;
  const T = (arch.inputSize / arch.patch) ** 2;
  const p = arch.patch;
  const out: [string, number[]][] = [
    ['x_embedder.proj.weight', [D, arch.inChannels, p, p]], ['x_embedder.proj.bias', [D]],
    ['pos_embed', [1, T, D]],
    ['t_embedder.mlp.0.weight', [D, 256]], ['t_embedder.mlp.0.bias', [D]],
    ['t_embedder.mlp.2.weight', [D, D]], ['t_embedder.mlp.2.bias', [D]],
    ['y_embedder.embedding_table.weight', [arch.classes + 1, D]],
  ];
  for (let i = 0; i < arch.depth; i++) {
    const b = `blocks.${i}.`;
    out.push(
      [b + 'attn.qkv.weight', [3 * D, D]], [b + 'attn.qkv.bias', [3 * D]],
      [b + 'attn.proj.weight', [D, D]], [b + 'attn.proj.bias', [D]],
      [b + 'mlp.fc1.weight', [arch.mlpHidden, D]], [b + 'mlp.fc1.bias', [arch.mlpHidden]],
      [b + 'mlp.fc2.weight', [D, arch.mlpHidden]], [b + 'mlp.fc2.bias', [D]],
      [b + 'adaLN_modulation.1.weight', [6 * D, D]], [b + 'adaLN_modulation.1.bias', [6 * D]],
    );
  }
  out.push(
    ['final_layer.adaLN_modulation.1.weight', [2 * D, D]], ['final_layer.adaLN_modulation.1.bias', [2 * D]],
    ['final_layer.linear.weight', [p * p * arch.outChannels, D]], ['final_layer.linear.bias', [p * p * arch.outChannels]],
  );
  return out;
}

/**
 * Shapes of a SideNet weight map as SideNetModel's constructor takes it: the reference keys,
 * with emb_fusion.0.weight [E, 3E] already split into its t, h, y column blocks [E, E] (what
 * SideNetModel.load does).
 */
export function sideNetShapes(arch: SideNetArch): [string, number[]][] {
  const C = arch.channels;
  const E = arch.embed;
  const L = arch.latentChannels;
  const out: [string, number[]][] = [];
  for (const e of ['t_embedder', 'h_embedder']) {
    out.push([`${e}.mlp.0.weight`, [E, 256]], [`${e}.mlp.0.bias`, [E]], [`${e}.mlp.2.weight`, [E, E]], [`${e}.mlp.2.bias`, [E]]);
  }
  out.push(['y_embedder.embedding_table.weight', [arch.classes + 1, E]]);
  for (const part of ['t', 'h', 'y']) out.push([`emb_fusion.0.weight.${part}`, [E, E]]);
  out.push(['emb_fusion.0.bias', [E]], ['emb_fusion.2.weight', [E, E]], ['emb_fusion.2.bias', [E]]);
  out.push(['input_conv.weight', [C, 2 * L, 3, 3]]);
  for (let i = 0; i < arch.blocks; i++) {
    const b = `blocks.${i}.`;
    out.push([b + 'emb_proj.weight', [2 * C, E]], [b + 'emb_proj.bias', [2 * C]]);
    if (i === arch.attnBlock) out.push([b + 'qkv.weight', [3 * C, C, 1, 1]], [b + 'proj.weight', [C, C, 1, 1]]);
    else {
      out.push(
        [b + 'conv1_dw.weight', [C, 1, 3, 3]], [b + 'conv1_pw.weight', [C, C, 1, 1]],
        [b + 'conv2_dw.weight', [C, 1, 3, 3]], [b + 'conv2_pw.weight', [C, C, 1, 1]], [b + 'conv2_pw.bias', [C]],
      );
    }
  }
  out.push(['output_conv.weight', [L, C, 3, 3]], ['output_conv.bias', [L]]);
  return out;
}

/** Small fast PRNG (xorshift32) so multi-GB models generate in seconds. */
export class Rng {
  private s: number;
  constructor(seed = 1) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  /** n values uniform in [−a, a]. */
  uniform(n: number, a: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * this.next() - 1) * a;
    return out;
  }
}

/** Random values for one tensor: weights std 1/sqrt(fan_in) (uniform), biases ±0.02, tables ±1. */
function randomValues(rng: Rng, key: string, shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 1) return rng.uniform(n, 0.02);
  if (key === 'pos_embed' || key.includes('embedding_table')) return rng.uniform(n, 1);
  const fanIn = n / shape[0];
  return rng.uniform(n, Math.sqrt(3 / fanIn));
}

export interface RandomWeights {
  tensors: Map<string, Tensor>;
  /** Bytes of all weight tensors on the GPU. */
  bytes: number;
  params: number;
}

export function randomWeights(engine: Engine, shapes: [string, number[]][], seed = 1, dtype: 'f32' | 'f16' = 'f32'): RandomWeights {
  const rng = new Rng(seed);
  const tensors = new Map<string, Tensor>();
  let params = 0;
  for (const [key, shape] of shapes) {
    const values = randomValues(rng, key, shape);
    params += values.length;
    tensors.set(key, engine.upload(values, shape, dtype, key));
  }
  return { tensors, bytes: params * (dtype === 'f16' ? 2 : 4), params };
}

export function randomSit(engine: Engine, arch: SitArch, seed = 1, dtype: 'f32' | 'f16' = 'f32'): { model: SitModel; bytes: number; params: number } {
  const w = randomWeights(engine, sitShapes(arch), seed, dtype);
  return { model: new SitModel(engine, arch, 'repa', w.tensors), bytes: w.bytes, params: w.params };
}

export function randomSideNet(engine: Engine, arch: SideNetArch, seed = 2): { model: SideNetModel; bytes: number; params: number } {
  const w = randomWeights(engine, sideNetShapes(arch), seed);
  return { model: new SideNetModel(engine, arch, w.tensors), bytes: w.bytes, params: w.params };
}

/**
 * FLOPs (2 per multiply-add) of one SiT forward of `batch` images: the Linears (patch
 * embedding, qkv, proj, fc1, fc2, adaLN, final) and attention's two T×T products.
 * (DiT's "119 Gflops" for XL/2 counts multiply-adds: this is about twice that.)
 */
export function sitFlops(arch: SitArch, batch: number): number {
  const D = arch.hidden;
  const T = (arch.inputSize / arch.patch) ** 2;
  const p2 = arch.patch * arch.patch;
  const perToken = arch.depth * (3 * D * D + D * D + 2 * D * arch.mlpHidden) + D * arch.inChannels * p2 + D * p2 * arch.outChannels;
  const attention = arch.depth * 2 * T * T * D;
  const conditioning = 256 * D + D * D + arch.depth * 6 * D * D + 2 * D * D;
  return 2 * batch * (T * perToken + attention + conditioning);
}

/**
 * FLOPs (2 per multiply-add) of one SideNet forward of `images` image-offsets at H×W: input
 * conv, residual blocks (two depthwise 3×3, two 1×1), the attention block (qkv, two H·W × H·W
 * products, proj), output conv and the embeddings. `sharedImages` (default `images`): the images
 * the offset-independent part runs on — the input conv and, when block 0 is a residual block,
 * its DW1 and PW1 (before its FiLM); the fused graph runs them once per probe image.
 */
export function sideNetFlops(arch: SideNetArch, images: number, height = 32, width = 32, sharedImages = images): number {
  const C = arch.channels;
  const E = arch.embed;
  const P = height * width;
  const preFilm = C * C * P + C * 9 * P;
  let mac = C * arch.latentChannels * 9 * P;
  let sharedMac = 2 * arch.latentChannels * C * 9 * P;
  for (let i = 0; i < arch.blocks; i++) {
    if (i === arch.attnBlock) mac += 4 * C * C * P + 2 * P * P * C;
    else if (i === 0) {
      sharedMac += preFilm;
      mac += preFilm;
    } else mac += 2 * preFilm;
    mac += E * 2 * C;
  }
  mac += 2 * (256 * E + E * E) + 4 * E * E;
  return 2 * (images * mac + sharedImages * sharedMac);
}

/**
 * BA-solver's SideNet images per NFE for B' images per network call: image-offsets (N forward
 * probes of 3 offsets, N − 1 backward probes of 1) and, for the fused graph, the distinct probe
 * images that the offset-independent part runs on (N + N − 1 probes).
 */
export function baSideNetImages(images: number, nfe: number, fused: boolean): { imageOffsets: number; sharedImages: number } {
  const imageOffsets = (images * (3 * nfe + (nfe - 1))) / nfe;
  return { imageOffsets, sharedImages: fused ? (images * (2 * nfe - 1)) / nfe : imageOffsets };
}

/**
 * BA-solver's FLOPs per NFE at B' images per network call: one backbone forward against the
 * SideNet's image-offsets (its offset-independent part on the probe images when fused), both at
 * the backbone's latent size.
 */
export function phaseFlops(sit: SitArch, side: SideNetArch, images: number, nfe: number, fusedSideNet: boolean): { backbone: number; sidenet: number } {
  const { imageOffsets, sharedImages } = baSideNetImages(images, nfe, fusedSideNet);
  return { backbone: sitFlops(sit, images), sidenet: sideNetFlops(side, imageOffsets, sit.inputSize, sit.inputSize, sharedImages) };
}
