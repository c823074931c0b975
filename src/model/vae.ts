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
 *
 * Precision: the decoder runs in f32 unless loaded with { dtype: 'f16' }, whatever the SiT's
 * dtype, and widens f16 latents at its input. SD-VAE activations pass f16's range (65504) in
 * the high-resolution blocks, and f32 statistics cannot help once an f16 activation is stored
 * as Inf; diffusers upcasts the VAE to f32 for the same reason.
 *
 * Size limits: no intermediate binding exceeds maxStorageBufferBindingSize (or the
 * maxBindingBytes option), so a device with WebGPU's default limits (128 MiB) decodes 512-px
 * images, whose 256-channel activations take 256 MiB each. Batches that do not fit decode a
 * few images at a time; an image that does not fit alone keeps its high-resolution activations
 * as row bands: each 3×3 conv reads the input rows its output band taps (one halo row each
 * side, half as many rows when it upsamples), gathered from neighbouring bands; GroupNorm
 * merges per-band statistics, then normalises band by band; the mid-block attention, at the
 * latents' resolution, splits its queries (matmulAttention) so each score block fits.
 */
import type { Engine } from '../gpu/engine.js';
import { LimitExceededError, ShapeError } from '../gpu/errors.js';
import { conv3x3Band, convInputRows } from '../gpu/ops/conv.js';
import { copyElements, copyRows } from '../gpu/ops/copy.js';
import { add, binary, scale } from '../gpu/ops/elementwise.js';
import { groupNorm, groupNormBands } from '../gpu/ops/groupnorm.js';
import { matmul } from '../gpu/ops/matmul.js';
import { matmulAttention } from '../gpu/ops/matmul-attention.js';
import { widenToF32 } from '../gpu/ops/widen.js';
import { BYTES_PER_ELEMENT, shapeString, type Tensor } from '../gpu/tensor.js';
import {
  checkArchIntegers, checkTensorShapes, loadWeights, WeightFileError,
  type LoadOptions, type VaeArch, type WeightFileMetadata, type WeightSource,
} from './weights.js';

/** GroupNorm epsilon of every norm in the decoder. */
const EPS = 1e-6;
const MID = 'decoder.mid_block.';
const ATTENTION = `${MID}attentions.0.`;
/** matmulAttention's default score block. */
const DEFAULT_ATTENTION_SCORE_BYTES = 64 << 20;

export interface VaeDecodeOptions {
  /**
   * Largest block of mid-block attention scores in bytes (default 64 MiB, at most the binding
   * budget): latents with more pixels attend in query row blocks. 64 MiB holds a 64×64 latent
   * (512-px image) whole.
   */
  maxAttentionScoreBytes?: number;
  /**
   * Largest storage binding (and buffer) an intermediate may take, in bytes. Default and cap:
   * the device's maxStorageBufferBindingSize (and 8/9 of maxBufferSize, the buffer pool's
   * rounding margin). The returned images are one tensor, which must fit the device's limit.
   */
  maxBindingBytes?: number;
}

/** Image rows [start, start + count) of one band. */
type RowBand = readonly [start: number, count: number];

/**
 * One activation of the images being decoded: parts[i] is [n, C, count, W] holding rows
 * bands[i] of the images; a single part when the whole activation fits one binding.
 */
interface Activation {
  parts: Tensor[];
  bands: readonly RowBand[];
}

/** How decode() splits its work so that no intermediate exceeds the binding budget. */
interface DecodePlan {
  /** Images decoded together: all of them unless their activations do not fit. */
  imagesPerChunk: number;
  /** Row bands at each resolution level (level 0: the latents'; each next one doubles). */
  levels: RowBand[][];
  maxScoreBytes: number;
}

