/** Patchify / unpatchify between latents [B, C, H, W] and token rows [B, T, ...]. */
import patchifySource from '../../shaders/patchify.wgsl';
import unpatchifySource from '../../shaders/unpatchify.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectRank, floatDType, grid, type KernelVariantSpec } from './common.js';

export const patchifyKernel: Kernel = { name: 'patchify', source: patchifySource };
export const unpatchifyKernel: Kernel = { name: 'unpatchify', source: unpatchifySource };

const WG = 256;
export const PATCH_SIZES = [1, 2, 4, 8] as const;

function checkPatch(op: string, p: number, height: number, width: number, what: string) {
  if (!(PATCH_SIZES as readonly number[]).includes(p)) throw new ShapeError(`${op}: patch size must be one of ${PATCH_SIZES.join(', ')}, got ${p}`);
  if (height % p || width % p) throw new ShapeError(`${op}: ${what} height and width must be multiples of the patch size ${p}, got ${height}x${width}`);
}

/**
 * x [B, C, H, W] -> [B, T, C*p*p], T = (H/p)(W/p) patches row-major, each row ordered
 * (c, i, j): the patch embedding is then a matmul with the conv weight viewed as [D, C*p*p].
 */
export function patchify(engine: Engine, x: Tensor, p: number): Tensor {
  const op = 'patchify';
  const dtype = floatDType(op, x);
  expectRank(op, 'x', x, 4);
  const [batch, channels, height, width] = x.shape;
  checkPatch(op, p, height, width, `x ${shapeString(x.shape)}`);
  const out = engine.empty([batch, (height / p) * (width / p), channels * p * p], dtype);
  engine.dispatch({
    kernel: patchifyKernel,
    dtype,
    constants: { WG },
    bindings: { x, out },
    uniforms: { channels, height, width, p, total: x.size },
    workgroups: grid(engine, ceilDiv(x.size, WG)),
    label: op,
  });
  return out;
}

/**
 * tokens [B, T, p*p*Cout] (each vector ordered (i, j, c), channel fastest) -> [B, keep, H, W],
 * keeping the first `keep` of the Cout channels (default all). T must be (H/p)(W/p).
 */
export function unpatchify(engine: Engine, tokens: Tensor, p: number, height: number, width: number, keep?: number): Tensor {
  const op = 'unpatchify';
  const dtype = floatDType(op, tokens);
  expectRank(op, 'tokens', tokens, 3);
  checkPatch(op, p, height, width, 'output');
  const [batch, count, vec] = tokens.shape;
  const expectedCount = (height / p) * (width / p);
  if (count !== expectedCount || vec % (p * p)) {
    throw new ShapeError(`${op}: tokens must be [B, ${expectedCount}, ${p}*${p}*Cout] for ${height}x${width} with patch ${p}, got ${shapeString(tokens.shape)}`);
  }
  const channels = vec / (p * p);
  keep ??= channels;
  if (!Number.isInteger(keep) || keep < 1 || keep > channels) throw new ShapeError(`${op}: keep must be in 1..${channels} (Cout of ${shapeString(tokens.shape)}), got ${keep}`);
  const out = engine.empty([batch, keep, height, width], dtype);
  engine.dispatch({
    kernel: unpatchifyKernel,
    dtype,
    constants: { WG },
    bindings: { tokens, out },
    uniforms: { channels, keep, height, width, p, total: out.size },
    workgroups: grid(engine, ceilDiv(out.size, WG)),
    label: op,
  });
  return out;
}

export const PATCH_VARIANTS: KernelVariantSpec[] = [...bothDTypes(patchifyKernel, [{ WG }]), ...bothDTypes(unpatchifyKernel, [{ WG }])];
