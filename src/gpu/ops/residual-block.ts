/**
 * The SideNet's residual block in two dispatches for small channel counts (C <= 64), instead of
 * four (DW1-on-RMSNorm, PW1, DW2-on-RMSNorm+FiLM+SiLU, PW2+bias+residual):
 *   residualBlockIn:  a = SiLU(FiLM(RMSNorm(PW1(DW1(RMSNorm(x)))))), FiLM once per copy;
 *   residualBlockOut: x + bias + PW2(DW2(a)).
 * One invocation computes 4 adjacent pixels of one image row for all channels, so the depthwise
 * outputs stay in a private array and the 1x1 conv's weight loads are uniform across the
 * workgroup (residual_block_{in,out}.wgsl). The channel count is a const of the WGSL (private
 * array sizes, the unrolled 1x1 conv): one pipeline per channel count, built on first use.
 * One body for both kernel profiles. At the SideNet's shapes (48 images of 16x16, C = 32) the
 * two dispatches took ~0.6x the four's time on lavapipe and on SwiftShader (its GPU-profile
 * chain). Tried on lavapipe and slower: 8 pixels per invocation (~2x), blocks of 4 output
 * channels in the 1x1 conv (~1.8x), the window as structs instead of indexed arrays (~1.5x,
 * though ~25 % faster on SwiftShader).
 */
import residualBlockInSource from '../../shaders/residual_block_in.wgsl';
import residualBlockOutSource from '../../shaders/residual_block_out.wgsl';
import depthwiseRow4Source from '../../shaders/depthwise_row4.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectPositiveInteger, expectRank, expectShape, floatDType, grid, type KernelVariantSpec } from './common.js';
import { filmRowUniforms, type FilmRows } from './film.js';

/** The widest channel count the fused kernels take (private arrays of C·PX floats per thread). */
export const RESIDUAL_BLOCK_MAX_CHANNELS = 64;
/** Output pixels (of one row) per invocation, fixed in the WGSL. */
const PX = 4;
const WG = 64;

/** Whether residualBlockIn / residualBlockOut take `channels` channels. */
export function residualBlockFits(channels: number): boolean {
  return Number.isInteger(channels) && channels >= 1 && channels <= RESIDUAL_BLOCK_MAX_CHANNELS;
}

/**
 * fn pointwise(row) = Σ_ci f32(pwWeight[row + ci]) · dw[ci] (row = co·C), unrolled so that every
 * index into the private dw array is a constant: SwiftShader keeps dynamically indexed private
 * arrays in memory (this took its residual block from 173 to 76 ms at the SideNet's shapes; no
 * change on lavapipe, whose LLVM unrolls the loop itself).
 */
function pointwiseSource(channels: number): string {
  const terms = Array.from({ length: channels }, (_, ci) => `  acc += f32(pwWeight[row + ${ci}u]) * dw[${ci}];`);
  return `fn pointwise(row: u32) -> vec4<f32> {\n  var acc = vec4<f32>(0.0);\n${terms.join('\n')}\n  return acc;\n}\n`;
}

