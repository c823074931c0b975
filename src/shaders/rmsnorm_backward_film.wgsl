// FiLM gradient of the channel RMSNorm + FiLM (rmsnorm.wgsl with FILM): for film [B, filmStride],
//   dfilm[b, scaleOffset + c] += Σ_p dy[b, c, p] · x[b, c, p] · rstd[b, p]   (d scale)
//   dfilm[b, shiftOffset + c] += Σ_p dy[b, c, p]                            (d shift)
// and 0 in columns that are neither. One invocation per (b, column) summing the pixels in order;
// rstd [B, HW] comes from rmsnorm_backward.wgsl.

struct Params {
  channels: u32,
  hw: u32,
  filmStride: u32,
  scaleOffset: u32,
  shiftOffset: u32,
  total: u32,   // B * filmStride
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
@group(0) @binding(3) var<storage, read> rstd: array<T>;
@group(0) @binding(4) var<storage, read_write> dfilm: array<T>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let t = (wg.y * groups.x + wg.x) * WG + lane;
  if (t >= params.total) { return; }
  let b = t / params.filmStride;
  let j = t % params.filmStride;
  var acc = 0.0;
  if (j >= params.scaleOffset && j < params.scaleOffset + params.channels) {
    let base = (b * params.channels + j - params.scaleOffset) * params.hw;
    for (var p = 0u; p < params.hw; p++) {
      acc += f32(dy[base + p]) * f32(x[base + p]) * f32(rstd[b * params.hw + p]);
    }
  }
  if (j >= params.shiftOffset && j < params.shiftOffset + params.channels) {
    let base = (b * params.channels + j - params.shiftOffset) * params.hw;
    for (var p = 0u; p < params.hw; p++) {
      acc += f32(dy[base + p]);
    }
  }
  dfilm[t] = T(acc);
}
