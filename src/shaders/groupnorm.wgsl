// GroupNorm of channels-first x [N, C, H·W] from precomputed statistics (groupnorm_stats.wgsl),
// with the per-channel affine and an optional fused SiLU:
//   out = act((x − mean[n, g]) · rstd[n, g] · weight[c] + bias[c]),  g = c / (C / G).
// One element per invocation; (n, g) is (element / H·W) / (C / G) because groups are runs of
// whole channels.

struct Params {
  total: u32,             // N·C·H·W
  hw: u32,
  channels: u32,
  channelsPerGroup: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> weight: array<T>;
@group(0) @binding(4) var<storage, read> bias: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

override SILU: bool = false;
override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.total) { return; }
  let plane = i / params.hw;  // n·C + c
  let c = plane % params.channels;
  let g = plane / params.channelsPerGroup;  // n·G + c / (C / G)
  var y = (f32(x[i]) - stats[2u * g]) * stats[2u * g + 1u] * f32(weight[c]) + f32(bias[c]);
  if (SILU) { y = y / (1.0 + exp(-y)); }
  out[i] = T(y);
}
