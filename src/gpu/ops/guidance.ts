/** Classifier-free guidance over a batched (conditional ‖ null-class) velocity. */
import guidanceSource from '../../shaders/guidance.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectRank, floatDType, grid, type KernelVariantSpec } from './common.js';

export const guidanceKernel: Kernel = { name: 'guidance', source: guidanceSource };
const WG = 256;

export interface GuidanceOptions {
  scale: number;
  /** Guidance applies where interval[0] <= t <= interval[1] (model's own time); default always. */
  interval?: readonly [number, number];
  /** Channels that are guided (REPA 4, original SiT 3); the rest come from the conditional half. */
  guidedChannels: number;
  /** Channels of the result (the velocity's channels; learn_sigma outputs carry more). */
  channels: number;
}

/**
 * v: [2B, Cin, H, W] with the conditional half first; t: [B] f32 model times.
 * Returns [B, channels, H, W].
 */
export function guidance(engine: Engine, v: Tensor, t: Tensor, options: GuidanceOptions): Tensor {
  const dtype = floatDType('guidance', v);
  expectRank('guidance', 'v', v, 4);
  const [twoB, channelsIn, h, w] = v.shape;
  const images = twoB / 2;
  if (!Number.isInteger(images) || t.shape.length !== 1 || t.shape[0] !== images || t.dtype !== 'f32') {
    throw new ShapeError(`guidance: v ${shapeString(v.shape)} needs an even batch 2B and t [B] f32, got t ${shapeString(t.shape)} ${t.dtype}`);
  }
  const { channels, guidedChannels } = options;
  if (channels > channelsIn || guidedChannels > channels) {
    throw new ShapeError(`guidance: cannot take ${channels} channels (${guidedChannels} guided) from v with ${channelsIn}`);
  }
  const out = engine.empty([images, channels, h, w], dtype);
  const [tLo, tHi] = options.interval ?? [-Infinity, Infinity];
  engine.dispatch({
    kernel: guidanceKernel,
    dtype,
    constants: { WG },
    bindings: { v, t, out },
    uniforms: { images, channels, channelsIn, pixels: h * w, guidedChannels, scale: options.scale, tLo: Math.max(tLo, -3e38), tHi: Math.min(tHi, 3e38) },
    workgroups: grid(engine, ceilDiv(out.size, WG)),
    label: 'guidance',
  });
  return out;
}

export const GUIDANCE_VARIANTS: KernelVariantSpec[] = bothDTypes(guidanceKernel, [{ WG }]);
