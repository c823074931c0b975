/** Plain-TS f64 references for the embedding kernels. */

/** Rows of a [V, D] table by id. */
export function gatherRef(table: ArrayLike<number>, dim: number, ids: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ids.length * dim);
  for (let n = 0; n < ids.length; n++)
    for (let d = 0; d < dim; d++) out[n * dim + d] = table[ids[n] * dim + d];
  return out;
}

/**
 * The SiT/DiT TimestepEmbedder sinusoid, written after its PyTorch code:
 * freqs = exp(-ln(max_period) * arange(half) / half); args = t[:, None] * freqs;
 * cat([cos(args), sin(args)], -1).
 */
export function timestepEmbeddingRef(t: ArrayLike<number>, dim = 256, maxPeriod = 10000): Float64Array {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, k) => Math.exp((-Math.log(maxPeriod) * k) / half));
  const out = new Float64Array(t.length * dim);
  for (let n = 0; n < t.length; n++)
    for (let k = 0; k < half; k++) {
      out[n * dim + k] = Math.cos(t[n] * freqs[k]);
      out[n * dim + half + k] = Math.sin(t[n] * freqs[k]);
    }
  return out;
}
