/**
 * Plain-TS references for patchify / unpatchify, written as the reshapes of the SiT code, plus
 * the stride-p patch-embedding conv that patchify + matmul must reproduce.
 */

/** [B, C, H, W] -> [B, T, C*p*p]: unfold into patches, token (ty, tx) row-major, row (c, i, j). */
export function patchifyRef(x: ArrayLike<number>, shape: number[], p: number): Float64Array {
  const [batch, channels, height, width] = shape;
  const out: number[] = [];
  for (let b = 0; b < batch; b++)
    for (let ty = 0; ty < height / p; ty++)
      for (let tx = 0; tx < width / p; tx++)
        for (let c = 0; c < channels; c++)
          for (let i = 0; i < p; i++)
            for (let j = 0; j < p; j++) out.push(x[((b * channels + c) * height + ty * p + i) * width + tx * p + j]);
  return Float64Array.from(out);
}

/**
 * SiT's unpatchify: tokens.reshape(B, h, w, p, p, C) -> einsum('nhwpqc->nchpwq') ->
 * [B, C, h*p, w*p]; then keep the first `keep` channels.
 */
export function unpatchifyRef(tokens: ArrayLike<number>, batch: number, height: number, width: number, p: number, channels: number, keep: number): Float64Array {
  const out = new Float64Array(batch * keep * height * width);
  let k = 0;
  for (let b = 0; b < batch; b++)
    for (let ty = 0; ty < height / p; ty++)
      for (let tx = 0; tx < width / p; tx++)
        for (let i = 0; i < p; i++)
          for (let j = 0; j < p; j++)
            for (let c = 0; c < channels; c++, k++) {
              if (c < keep) out[((b * keep + c) * height + ty * p + i) * width + tx * p + j] = tokens[k];
            }
  return out;
}

/** nn.Conv2d(C, D, kernel p, stride p) on [B, C, H, W] -> tokens [B, T, D] (flatten(2).transpose(1, 2)). */
export function patchEmbedConvRef(x: ArrayLike<number>, shape: number[], weight: ArrayLike<number>, dim: number, p: number): Float64Array {
  const [batch, channels, height, width] = shape;
  const tokensX = width / p;
  const count = (height / p) * tokensX;
  const out = new Float64Array(batch * count * dim);
  for (let b = 0; b < batch; b++)
    for (let t = 0; t < count; t++)
      for (let d = 0; d < dim; d++) {
        let sum = 0;
        for (let c = 0; c < channels; c++)
          for (let i = 0; i < p; i++)
            for (let j = 0; j < p; j++) {
              const y = Math.floor(t / tokensX) * p + i;
              const xi = (t % tokensX) * p + j;
              sum += weight[((d * channels + c) * p + i) * p + j] * x[((b * channels + c) * height + y) * width + xi];
            }
        out[(b * count + t) * dim + d] = sum;
      }
  return out;
}