export class VaeDecoder {
  /** Storage dtype of the weights and the decoded images (f32 unless loaded as f16). */
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
   * unless options.dtype says otherwise: f16 keeps f32 accumulation and statistics but stores
   * activations in f16, which SD-VAEs overflow (see the module comment). The metadata arch is
   * checked against the tensor shapes before anything is uploaded; options.signal and
   * stallTimeoutMs bound the download.
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
   * in the sampler's space (the VAE's latents × scalingFactor, as REPA/SiT sample them); f16
   * latents are widened when the decoder runs in f32. The caller owns both; intermediates are
   * released as soon as the next layer is recorded.
   */
  decode(latents: Tensor, options: VaeDecodeOptions = {}): Tensor {
    const { engine, arch } = this;
    const C = arch.latentChannels;
    if (latents.shape.length !== 4 || latents.shape[1] !== C) throw new ShapeError(`VaeDecoder.decode: latents must be [N, ${C}, h, w], got ${shapeString(latents.shape)}`);
    const widen = latents.dtype === 'f16' && this.dtype === 'f32';
    if (latents.dtype !== this.dtype && !widen) throw new ShapeError(`VaeDecoder.decode: latents are ${latents.dtype} but the decoder runs in ${this.dtype} (load with { dtype } to choose)`);
    const [count, , h, w] = latents.shape;
    const plan = this.plan(count, h, w, options);
    const imageShape = [count, arch.outChannels, h * this.upscale, w * this.upscale];
    const imageBytes = imageShape.reduce((a, b) => a * b, BYTES_PER_ELEMENT[this.dtype]);
    if (imageBytes > engine.limits.maxStorageBufferBindingSize) {
      throw new LimitExceededError('maxStorageBufferBindingSize', imageBytes, engine.limits.maxStorageBufferBindingSize, `VaeDecoder.decode: the decoded images ${shapeString(imageShape)} (decode fewer at once)`);
    }

    const input = widen ? widenToF32(engine, latents) : latents;
    const { imagesPerChunk, levels } = plan;
    if (imagesPerChunk === count && levels.every((bands) => bands.length === 1)) {
      const [images] = this.decodeImages(input, plan).parts;
      if (input !== latents) input.dispose();
      return images;
    }
    // Chunks of images, or row bands of one image, are copied into place in the result.
    const out = engine.empty(imageShape, this.dtype);
    const [, channels, height, width] = imageShape;
    const latentSize = C * h * w;
    for (let first = 0; first < count; first += imagesPerChunk) {
      const n = Math.min(imagesPerChunk, count - first);
      const chunk = n === count ? input : engine.empty([n, C, h, w], this.dtype);
      if (chunk !== input) copyElements(engine, input, chunk, n * latentSize, first * latentSize, 0);
      const images = this.decodeImages(chunk, plan);
      if (chunk !== input) chunk.dispose();
      images.parts.forEach((part, i) => {
        const [start, rows] = images.bands[i];
        copyRows(engine, part, out, { rows: n * channels, inner: rows * width, srcStride: rows * width, srcOffset: 0, dstStride: height * width, dstOffset: first * channels * height * width + start * width }, 'vae.assemble');
        part.dispose();
      });
    }
    if (input !== latents) input.dispose();
    return out;
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
    this.weights.clear();
  }

  /** The architecture over one chunk of latents [n, C, h, w] (which stay the caller's). */
  private decodeImages(latents: Tensor, plan: DecodePlan): Activation {
    const { arch } = this;
    const { levels } = plan;
    const lowest = { parts: [latents], bands: levels[0] };
    let x = this.map(lowest, (part) => this.pointwise(part, 'post_quant_conv.weight', 'post_quant_conv.bias'));
    x = this.next(x, this.conv(x, 'decoder.conv_in.', levels[0], false));
    x = this.next(x, this.resnet(`${MID}resnets.0.`, x));
    x = this.next(x, { parts: [this.attention(x.parts[0], plan.maxScoreBytes)], bands: levels[0] });
    x = this.next(x, this.resnet(`${MID}resnets.1.`, x));
    for (let i = 0; i < arch.blockOutChannels.length; i++) {
      for (let j = 0; j <= arch.layersPerBlock; j++) x = this.next(x, this.resnet(`decoder.up_blocks.${i}.resnets.${j}.`, x));
      if (i < arch.blockOutChannels.length - 1) x = this.next(x, this.conv(x, `decoder.up_blocks.${i}.upsamplers.0.conv.`, levels[i + 1], true));
    }
    x = this.next(x, this.norm(x, 'decoder.conv_norm_out.', true));
    return this.next(x, this.conv(x, 'decoder.conv_out.', levels[levels.length - 1], false));
  }

  /**
   * The split that keeps every intermediate within the binding budget: all images at once if
   * their largest activation fits, else as many images as fit, else one image with the levels
   * whose activations do not fit in row bands. A band keeps room for a conv's two halo rows.
   */
  private plan(count: number, h: number, w: number, options: VaeDecodeOptions): DecodePlan {
    const { limits } = this.engine;
    const requested = options.maxBindingBytes;
    if (requested !== undefined && !(Number.isSafeInteger(requested) && requested > 0)) {
      throw new ShapeError(`VaeDecoder.decode: maxBindingBytes must be a positive integer, got ${requested}`);
    }
    // The buffer pool rounds sizes up by at most 1/8.
    const budget = Math.min(requested ?? Infinity, limits.maxStorageBufferBindingSize, Math.floor((limits.maxBufferSize * 8) / 9));
    const bytes = BYTES_PER_ELEMENT[this.dtype];
    const channels = levelChannels(this.arch);
    // Level k is h·2ᵏ × w·2ᵏ.
    const rowBytes = channels.map((c, k) => c * w * 2 ** k * bytes);
    const imageBytes = rowBytes.map((r, k) => r * h * 2 ** k);
    const whole = channels.map((_, k): RowBand[] => [[0, h * 2 ** k]]);
    const maxScoreBytes = Math.min(options.maxAttentionScoreBytes ?? DEFAULT_ATTENTION_SCORE_BYTES, budget);
    // Refused here rather than by matmulAttention halfway through, with intermediates alive.
    if (h * w * bytes > maxScoreBytes) {
      throw new ShapeError(`VaeDecoder.decode: one row of mid-block attention scores (${h * w} keys, ${h * w * bytes} bytes) exceeds the ${maxScoreBytes}-byte score budget`);
    }
    const largest = Math.max(...imageBytes);
    if (largest <= budget) return { imagesPerChunk: Math.min(count, Math.floor(budget / largest)), levels: whole, maxScoreBytes };
    if (imageBytes[0] > budget) {
      throw new LimitExceededError('maxStorageBufferBindingSize', imageBytes[0], budget, `VaeDecoder.decode: the mid-block attention needs one image's ${channels[0]}×${h}×${w} latent-resolution activation in one binding`);
    }
    const levels = imageBytes.map((image, k): RowBand[] => {
      const height = h * 2 ** k;
      if (image <= budget) return whole[k];
      const rows = Math.floor(budget / rowBytes[k]) - 2;
      if (rows < 1) {
        throw new LimitExceededError('maxStorageBufferBindingSize', 3 * rowBytes[k], budget, `VaeDecoder.decode: a band of 1 row plus 2 halo rows of a ${channels[k]}×${w * 2 ** k} activation`);
      }
      // Equal bands (the last may be shorter) rather than full bands and a sliver.
      const bandRows = Math.ceil(height / Math.ceil(height / rows));
      return Array.from({ length: Math.ceil(height / bandRows) }, (_, i) => [i * bandRows, Math.min(bandRows, height - i * bandRows)] as const);
    });
    return { imagesPerChunk: 1, levels, maxScoreBytes };
  }

  private w(key: string): Tensor {
    return this.weights.get(key)!;
  }

  /** Returns `next` after releasing `previous` (its last use is already recorded). */
  private next(previous: Activation, next: Activation): Activation {
    for (const part of previous.parts) part.dispose();
    return next;
  }

  private map(x: Activation, op: (part: Tensor, i: number) => Tensor): Activation {
    return { parts: x.parts.map(op), bands: x.bands };
  }

  private norm(x: Activation, prefix: string, silu: boolean): Activation {
    return { parts: groupNormBands(this.engine, x.parts, this.w(`${prefix}weight`), this.w(`${prefix}bias`), { groups: this.arch.groups, eps: EPS, silu }), bands: x.bands };
  }

  /** conv3x3 (nearest ×2 first when upsampling) into the row bands `bands` of its output. */
  private conv(x: Activation, prefix: string, bands: readonly RowBand[], upsample: boolean): Activation {
    const weight = this.w(`${prefix}weight`);
    const bias = this.w(`${prefix}bias`);
    const height = bandsHeight(x.bands) * (upsample ? 2 : 1);
    const parts = bands.map(([start, count]) => {
      const [first, end] = convInputRows(start, count, height, upsample);
      const input = this.rows(x, first, end);
      const out = conv3x3Band(this.engine, input.tensor, weight, bias, { start, count, height, inputStart: input.start }, upsample);
      if (input.copied) input.tensor.dispose();
      return out;
    });
    return { parts, bands };
  }

  /** Rows [first, end) of an activation: the part that holds them all, or a copy gathered from the parts that do. */
  private rows(x: Activation, first: number, end: number): { tensor: Tensor; start: number; copied: boolean } {
    const holder = x.bands.findIndex(([start, count]) => start <= first && end <= start + count);
    if (holder >= 0) return { tensor: x.parts[holder], start: x.bands[holder][0], copied: false };
    const [n, channels, , width] = x.parts[0].shape;
    const tensor = this.engine.empty([n, channels, end - first, width], this.dtype);
    x.bands.forEach(([start, count], i) => {
      const from = Math.max(start, first);
      const to = Math.min(start + count, end);
      if (from >= to) return;
      copyRows(this.engine, x.parts[i], tensor, {
        rows: n * channels, inner: (to - from) * width,
        srcStride: count * width, srcOffset: (from - start) * width,
        dstStride: (end - first) * width, dstOffset: (from - first) * width,
      }, 'vae.halo');
    });
    return { tensor, start: first, copied: true };
  }

  /** skip(x) + conv2(SiLU(GN(conv1(SiLU(GN(x)))))), skip a 1×1 conv when the channels change. */
  private resnet(prefix: string, x: Activation): Activation {
    const { engine } = this;
    const h1 = this.norm(x, `${prefix}norm1.`, true);
    const c1 = this.next(h1, this.conv(h1, `${prefix}conv1.`, x.bands, false));
    const h2 = this.next(c1, this.norm(c1, `${prefix}norm2.`, true));
    // conv2's bias holds the shortcut's too (see foldConstants).
    const c2 = this.next(h2, this.conv(h2, `${prefix}conv2.`, x.bands, false));
    const shortcut = this.weights.has(`${prefix}conv_shortcut.weight`);
    return this.map(c2, (part, i) => {
      const skip = shortcut ? this.pointwise(x.parts[i], `${prefix}conv_shortcut.weight`) : x.parts[i];
      const out = add(engine, skip, part);
      if (skip !== x.parts[i]) skip.dispose();
      part.dispose();
      return out;
    });
  }

  /**
   * x + to_out(softmax(q kᵀ / √C) v) over the H·W pixels as tokens, one head of C channels,
   * q, k, v = to_q/k/v(GN(x)). The projections read the normalised image [C, HW] transposed,
   * so tokens are never materialised channel-last by a copy.
   */
  private attention(x: Tensor, maxScoreBytes: number): Tensor {
    const { engine } = this;
    const [batch, channels, height, width] = x.shape;
    const normed = groupNorm(engine, x, this.w(`${ATTENTION}group_norm.weight`), this.w(`${ATTENTION}group_norm.bias`), { groups: this.arch.groups, eps: EPS });
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

/** The most channels any activation has at each resolution level (level 0: the latents'). */
function levelChannels(arch: VaeArch): number[] {
  const widths = [...arch.blockOutChannels].reverse();
  // Level k holds up block k's activations and the output of the upsampler before it; the last also conv_out's.
  return widths.map((width, k) => Math.max(width, k ? widths[k - 1] : arch.latentChannels, k === widths.length - 1 ? arch.outChannels : 0));
}

/** Rows covered by consecutive bands from row 0. */
function bandsHeight(bands: readonly RowBand[]): number {
  const [start, count] = bands[bands.length - 1];
  return start + count;
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
