/** Plain-TS f64 reference for GroupNorm over channels-first [N, C, ...spatial] (torch.nn.GroupNorm). */
import { silu } from './elementwise.js';

export interface GroupNormRefArgs {
  x: ArrayLike<number>;
  batch: number;
  channels: number;
  /** Pixels per channel (product of the spatial dims). */
  hw: number;
  groups: number;
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  eps: number;
  silu?: boolean;
}

export function groupNormRef(a: GroupNormRefArgs): Float64Array {
  const { x, batch, channels, hw, groups, weight, bias, eps } = a;
  const perGroup = channels / groups;
  const out = new Float64Array(batch * channels * hw);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const channelIndex = (k: number) => g * perGroup + Math.floor(k / hw);
      const at = (k: number) => (n * channels + g * perGroup) * hw + k;
      const count = perGroup * hw;
      let mean = 0;
      for (let k = 0; k < count; k++) mean += x[at(k)];
      mean /= count;
      let variance = 0;
      for (let k = 0; k < count; k++) variance += (x[at(k)] - mean) ** 2;
      variance /= count;
      const inv = 1 / Math.sqrt(variance + eps);
      for (let k = 0; k < count; k++) {
        const c = channelIndex(k);
        const y = (x[at(k)] - mean) * inv * weight[c] + bias[c];
        out[at(k)] = a.silu ? silu(y) : y;
      }
    }
  }
  return out;
}
