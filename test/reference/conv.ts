/** Plain-TS f64 references for the 3x3 convolutions (direct loops, zero padding). */
export interface Image {
  data: ArrayLike<number>;
  /** [B, C, H, W] */
  shape: [number, number, number, number];
}

/** Cross-correlation like torch.nn.Conv2d: out[b,o,y,x] = sum w[o,c,ky,kx] x[b,c,y+ky-1,x+kx-1]. */
export function conv3x3Ref(x: Image, weight: ArrayLike<number>, cout: number, bias?: ArrayLike<number>): Float64Array {
  const [batch, cin, height, width] = x.shape;
  const out = new Float64Array(batch * cout * height * width);
  for (let b = 0; b < batch; b++)
    for (let o = 0; o < cout; o++)
      for (let y = 0; y < height; y++)
        for (let xi = 0; xi < width; xi++) {
          let sum = bias ? bias[o] : 0;
          for (let c = 0; c < cin; c++) sum += tapSum(x, b, c, y, xi, (k) => weight[(o * cin + c) * 9 + k]);
          out[((b * cout + o) * height + y) * width + xi] = sum;
        }
  return out;
}

/** Depthwise: out[b,c,y,x] = sum w[c,0,ky,kx] x[b,c,y+ky-1,x+kx-1]. */
export function depthwise3x3Ref(x: Image, weight: ArrayLike<number>): Float64Array {
  const [batch, channels, height, width] = x.shape;
  const out = new Float64Array(batch * channels * height * width);
  for (let b = 0; b < batch; b++)
    for (let c = 0; c < channels; c++)
      for (let y = 0; y < height; y++)
        for (let xi = 0; xi < width; xi++) {
          out[((b * channels + c) * height + y) * width + xi] = tapSum(x, b, c, y, xi, (k) => weight[c * 9 + k]);
        }
  return out;
}

function tapSum(x: Image, b: number, c: number, y: number, xi: number, w: (k: number) => number): number {
  const [, channels, height, width] = x.shape;
  let sum = 0;
  for (let ky = 0; ky < 3; ky++)
    for (let kx = 0; kx < 3; kx++) {
      const yy = y + ky - 1;
      const xx = xi + kx - 1;
      if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
      sum += w(ky * 3 + kx) * x.data[((b * channels + c) * height + yy) * width + xx];
    }
  return sum;
}