const kernels = new Map<string, Kernel>();
function blockKernel(role: 'in' | 'out', channels: number): Kernel {
  const key = `${role}:${channels}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    const source = role === 'in' ? residualBlockInSource : residualBlockOutSource;
    kernel = { name: `residual_block_${role}_c${channels}`, source: `const C = ${channels}u;\n${depthwiseRow4Source}\n${source}\n${pointwiseSource(channels)}` };
    kernels.set(key, kernel);
  }
  return kernel;
}

export interface ResidualBlockInOptions {
  /** RMSNorm epsilon (both norms); default 1e-5. */
  eps?: number;
  /** Copies of the output along the batch, each with its own FiLM rows; default 1. */
  copies?: number;
}

/** [B, C, H, W] with C within the fused kernels' limit; the shape's dims. */
function checkInput(op: string, name: string, x: Tensor): [number, number, number, number] {
  expectRank(op, name, x, 4);
  const [batch, channels, height, width] = x.shape;
  if (!residualBlockFits(channels)) {
    throw new ShapeError(`${op}: ${name} ${shapeString(x.shape)} has ${channels} channels; the fused residual block takes at most ${RESIDUAL_BLOCK_MAX_CHANNELS} (run the depthwise and 1x1 convs separately)`);
  }
  return [batch, channels, height, width];
}

function checkWeights(op: string, channels: number, dwWeight: Tensor, pwWeight: Tensor): void {
  expectShape(op, 'dwWeight', dwWeight, [channels, 1, 3, 3]);
  const pw = pwWeight.shape;
  const pwOk = pw.length === 4 ? pw[0] === channels && pw[1] === channels && pw[2] === 1 && pw[3] === 1 : pw.length === 2 && pw[0] === channels && pw[1] === channels;
  if (!pwOk) throw new ShapeError(`${op}: pwWeight must be [${channels}, ${channels}, 1, 1] (or [${channels}, ${channels}]), got ${shapeString(pw)}`);
}

/**
 * out[k·B + b] = SiLU(RMSNorm(p)·(1 + scale[k·B + b]) + shift[k·B + b]), p = PW1(DW1(RMSNorm(x[b])))
 * for k < copies: x [B, C, H, W] (C <= 64), dwWeight [C, 1, 3, 3] (zero padding of the normed
 * input, no bias), pwWeight [C, C, 1, 1] (no bias), film.film [copies·B, F] (or rows firstRow.. of
 * a larger table) -> [copies·B, C, H, W].
 * RMSNorm is over channels per pixel, no weight.
 */
export function residualBlockIn(engine: Engine, x: Tensor, dwWeight: Tensor, pwWeight: Tensor, film: FilmRows, options: ResidualBlockInOptions = {}): Tensor {
  const op = 'residualBlockIn';
  const dtype = floatDType(op, x, dwWeight, pwWeight, film.film);
  const [batch, channels, height, width] = checkInput(op, 'x', x);
  checkWeights(op, channels, dwWeight, pwWeight);
  const copies = options.copies ?? 1;
  expectPositiveInteger(op, 'copies', copies);
  const filmUniforms = filmRowUniforms(op, film, copies * batch, channels);
  const eps = options.eps ?? 1e-5;
  const out = engine.empty([copies * batch, channels, height, width], dtype);
  const chunks = ceilDiv(width, PX);
  const count = batch * height * chunks;
  engine.dispatch({
    kernel: blockKernel('in', channels),
    dtype,
    constants: { WG },
    bindings: { x, dwWeight, pwWeight, film: film.film, out },
    uniforms: { height, width, chunks, count, batch, copies, ...filmUniforms, eps, channels },
    workgroups: grid(engine, ceilDiv(count, WG)),
    label: op,
  });
  return out;
}

export interface ResidualBlockOutOptions {
  /**
   * Write SiLU(RMSNorm(block output)) instead of the output (over channels, this eps): the
   * SideNet's head activation, once per pixel, for a last block nothing else reads.
   */
  headActivation?: { eps: number };
}

/**
 * out = residual + bias + PW2(DW2(a)): a, residual [B, C, H, W] (C <= 64), dwWeight [C, 1, 3, 3]
 * (zero padding of a, no bias), pwWeight [C, C, 1, 1], bias [C] -> [B, C, H, W]
 * (or its head activation, see ResidualBlockOutOptions).
 */
export function residualBlockOut(engine: Engine, a: Tensor, dwWeight: Tensor, pwWeight: Tensor, bias: Tensor, residual: Tensor, options: ResidualBlockOutOptions = {}): Tensor {
  const op = 'residualBlockOut';
  const dtype = floatDType(op, a, dwWeight, pwWeight, bias, residual);
  const [batch, channels, height, width] = checkInput(op, 'a', a);
  checkWeights(op, channels, dwWeight, pwWeight);
  expectShape(op, 'bias', bias, [channels]);
  expectShape(op, 'residual', residual, a.shape);
  const out = engine.empty(a.shape, dtype);
  const chunks = ceilDiv(width, PX);
  const count = batch * height * chunks;
  engine.dispatch({
    kernel: blockKernel('out', channels),
    dtype,
    constants: { WG, HEAD_ACT: options.headActivation ? 1 : 0 },
    bindings: { a, dwWeight, pwWeight, bias, residual, out },
    uniforms: { height, width, chunks, count, eps: options.headActivation?.eps ?? 0, channels },
    workgroups: grid(engine, ceilDiv(count, WG)),
    label: options.headActivation ? `${op}+headActivation` : op,
  });
  return out;
}

/**
 * Channel counts whose pipelines the variants list compiles: powers of two up to the limit (the
 * shipped SideNet has 32). Every other count up to 64 builds the same source with another const.
 */
const LISTED_CHANNELS = [4, 8, 16, 32, 64];

export const RESIDUAL_BLOCK_VARIANTS: KernelVariantSpec[] = LISTED_CHANNELS.flatMap((channels) =>
  [
    ...bothDTypes(blockKernel('in', channels), [{ WG }]),
    ...bothDTypes(blockKernel('out', channels), [0, 1].map((HEAD_ACT) => ({ WG, HEAD_ACT }))),
  ]);
