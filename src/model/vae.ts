/**
 * The decoder of Stable Diffusion's VAE (diffusers AutoencoderKL, the one SiT/REPA decode with)
 * on the engine's ops: latents in the sampler's scaled space → images in about [−1, 1].
 * decode() reads like the architecture: post_quant_conv, conv_in, the mid block (resnet,
 * single-head attention over the pixels, resnet), the up blocks from the lowest resolution
 * (layersPerBlock + 1 resnets, then nearest ×2 + conv 3×3 on all but the last), GroupNorm +
 * SiLU, conv_out. Fused where it pays: SiLU inside GroupNorm, the ×2 upsampling inside the
 * following conv's input indexing (the 4× larger upsampled tensor is never stored), and at load
 * 1/scaling_factor into post_quant_conv's weight, the attention's 1/√C into to_q and each
 * 1×1 shortcut's bias into its resnet's conv2 bias.
 */
import type { Engine } from '../gpu/engine.js';
import { ShapeError } from '../gpu/errors.js';
import { conv3x3, conv3x3Upsample2x } from '../gpu/ops/conv.js';
import { add, binary, scale } from '../gpu/ops/elementwise.js';
import { groupNorm } from '../gpu/ops/groupnorm.js';
import { matmul } from '../gpu/ops/matmul.js';
import { matmulAttention } from '../gpu/ops/matmul-attention.js';
import { shapeString, type Tensor } from '../gpu/tensor.js';
import {
  checkArchIntegers, checkTensorShapes, loadWeights, WeightFileError,
  type LoadOptions, type VaeArch, type WeightFileMetadata, type WeightSource,
} from './weights.js';

/** GroupNorm epsilon of every norm in the decoder. */
const EPS = 1e-6;
const MID = 'decoder.mid_block.';
const ATTENTION = `${MID}attentions.0.`;

export interface VaeDecodeOptions {
  /**
   * Largest block of mid-block attention scores in bytes (default 64 MiB): latents with more
   * pixels attend in query row blocks. 64 MiB holds a 64×64 latent (512-px image) whole.
   */
  maxAttentionScoreBytes?: number;
}

export class VaeDecoder {
  /** Storage dtype of the weights; latents and the decoded images use it too. */
  readonly dtype: 'f32' | 'f16';
  /** Image pixels per latent pixel along each side (8 for SD's VAE). */
  readonly upscale: number;

  private constructor(
    readonly engine: Engine,
    readonly arch: VaeArch,
    private readonly weights: Map<string, Tensor>,
  ) {
    this.dtype = weights.get('decoder.conv_in.weight')?.dtype === 'f16' ? 'f16' : 'f32';
    this.upscale = 2 ** (arch.blockOutChannels.length - 1);
  }

  /**
   * Loads a converted VAE file (kind 'vae', from tools/convert-weights). Weights load as f32
   * unless options.dtype says otherwise (f16 keeps f32 accumulation and statistics). The
   * metadata arch is checked against the tensor shapes before anything is uploaded;
   * options.signal and stallTimeoutMs bound the download.
   */
  static async load(engine: Engine, source: WeightSource, options: LoadOptions = {}): Promise<VaeDecoder> {
    const { metadata, tensors } = await loadWeights(engine, source, { ...options, dtype: options.dtype ?? 'f32' }, checkVaeFile);
    try {
      const { arch } = metadata as Extract<WeightFileMetadata, { kind: 'vae' }>;
      foldConstants(engine, arch, tensors);
      await engine.submit();
      return new VaeDecoder(engine, arch, tensors);
    } catch (err) {
      for (const t of tensors.values()) t.dispose();
      throw err;
    }
  }

  /**
   * Images [N, outChannels, upscale·h, upscale·w] in about [−1, 1] from latents [N, C, h, w]
   * in the sampler's space (the VAE's latents × scalingFactor, as REPA/SiT sample them). The
   * caller owns both; intermediates are released as soon as the next layer is recorded.
   */
  decode(latents: Tensor, options: VaeDecodeOptions = {}): Tensor {
    const { engine, arch } = this;
    const C = arch.latentChannels;
    if (latents.shape.length !== 4 || latents.shape[1] !== C) throw new ShapeError(`VaeDecoder.decode: latents must be [N, ${C}, h, w], got ${shapeString(latents.shape)}`);
    if (latents.dtype !== this.dtype) throw new ShapeError(`VaeDecoder.decode: latents are ${latents.dtype} but the decoder runs in ${this.dtype} (load with { dtype } to choose)`);

    let x = this.pointwise(latents, 'post_quant_conv.weight', 'post_quant_conv.bias');
    x = this.next(x, conv3x3(engine, x, this.w('decoder.conv_in.weight'), this.w('decoder.conv_in.bias')));
    x = this.next(x, this.resnet(`${MID}resnets.0.`, x));
    x = this.next(x, this.attention(x, options.maxAttentionScoreBytes));
    x = this.next(x, this.resnet(`${MID}resnets.1.`, x));
    for (let i = 0; i < arch.blockOutChannels.length; i++) {
      for (let j = 0; j <= arch.layersPerBlock; j++) x = this.next(x, this.resnet(`decoder.up_blocks.${i}.resnets.${j}.`, x));
      const up = `decoder.up_blocks.${i}.upsamplers.0.conv.`;
      if (i < arch.blockOutChannels.length - 1) x = this.next(x, conv3x3Upsample2x(engine, x, this.w(`${up}weight`), this.w(`${up}bias`)));
    }
    x = this.next(x, this.norm(x, 'decoder.conv_norm_out.', true));
    return this.next(x, conv3x3(engine, x, this.w('decoder.conv_out.weight'), this.w('decoder.conv_out.bias')));
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
    this.weights.clear();
  }

