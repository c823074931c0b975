/** Plain-TS f64 references for attention and softmax (naive: the full score matrix is formed). */

/** Softmax of each row of [rows, n], max-subtracted. */
export function softmaxRef(x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / n; r++) {
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, x[r * n + j]);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += out[r * n + j] = Math.exp(x[r * n + j] - max);
    for (let j = 0; j < n; j++) out[r * n + j] /= sum;
  }
  return out;
}

/** softmax(scale · q kᵀ) v for dense [B·H, T, Dh] operands (q: Tq rows, k and v: Tk rows). */
export function attentionRef(
  q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>,
  bh: number, seqQ: number, seqK: number, headDim: number, scale: number,
): Float64Array {
  const out = new Float64Array(bh * seqQ * headDim);
  for (let g = 0; g < bh; g++) {
    const qb = g * seqQ * headDim;
    const kb = g * seqK * headDim;
    for (let i = 0; i < seqQ; i++) {
      const scores = new Float64Array(seqK);
      for (let j = 0; j < seqK; j++) {
        let s = 0;
        for (let d = 0; d < headDim; d++) s += q[qb + i * headDim + d] * k[kb + j * headDim + d];
        scores[j] = scale * s;
      }
      const p = softmaxRef(scores, seqK);
      for (let d = 0; d < headDim; d++) {
        let o = 0;
        for (let j = 0; j < seqK; j++) o += p[j] * v[kb + j * headDim + d];
        out[qb + i * headDim + d] = o;
      }
    }
  }
  return out;
}

/** Gathers a strided 4-D view (offset, strides per dim) of `data` into a dense row-major array. */
export function gather4(data: ArrayLike<number>, offset: number, strides: readonly number[], dims: readonly number[]): Float64Array {
  const [d0, d1, d2, d3] = dims;
  const out = new Float64Array(d0 * d1 * d2 * d3);
  let n = 0;
  for (let a = 0; a < d0; a++)
    for (let b = 0; b < d1; b++)
      for (let c = 0; c < d2; c++)
        for (let e = 0; e < d3; e++) {
          const at = offset + a * strides[0] + b * strides[1] + c * strides[2] + e * strides[3];
          if (at >= data.length) throw new Error(`gather4: element ${at} is outside the data (${data.length})`);
          out[n++] = data[at];
        }
  return out;
}
