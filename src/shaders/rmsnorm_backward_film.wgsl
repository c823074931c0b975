// FiLM gradient of the channel RMSNorm + FiLM (rmsnorm.wgsl with FILM): for film [B, filmStride],
//   dfilm[b, scaleOffset + c] += Σ_p du[b, c, p] · x[b, c, p] · rstd[b, p]   (d scale)
//   dfilm[b, shiftOffset + c] += Σ_p du[b, c, p]                            (d shift)
// and 0 in columns that are neither, where du = dy, or with SILU du = dy · SiLU'(u) for the
// recomputed pre-activation u = x·rstd·(1 + scale) + shift. One invocation per (b, column)
// summing the pixels in order; rstd [B, HW] comes from rmsnorm_backward.wgsl.

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
@group(0) @binding(4) var<storage, read> film: array<T>;
@group(0) @binding(5) var<storage, read_write> dfilm: array<T>;

override WG: u32 = 64;
override SILU: u32 = 0;

// SiLU'(u) = σ(u)·(1 + u·(1 − σ(u))), as activation_backward.wgsl computes it.
fn siluDerivative(u: f32) -> f32 {
  let s = 1.0 / (1.0 + exp(-u));
  return s * (1.0 + u * (1.0 - s));
}

// The gradient reaching the FiLM output u at channel c, element i of dy.
fn du(b: u32, c: u32, i: u32, p: u32) -> f32 {
  var g = f32(dy[i]);
  if (SILU == 1u) {
    let row = b * params.filmStride;
    let u = f32(x[i]) * f32(rstd[b * params.hw + p]) * (1.0 + f32(film[row + params.scaleOffset + c])) + f32(film[row + params.shiftOffset + c]);
    g *= siluDerivative(u);
  }
  return g;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let t = (wg.y * groups.x + wg.x) * WG + lane;
  if (t >= params.total) { return; }
  let b = t / params.filmStride;
  let j = t % params.filmStride;
  var acc = 0.0;
  if (j >= params.scaleOffset && j < params.scaleOffset + params.channels) {
    let c = j - params.scaleOffset;
    let base = (b * params.channels + c) * params.hw;
    for (var p = 0u; p < params.hw; p++) {
      acc += du(b, c, base + p, p) * f32(x[base + p]) * f32(rstd[b * params.hw + p]);
    }
  }
  if (j >= params.shiftOffset && j < params.shiftOffset + params.channels) {
    let c = j - params.shiftOffset;
    let base = (b * params.channels + c) * params.hw;
    for (var p = 0u; p < params.hw; p++) {
      acc += du(b, c, base + p, p);
    }
  }
  dfilm[t] = T(acc);
}