  private w(key: string): Tensor {
    return this.weights.get(key)!;
  }

  /** Returns `next` after releasing `previous` (its last use is already recorded). */
  private next(previous: Tensor, next: Tensor): Tensor {
    previous.dispose();
    return next;
  }

  private norm(x: Tensor, prefix: string, silu: boolean): Tensor {
    return groupNorm(this.engine, x, this.w(`${prefix}weight`), this.w(`${prefix}bias`), { groups: this.arch.groups, eps: EPS, silu });
  }

  /** skip(x) + conv2(SiLU(GN(conv1(SiLU(GN(x)))))), skip a 1×1 conv when the channels change. */
  private resnet(prefix: string, x: Tensor): Tensor {
    const { engine } = this;
    const h1 = this.norm(x, `${prefix}norm1.`, true);
    const c1 = conv3x3(engine, h1, this.w(`${prefix}conv1.weight`), this.w(`${prefix}conv1.bias`));
    h1.dispose();
    const h2 = this.norm(c1, `${prefix}norm2.`, true);
    c1.dispose();
    // conv2's bias holds the shortcut's too (see foldConstants).
    const c2 = conv3x3(engine, h2, this.w(`${prefix}conv2.weight`), this.w(`${prefix}conv2.bias`));
    h2.dispose();
    if (!this.weights.has(`${prefix}conv_shortcut.weight`)) return this.next(c2, add(engine, x, c2));
    const skip = this.pointwise(x, `${prefix}conv_shortcut.weight`);
    const out = add(engine, skip, c2);
    skip.dispose();
    c2.dispose();
    return out;
  }

  /**
   * x + to_out(softmax(q kᵀ / √C) v) over the H·W pixels as tokens, one head of C channels,
   * q, k, v = to_q/k/v(GN(x)). The projections read the normalised image [C, HW] transposed,
   * so tokens are never materialised channel-last by a copy.
   */
  private attention(x: Tensor, maxScoreBytes: number | undefined): Tensor {
    const { engine } = this;
    const [batch, channels, height, width] = x.shape;
    const normed = this.norm(x, `${ATTENTION}group_norm.`, false);
    const image = normed.reshape([batch, channels, height * width]);
    const project = (name: string) => matmul(engine, image, this.w(`${ATTENTION}${name}.weight`), { transA: true, transB: true, bias: this.w(`${ATTENTION}${name}.bias`) });
    const [q, k, v] = [project('to_q'), project('to_k'), project('to_v')];
    normed.dispose();
    // to_q already carries the 1/√C scale.
    const attended = matmulAttention(engine, q, k, v, { scale: 1, maxScoreBytes });
    for (const t of [q, k, v]) t.dispose();
    // Back to channels-first: to_out.weight · attendedᵀ is [N, C, HW].
    const projected = matmul(engine, this.w(`${ATTENTION}to_out.0.weight`), attended, { transB: true });
    attended.dispose();
    const biased = binary(engine, 'add', projected, this.w(`${ATTENTION}to_out.0.bias`).reshape([channels, 1]));
    projected.dispose();
    const out = engine.empty(x.shape, this.dtype);
    binary(engine, 'add', biased, x.reshape([batch, channels, height * width]), 1, 1, out);
    biased.dispose();
    return out;
  }

  /** 1×1 conv: weight [Cout, Cin, 1, 1] times each image [Cin, HW], plus an optional bias per channel. */
  private pointwise(x: Tensor, weightKey: string, biasKey?: string): Tensor {
    const { engine } = this;
    const [batch, cin, height, width] = x.shape;
    const weight = this.w(weightKey);
    const cout = weight.shape[0];
    const out = engine.empty([batch, cout, height, width], this.dtype);
    const images = x.reshape([batch, cin, height * width]);
    if (!biasKey) {
      matmul(engine, weight.reshape([cout, cin]), images, { out });
      return out;
    }
    // matmul's bias is per column (pixel); this one is per row (channel).
    const product = matmul(engine, weight.reshape([cout, cin]), images);
    binary(engine, 'add', product, this.w(biasKey).reshape([cout, 1]), 1, 1, out);
    product.dispose();
    return out;
  }
}

