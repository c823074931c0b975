/**
 * f64 references for the SideNet's fused convolutions, written as the unfused math they replace:
 * channel RMSNorm (+FiLM) (+SiLU) then the conv, zero padding on the activated input.
 */
import { conv3x3Ref, depthwise3x3Ref, type Image } from './conv.js';
import { silu } from './elementwise.js';
import { rmsNormRef } from './norm.js';

export interface FilmRef {
  data: ArrayLike<number>;
  stride: number;
  scaleOffset: number;
  shiftOffset: number;
}

/** act(rmsNorm(x)) with act = optional FiLM then optional SiLU. */
export function normActRef(x: Image, eps: number, film?: FilmRef, withSilu = false): Image {
  const [batch, channels, height, width] = x.shape;
  const normed = rmsNormRef(x.data, batch, channels, height * width, eps, film);
  return { data: withSilu ? normed.map(silu) : normed, shape: x.shape };
}

export function depthwise3x3NormedRef(x: Image, weight: ArrayLike<number>, eps: number, film?: FilmRef, withSilu = false): Float64Array {
  return depthwise3x3Ref(normActRef(x, eps, film, withSilu), weight);
}

/** outScale[b] · conv3x3(SiLU(rmsNorm(x)), weight, bias). */
export function conv3x3NormHeadRef(x: Image, weight: ArrayLike<number>, bias: ArrayLike<number>, outScale: ArrayLike<number>, eps: number): Float64Array {
  const cout = bias.length;
  const out = conv3x3Ref(normActRef(x, eps, undefined, true), weight, cout, bias);
  const image = out.length / x.shape[0];
  return out.map((v, i) => v * outScale[Math.floor(i / image)]);
}

/** conv3x3(concat[a, b] along channels, weight), no bias, repeated `copies` times along the batch. */
export function conv3x3PairRef(a: Image, b: Image, weight: ArrayLike<number>, cout: number, copies: number): Float64Array {
  const [batch, ca, height, width] = a.shape;
  const cb = b.shape[1];
  const hw = height * width;
  const concat = new Float64Array(batch * (ca + cb) * hw);
  for (let n = 0; n < batch; n++) {
    concat.set(Array.from(a.data).slice(n * ca * hw, (n + 1) * ca * hw), n * (ca + cb) * hw);
    concat.set(Array.from(b.data).slice(n * cb * hw, (n + 1) * cb * hw), (n * (ca + cb) + ca) * hw);
  }
  const once = conv3x3Ref({ data: concat, shape: [batch, ca + cb, height, width] }, weight, cout);
  const out = new Float64Array(copies * once.length);
  for (let k = 0; k < copies; k++) out.set(once, k * once.length);
  return out;
}
