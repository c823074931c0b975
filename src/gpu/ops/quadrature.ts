/**
 * The samplers' fused update (quadrature.wgsl): out = xScale·x + x2Scale·x2 − h·Σ w_k·CFG(V_k),
 * where each node velocity V_k = sign·anchor[:, :C] (+ a SideNet Δv slice) is built on the fly
 * from the raw backbone output(s), guided at the node's own time. One pass, no per-node buffers.
 *
 * Design: WGSL has no variable-length binding arrays, so the kernel has a fixed set of slots —
 * two anchors (raw backbone outputs) and two Δv buffers (one per batched SideNet call, nodes
 * pick a slice by element offset) — and up to 8 nodes described in the uniform (weight, time,
 * source, offset). Every quadrature the samplers use fits: bi-anchor predictor (1 anchor + 3
 * slices of one Δv batch), corrector (2 anchors + a forward and a backward Δv), Gauss–Legendre
 * K ≤ 8 (1 anchor + K slices), Heun / DPM++2M (2 anchors, no Δv). Unused slots are bound to a
 * read-only stand-in (x) and never read, so one pipeline serves every rule.
 */
import quadratureSource from '../../shaders/quadrature.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { bothDTypes, ceilDiv, expectRank, floatDType, grid, type KernelVariantSpec } from './common.js';

export const quadratureKernel: Kernel = { name: 'quadrature', source: quadratureSource };
const WG = 256;
export const MAX_QUADRATURE_NODES = 8;

export interface QuadratureNode {
  /** Which raw backbone output the node starts from. */
  anchor: 0 | 1;
  /** Optional SideNet correction: Δv buffer index and slice (the offset index of the batched call). */
  delta?: { buffer: 0 | 1; slice: number };
  weight: number;
  /** The node's time (REPA convention): guidance is on where interval[0] <= time <= interval[1]. */
  time: number;
}

export interface QuadratureGuidance {
  scale: number;
  /** REPA-convention time interval where guidance applies (inclusive). */
  interval: readonly [number, number];
  /** Guided channels (4 REPA, 3 original SiT); the others come from the conditional half. */
  guidedChannels: number;
}

export interface QuadratureArgs {
  /** State [≥B, C, H, W]; the first B images are read. */
  x: Tensor;
  xScale?: number;
  /** Optional second state term (multistep solvers), same layout as x. */
  x2?: { tensor: Tensor; scale: number };
  h: number;
  /** Raw backbone outputs [B', Cin, H, W], B' = 2B (cond ‖ null) when guided, else B. */
  anchors: readonly Tensor[];
  /** SideNet outputs [n·B', C, H, W], offset-major. */
  deltas?: readonly Tensor[];
  nodes: readonly QuadratureNode[];
  /** +1 when the anchors are REPA-convention velocities, −1 for original SiT (v_REPA = −v_SiT). */
  sign: 1 | -1;
  /** Guidance; anchors then hold 2B images. Omit for unguided (B-image) anchors. */
  guidance?: QuadratureGuidance;
  /** Images B of the result. */
  images: number;
  /** 2: write the result twice ([r ‖ r], the next guided backbone input); default 1. */
  copies?: 1 | 2;
  out?: Tensor;
}

