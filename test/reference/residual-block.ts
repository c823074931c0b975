/**
 * f64 references for the SideNet's fused residual-block halves, composed from the unfused
 * references: channel RMSNorm, depthwise 3x3 (zero padding), 1x1 conv, FiLM, SiLU.
 */
import { depthwise3x3Ref, type Image } from './conv.js';
import { conv1x1Ref } from './conv1x1.js';
import { silu } from './elementwise.js';
import { rmsNormRef } from './norm.js';
import { normActRef, type FilmRef } from './sidenet-conv.js';

/**
 * out[k·B + b] = SiLU(rmsNorm(p)·(1 + scale[k·B + b]) + shift[k·B + b]), p = PW1(DW1(rmsNorm(x[b]))),
 * for k < copies; film rows [copies·B] of `stride`.
 */
export function residualBlockInRef(x: Image, dwWeight: ArrayLike<number>, pwWeight: ArrayLike<number>, film: FilmRef, copies: number, eps: number): Float64Array {
  const [batch, channels, height, width] = x.shape;
  const hw = height * width;
  const dw = depthwise3x3Ref(normActRef(x, eps), dwWeight);
  const p = conv1x1Ref(dw, batch, channels, hw, pwWeight, channels);
  const out = new Float64Array(copies * p.length);
  for (let k = 0; k < copies; k++) {
    const rows = Array.from(film.data).slice(k * batch * film.stride, (k + 1) * batch * film.stride);
    const modulated = rmsNormRef(p, batch, channels, hw, eps, { ...film, data: rows });
    out.set(modulated.map(silu), k * p.length);
  }
  return out;
}

/** residual + bias + PW2(DW2(a)). */
export function residualBlockOutRef(a: Image, dwWeight: ArrayLike<number>, pwWeight: ArrayLike<number>, bias: ArrayLike<number>, residual: ArrayLike<number>): Float64Array {
  const [batch, channels, height, width] = a.shape;
  return conv1x1Ref(depthwise3x3Ref(a, dwWeight), batch, channels, height * width, pwWeight, channels, bias, residual);
}
