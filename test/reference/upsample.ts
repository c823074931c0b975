/** Plain-TS reference for nearest-neighbour ×2 upsampling (F.interpolate(scale_factor=2, mode='nearest')). */
import type { Image } from './conv.js';

/** [B, C, H, W] -> [B, C, 2H, 2W]: each input pixel becomes a 2×2 block. */
export function upsampleNearest2xRef(x: Image): Image {
  const [batch, channels, height, width] = x.shape;
  const data = new Float64Array(batch * channels * 4 * height * width);
  for (let plane = 0; plane < batch * channels; plane++)
    for (let y = 0; y < 2 * height; y++)
      for (let xi = 0; xi < 2 * width; xi++) {
        data[(plane * 2 * height + y) * 2 * width + xi] = x.data[(plane * height + Math.floor(y / 2)) * width + Math.floor(xi / 2)];
      }
  return { data, shape: [batch, channels, 2 * height, 2 * width] };
}