export function quadrature(engine: Engine, a: QuadratureArgs): Tensor {
  const { x, anchors, nodes, images: B } = a;
  const deltas = a.deltas ?? [];
  const dtype = floatDType('quadrature', x, ...anchors, ...deltas, ...(a.x2 ? [a.x2.tensor] : []));
  expectRank('quadrature', 'x', x, 4);
  const [, C, H, W] = x.shape;
  const P = H * W;
  if (x.shape[0] < B) throw new ShapeError(`quadrature: x ${shapeString(x.shape)} holds fewer than ${B} images`);
  if (a.x2 && (a.x2.tensor.shape[0] < B || a.x2.tensor.size / a.x2.tensor.shape[0] !== C * P)) {
    throw new ShapeError(`quadrature: x2 ${shapeString(a.x2.tensor.shape)} does not match x ${shapeString(x.shape)}`);
  }
  if (!nodes.length || nodes.length > MAX_QUADRATURE_NODES) throw new ShapeError(`quadrature: 1..${MAX_QUADRATURE_NODES} nodes, got ${nodes.length}`);
  if (!anchors.length || anchors.length > 2 || deltas.length > 2) throw new ShapeError(`quadrature: 1–2 anchors and 0–2 Δv buffers, got ${anchors.length} and ${deltas.length}`);
  const Bp = a.guidance ? 2 * B : B;
  const Cin = anchors[0].shape[1];
  for (const [i, t] of anchors.entries()) {
    if (t.shape.length !== 4 || t.shape[0] !== Bp || t.shape[1] !== Cin || t.shape[1] < C || t.shape[2] !== H || t.shape[3] !== W) {
      throw new ShapeError(`quadrature: anchor ${i} must be [${Bp}, Cin ≥ ${C}, ${H}, ${W}] (same Cin for both), got ${shapeString(t.shape)}`);
    }
  }
  const slice = Bp * C * P;
  for (const [i, t] of deltas.entries()) {
    if (t.size % slice !== 0 || t.size / t.shape[0] !== C * P) throw new ShapeError(`quadrature: Δv ${i} must be [n·${Bp}, ${C}, ${H}, ${W}], got ${shapeString(t.shape)}`);
  }
  const src: number[] = [];
  const off: number[] = [];
  for (const [k, n] of nodes.entries()) {
    if (n.anchor >= anchors.length) throw new ShapeError(`quadrature: node ${k} reads anchor ${n.anchor}, but ${anchors.length} given`);
    if (n.delta) {
      const d = deltas[n.delta.buffer];
      if (!d || n.delta.slice < 0 || (n.delta.slice + 1) * slice > d.size) {
        throw new ShapeError(`quadrature: node ${k} reads Δv ${n.delta.buffer} slice ${n.delta.slice}, which is not there`);
      }
    }
    src.push(n.anchor | (n.delta ? (n.delta.buffer + 1) << 1 : 0));
    off.push(n.delta ? n.delta.slice * slice : 0);
  }
  const pad = <T>(v: T[], fill: T) => [...v, ...Array(MAX_QUADRATURE_NODES - v.length).fill(fill)] as T[];
  const w = pad(nodes.map((n) => n.weight), 0);
  const t = pad(nodes.map((n) => n.time), 0);
  const s = pad(src, 0);
  const o = pad(off, 0);
  const copies = a.copies ?? 1;
  const out = a.out ?? engine.empty([copies * B, C, H, W], dtype);
  if (out.size !== copies * B * C * P || out.dtype !== dtype) throw new ShapeError(`quadrature: out must be [${copies * B}, ${C}, ${H}, ${W}] ${dtype}`);
  const g = a.guidance;
  engine.dispatch({
    kernel: quadratureKernel,
    dtype,
    constants: { MODE: 0, WG },
    bindings: {
      x,
      x2: a.x2?.tensor ?? x,
      anchor0: anchors[0],
      anchor1: anchors[1] ?? anchors[0],
      delta0: deltas[0] ?? x,
      delta1: deltas[1] ?? x,
      out,
    },
    uniforms: {
      images: B, channels: C, channelsIn: Cin, pixels: P, nodes: nodes.length,
      guided: g ? 1 : 0, guidedChannels: g?.guidedChannels ?? 0, copies,
      scale: g?.scale ?? 1, tLo: clampF32(g?.interval[0] ?? 0), tHi: clampF32(g?.interval[1] ?? 0),
      sign: a.sign, xScale: a.xScale ?? 1, x2Scale: a.x2?.scale ?? 0, h: a.h,
      weightLo: w.slice(0, 4), weightHi: w.slice(4), timeLo: t.slice(0, 4), timeHi: t.slice(4),
      srcLo: s.slice(0, 4), srcHi: s.slice(4), offLo: o.slice(0, 4), offHi: o.slice(4),
    },
    workgroups: grid(engine, ceilDiv(B * C * P, WG)),
    label: 'quadrature',
  });
  return out;
}

/**
 * A raw backbone output [N, Cin, H, W] as a REPA-convention velocity [N, C, H, W]: sign·raw[:, :C]
 * (the SideNet's input). Returns `raw` itself when nothing changes (sign +1, Cin = C).
 */
export function repaVelocity(engine: Engine, raw: Tensor, channels: number, sign: 1 | -1): Tensor {
  const dtype = floatDType('repaVelocity', raw);
  expectRank('repaVelocity', 'raw', raw, 4);
  const [N, Cin, H, W] = raw.shape;
  if (Cin < channels) throw new ShapeError(`repaVelocity: cannot take ${channels} channels from ${shapeString(raw.shape)}`);
  if (sign === 1 && Cin === channels) return raw;
  const out = engine.empty([N, channels, H, W], dtype);
  engine.dispatch({
    kernel: quadratureKernel,
    dtype,
    constants: { MODE: 1, WG },
    bindings: { x: raw, x2: raw, anchor0: raw, anchor1: raw, delta0: raw, delta1: raw, out },
    uniforms: {
      images: N, channels, channelsIn: Cin, pixels: H * W, nodes: 0, guided: 0, guidedChannels: 0, copies: 1,
      scale: 1, tLo: 0, tHi: 0, sign, xScale: 0, x2Scale: 0, h: 0,
      weightLo: [0, 0, 0, 0], weightHi: [0, 0, 0, 0], timeLo: [0, 0, 0, 0], timeHi: [0, 0, 0, 0],
      srcLo: [0, 0, 0, 0], srcHi: [0, 0, 0, 0], offLo: [0, 0, 0, 0], offHi: [0, 0, 0, 0],
    },
    workgroups: grid(engine, ceilDiv(out.size, WG)),
    label: 'repaVelocity',
  });
  return out;
}

const clampF32 = (v: number) => Math.max(-3e38, Math.min(3e38, v));

export const QUADRATURE_VARIANTS: KernelVariantSpec[] = bothDTypes(quadratureKernel, [{ MODE: 0, WG }, { MODE: 1, WG }]);