/**
 * Constants folded into weights once at load: latents / scaling_factor into post_quant_conv's
 * weight, the attention's 1/√C into to_q's weight and bias, and each shortcut's bias into its
 * resnet's conv2 bias (both are added to the same output).
 */
function foldConstants(engine: Engine, arch: VaeArch, tensors: Map<string, Tensor>): void {
  const replace = (key: string, value: Tensor) => {
    tensors.get(key)!.dispose();
    tensors.set(key, value);
  };
  replace('post_quant_conv.weight', scale(engine, tensors.get('post_quant_conv.weight')!, 1 / arch.scalingFactor));
  const qScale = 1 / Math.sqrt(arch.blockOutChannels[arch.blockOutChannels.length - 1]);
  for (const key of [`${ATTENTION}to_q.weight`, `${ATTENTION}to_q.bias`]) replace(key, scale(engine, tensors.get(key)!, qScale));
  for (const key of [...tensors.keys()].filter((k) => k.endsWith('.conv_shortcut.bias'))) {
    const conv2 = key.replace('conv_shortcut.bias', 'conv2.bias');
    replace(conv2, add(engine, tensors.get(conv2)!, tensors.get(key)!));
    tensors.get(key)!.dispose();
    tensors.delete(key);
  }
}

/** Refuses, before any upload, a file that is not a VAE or whose metadata arch disagrees with its tensors. */
function checkVaeFile(metadata: WeightFileMetadata, shapes: ReadonlyMap<string, readonly number[]>): void {
  if (metadata.kind !== 'vae') throw new WeightFileError(`expected VAE weights, but the file holds a ${metadata.kind}`);
  const { arch } = metadata;
  const widths: unknown = arch.blockOutChannels;
  if (!Array.isArray(widths) || !widths.length || !widths.every((w) => Number.isSafeInteger(w) && w > 0)) {
    throw new WeightFileError(`VAE metadata arch: blockOutChannels is ${JSON.stringify(widths)}; expected a list of positive integers`);
  }
  checkArchIntegers('VAE', arch, ['groups', 'latentChannels', 'outChannels']);
  checkArchIntegers('VAE', arch, ['layersPerBlock'], 0);
  const ungrouped = arch.blockOutChannels.find((w) => w % arch.groups);
  if (ungrouped !== undefined) throw new WeightFileError(`VAE metadata arch: groups ${arch.groups} do not divide block width ${ungrouped}`);
  if (!Number.isFinite(arch.scalingFactor) || arch.scalingFactor === 0) throw new WeightFileError(`VAE metadata arch: scalingFactor ${arch.scalingFactor} is not a non-zero number`);
  checkTensorShapes('VAE', vaeShapes(arch), shapes);
}

/** Every tensor decode() reads, in diffusers' names (the converter writes them), with the shape the arch gives it. */
function vaeShapes(arch: VaeArch): [string, number[]][] {
  const shapes: [string, number[]][] = [];
  const param = (prefix: string, weight: number[]) => shapes.push([`${prefix}.weight`, weight], [`${prefix}.bias`, [weight[0]]]);
  const conv3x3 = (prefix: string, cin: number, cout: number) => param(prefix, [cout, cin, 3, 3]);
  const resnet = (prefix: string, cin: number, cout: number) => {
    param(`${prefix}norm1`, [cin]);
    conv3x3(`${prefix}conv1`, cin, cout);
    param(`${prefix}norm2`, [cout]);
    conv3x3(`${prefix}conv2`, cout, cout);
    if (cin !== cout) param(`${prefix}conv_shortcut`, [cout, cin, 1, 1]);
  };
  const L = arch.latentChannels;
  const widths = [...arch.blockOutChannels].reverse();
  const top = widths[0];
  const bottom = widths[widths.length - 1];
  param('post_quant_conv', [L, L, 1, 1]);
  conv3x3('decoder.conv_in', L, top);
  resnet(`${MID}resnets.0.`, top, top);
  resnet(`${MID}resnets.1.`, top, top);
  param(`${ATTENTION}group_norm`, [top]);
  for (const p of ['to_q', 'to_k', 'to_v', 'to_out.0']) param(`${ATTENTION}${p}`, [top, top]);
  widths.forEach((width, i) => {
    for (let j = 0; j <= arch.layersPerBlock; j++) resnet(`decoder.up_blocks.${i}.resnets.${j}.`, j === 0 ? widths[Math.max(i - 1, 0)] : width, width);
    if (i < widths.length - 1) conv3x3(`decoder.up_blocks.${i}.upsamplers.0.conv`, width, width);
  });
  param('decoder.conv_norm_out', [bottom]);
  conv3x3('decoder.conv_out', bottom, arch.outChannels);
  return shapes;
}
