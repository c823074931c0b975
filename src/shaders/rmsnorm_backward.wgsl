// Input gradient of the channel RMSNorm (rmsnorm.wgsl) with optional fused FiLM and SiLU,
// channels-first [B, C, HW]. Forward: r = rsqrt(mean_c x² + eps), n = x·r, u = n·(1 + scale_c) +
// shift_c, out = u (or SiLU(u)). Backward per pixel: du_c = dy_c (or dy_c·SiLU'(u_c), u_c
// recomputed), dn_c = du_c·(1 + scale_c) (du_c without FiLM),
//   dx_c = r · (dn_c - n_c · mean_c(dn·n)).
// One invocation per pixel looping over channels (as the forward). It also stores r per pixel
// in rstd [B, HW] for rmsnorm_backward_film.wgsl.

struct Params {
  channels: u32,
  hw: u32,
  filmStride: u32,
  scaleOffset: u32,
  shiftOffset: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
// Without FILM any read-only tensor stands in; it is never read.
@group(0) @binding(3) var<storage, read> film: array<T>;
@group(0) @binding(4) var<storage, read_write> dx: array<T>;
@group(0) @binding(5) var<storage, read_write> rstd: array<T>;

override WG: u32 = 64;
override FILM: u32 = 0;
override SILU: u32 = 0;

// SiLU'(u) = σ(u)·(1 + u·(1 − σ(u))), as activation_backward.wgsl computes it.
fn siluDerivative(u: f32) -> f32 {
  let s = 1.0 / (1.0 + exp(-u));
  return s * (1.0 + u * (1.0 - s));
}

fn dn(b: u32, c: u32, i: u32, r: f32) -> f32 {
  var g = f32(dy[i]);
  var scale = 1.0;
  if (FILM == 1u) { scale = 1.0 + f32(film[b * params.filmStride + params.scaleOffset + c]); }
  if (SILU == 1u) {
    var u = f32(x[i]) * r;
    if (FILM == 1u) { u = u * scale + f32(film[b * params.filmStride + params.shiftOffset + c]); }
    g *= siluDerivative(u);
  }
  if (FILM == 1u) { g *= scale; }
  return g;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let p = wg.x * WG + lane;
  let b = wg.y;
  if (p >= params.hw) { return; }
  let base = b * params.channels * params.hw + p;
  var s = 0.0;
  for (var c = 0u; c < params.channels; c++) {
    let v = f32(x[base + c * params.hw]);
    s += v * v;
  }
  let r = inverseSqrt(s / f32(params.channels) + params.eps);
  var dot = 0.0;
  for (var c = 0u; c < params.channels; c++) {
    let i = base + c * params.hw;
    dot += dn(b, c, i, r) * f32(x[i]);
  }
  // mean_c(dn·n) = r · dot / C; dx = r·dn - r·n·mean = r·dn - r³·x·dot / C.
  let k = r * r * dot / f32(params.channels);
  for (var c = 0u; c < params.channels; c++) {
    let i = base + c * params.hw;
    dx[i] = T(r * (dn(b, c, i, r) - f32(x[i]) * k));
  }
  rstd[b * params.hw + p] = T(r);
}
