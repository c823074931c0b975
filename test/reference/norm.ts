/** Plain-TS f64 references for LayerNorm (with adaLN modulate / affine) and channel RMSNorm. */

/** LayerNorm of each row of dense [rows, dim], no affine. */
export function layerNormRef(x: ArrayLike<number>, dim: number, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let mean = 0;
    for (let c = 0; c < dim; c++) mean += x[r * dim + c];
    mean /= dim;
    let variance = 0;
    for (let c = 0; c < dim; c++) variance += (x[r * dim + c] - mean) ** 2;
    variance /= dim;
    for (let c = 0; c < dim; c++) out[r * dim + c] = (x[r * dim + c] - mean) / Math.sqrt(variance + eps);
  }
  return out;
}

/** y·(1 + scale) + shift with shift/scale = mod[image, offset + c], image = floor(row / rowsPerImage). */
export function modulateRef(
  y: ArrayLike<number>, dim: number, mod: ArrayLike<number>, modStride: number,
  shiftOffset: number, scaleOffset: number, rowsPerImage: number,
): Float64Array {
  return Float64Array.from(y, (v, i) => {
    const r = Math.floor(i / dim);
    const c = i % dim;
    const m = Math.floor(r / rowsPerImage) * modStride;
    return v * (1 + mod[m + scaleOffset + c]) + mod[m + shiftOffset + c];
  });
}

/** y·weight + bias per column. */
export function affineRef(y: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number>): Float64Array {
  const dim = weight.length;
  return Float64Array.from(y, (v, i) => v * weight[i % dim] + bias[i % dim]);
}

/**
 * Channel RMSNorm of channels-first [B, C, HW]; with film [B, filmStride], out·(1 + scale) + shift
 * where scale = film[b, scaleOffset + c] and shift = film[b, shiftOffset + c].
 */
export function rmsNormRef(
  x: ArrayLike<number>, batch: number, channels: number, hw: number, eps: number,
  film?: { data: ArrayLike<number>; stride: number; scaleOffset: number; shiftOffset: number },
): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < hw; p++) {
      const at = (c: number) => (b * channels + c) * hw + p;
      let ms = 0;
      for (let c = 0; c < channels; c++) ms += x[at(c)] ** 2;
      const r = 1 / Math.sqrt(ms / channels + eps);
      for (let c = 0; c < channels; c++) {
        let y = x[at(c)] * r;
        if (film) y = y * (1 + film.data[b * film.stride + film.scaleOffset + c]) + film.data[b * film.stride + film.shiftOffset + c];
        out[at(c)] = y;
      }
    }
  }
  return out;
}
