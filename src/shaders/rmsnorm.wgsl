// Channel RMSNorm of channels-first [B, C, HW]: out = x · rsqrt(mean over C of x² + eps), no
// weight, with an optional fused FiLM: out = RMSNorm(x) · (1 + scale[b, c]) + shift[b, c], where
// scale and shift are read from film [B, filmStride] at scaleOffset + c and shiftOffset + c, and
// an optional SiLU of the result (the SideNet's SiLU(FiLM(RMSNorm(h))) in one pass).
// One invocation per pixel, looping over channels: neighbouring invocations read neighbouring
// pixels (coalesced on GPUs, vector loads on CPUs) and no barriers are needed.

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
@group(0) @binding(2) var<storage, read> film: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
override FILM: u32 = 0;  // 0 plain (film is an unused dummy), 1 fused FiLM
override SILU: u32 = 0;  // 1: out = SiLU(...), as unary.wgsl computes it

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let p = wg.x * WG + lane;
  let b = wg.y;
  if (p >= params.hw) {
    return;
  }
  let base = b * params.channels * params.hw + p;
  var s = 0.0;
  for (var c = 0u; c < params.channels; c++) {
    let v = f32(x[base + c * params.hw]);
    s += v * v;
  }
  let r = inverseSqrt(s / f32(params.channels) + params.eps);
  let filmBase = b * params.filmStride;
  for (var c = 0u; c < params.channels; c++) {
    var y = f32(x[base + c * params.hw]) * r;
    if (FILM == 1u) {
      y = y * (1.0 + f32(film[filmBase + params.scaleOffset + c])) + f32(film[filmBase + params.shiftOffset + c]);
    }
    if (SILU == 1u) { y = y / (1.0 + exp(-y)); }
    out[base + c * params.hw] = T(y);
  }
}
