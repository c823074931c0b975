/**
 * A tiny model set as converted weight files, built in memory (so the API tests run in Node and
 * in browsers without fixtures on disk): a random-weight SiT (depth 2, width 48, 8×8 latents of
 * 4 channels) carrying the Fashion-MNIST pixel codec (→ 12×12 grayscale images) and a matching
 * random SideNet, both in the reference key layout with the engine's metadata; and a tiny
 * random VAE decoder (diffusers layout, ×2 upscaling) for SiTs without a pixel codec.
 */
import { sideNetArch, sideNetShapes, sitShapes, Rng } from '../../bench/random-models.js';
import type { PixelLatentCodec } from '../../src/model/pixel-latent.js';
import type { SideNetArch, SitArch, VaeArch, WeightFileMetadata } from '../../src/model/weights.js';
import { serializeSafetensors, type NamedArray } from '../../src/train/safetensors.js';

export const TINY_SIT_ARCH: SitArch = {
  depth: 2, hidden: 48, heads: 2, patch: 2, inChannels: 4, outChannels: 4, learnSigma: false,
  classes: 10, inputSize: 8, mlpHidden: 192, qkNorm: false,
};

export const TINY_SIDENET_ARCH: SideNetArch = { ...sideNetArch(16, 16, 2, 2), classes: 10 };

/** factor 2, pad 2, grayscale: 8×8 latents ↔ 12×12 images. */
export const TINY_CODEC: PixelLatentCodec = { kind: 'pixel-unshuffle', factor: 2, pad: 2, imageChannels: 1 };

function randomTensors(shapes: [string, number[]][], seed: number, scale: number): Map<string, NamedArray> {
  const rng = new Rng(seed);
  const tensors = new Map<string, NamedArray>();
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const bound = shape.length === 1 ? 0.02 : name === 'pos_embed' || name.includes('embedding_table') ? 1 : scale * Math.sqrt(3 / (n / shape[0]));
    tensors.set(name, { shape, data: rng.uniform(n, bound) });
  }
  return tensors;
}

function file(tensors: Map<string, NamedArray>, metadata: WeightFileMetadata): Uint8Array {
  return serializeSafetensors(tensors, { ba_webgpu: JSON.stringify(metadata) });
}

/** A converted SiT file; `codec: null` leaves the latent codec out (a VAE-latent model). */
export function tinySitFile(seed = 11, codec: PixelLatentCodec | null = TINY_CODEC): Uint8Array {
  // Weights at half the usual scale keep the velocities O(1), so images span the byte range.
  const tensors = randomTensors(sitShapes(TINY_SIT_ARCH), seed, 0.5);
  return file(tensors, {
    format: 'ba-webgpu/1', convention: 'repa', source_layout: 'test/api/tiny-models', dtype: 'f32', kind: 'sit',
    arch: TINY_SIT_ARCH, ...(codec ? { latent_codec: codec } : {}),
  });
}

/** A converted SideNet file for the tiny SiT (emb_fusion.0.weight as one [E, 3E] matrix, as the converter writes it). */
export function tinySideNetFile(seed = 12, arch: SideNetArch = TINY_SIDENET_ARCH): Uint8Array {
  const E = arch.embed;
  const shapes = sideNetShapes(arch).filter(([name]) => !name.startsWith('emb_fusion.0.weight.'));
  shapes.push(['emb_fusion.0.weight', [E, 3 * E]]);
  return file(randomTensors(shapes, seed, 0.5), {
    format: 'ba-webgpu/1', convention: 'repa', source_layout: 'test/api/tiny-models', dtype: 'f32', kind: 'sidenet', arch,
  });
}

/** Two up blocks of 8 channels (one ×2 upsampling), GroupNorm with 2 groups, RGB out. */
export const TINY_VAE_ARCH: VaeArch = { blockOutChannels: [8, 8], layersPerBlock: 1, groups: 2, latentChannels: 4, outChannels: 3, scalingFactor: 0.18215 };

/** A converted VAE decoder file (decoder.* and post_quant_conv.* in diffusers' names). */
export function tinyVaeFile(seed = 13, arch: VaeArch = TINY_VAE_ARCH): Uint8Array {
  const shapes: [string, number[]][] = [];
  const param = (prefix: string, weight: number[]) => shapes.push([`${prefix}.weight`, weight], [`${prefix}.bias`, [weight[0]]]);
  const norm = (prefix: string, channels: number) => param(prefix, [channels]);
  const resnet = (prefix: string, cin: number, cout: number) => {
    norm(`${prefix}norm1`, cin);
    param(`${prefix}conv1`, [cout, cin, 3, 3]);
    norm(`${prefix}norm2`, cout);
    param(`${prefix}conv2`, [cout, cout, 3, 3]);
    if (cin !== cout) param(`${prefix}conv_shortcut`, [cout, cin, 1, 1]);
  };
  const L = arch.latentChannels;
  const widths = [...arch.blockOutChannels].reverse();
  const top = widths[0];
  param('post_quant_conv', [L, L, 1, 1]);
  param('decoder.conv_in', [top, L, 3, 3]);
  resnet('decoder.mid_block.resnets.0.', top, top);
  resnet('decoder.mid_block.resnets.1.', top, top);
  norm('decoder.mid_block.attentions.0.group_norm', top);
  for (const p of ['to_q', 'to_k', 'to_v', 'to_out.0']) param(`decoder.mid_block.attentions.0.${p}`, [top, top]);
  widths.forEach((width, i) => {
    for (let j = 0; j <= arch.layersPerBlock; j++) resnet(`decoder.up_blocks.${i}.resnets.${j}.`, j === 0 ? widths[Math.max(i - 1, 0)] : width, width);
    if (i < widths.length - 1) param(`decoder.up_blocks.${i}.upsamplers.0.conv`, [width, width, 3, 3]);
  });
  norm('decoder.conv_norm_out', widths[widths.length - 1]);
  param('decoder.conv_out', [arch.outChannels, widths[widths.length - 1], 3, 3]);
  const tensors = randomTensors(shapes, seed, 1);
  // GroupNorm scales near 1, so activations keep their size through the decoder.
  for (const [name, t] of tensors) if (/norm\w*\.weight$/.test(name)) t.data.forEach((v, i) => (t.data[i] = 1 + v));
  return file(tensors, { format: 'ba-webgpu/1', convention: 'repa', source_layout: 'test/api/tiny-models', dtype: 'f32', kind: 'vae', arch });
}
