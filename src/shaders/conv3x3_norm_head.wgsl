// The SideNet's head in one pass: out[b, co] = outScale[b] · (bias[co] + conv3x3(SiLU(RMSNorm(x)),
// weight)[co]), x [B, C, H, W] channels-first, weight [Cout, C, 3, 3], padding 1 (applied to
// SiLU's output), outScale [B] (the per-sample offset h). Meant for few output channels (the
// latent's 4): the normalised input is never stored and the h multiply needs no pass of its own.
// One invocation per output pixel and group of 4 output channels: a first pass over the input
// channels sums x² for the 9 taps' pixels, a second accumulates the conv.

struct Params {
  channels: u32,
  cout: u32,
  height: u32,
  width: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read> outScale: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let hw = params.height * params.width;
  let p = gid.x;
  let co0 = gid.y * 4u;
  let b = gid.z;
  if (p >= hw) { return; }
  let py = i32(p / params.width);
  let px = i32(p % params.width);
  let imageBase = b * params.channels * hw;

  let taps = taps3x3(py, px, params.height, params.width);
  // vars: runtime indices into arrays need memory, not values.
  var pixel = taps.pixel;
  var mask = taps.mask;
  var sumSq: array<f32, 9>;
  for (var c = 0u; c < params.channels; c++) {
    for (var k = 0u; k < 9u; k++) {
      let v = f32(x[imageBase + c * hw + pixel[k]]);
      sumSq[k] += v * v;
    }
  }
  var inverseRms: array<f32, 9>;
  for (var k = 0u; k < 9u; k++) {
    inverseRms[k] = inverseSqrt(sumSq[k] / f32(params.channels) + params.eps);
  }

  // Output channels past cout read channel cout - 1 (clamped) and are not stored.
  var rows: vec4<u32>;
  for (var j = 0u; j < 4u; j++) { rows[j] = min(co0 + j, params.cout - 1u) * params.channels * 9u; }
  var acc = vec4<f32>(0.0);
  for (var c = 0u; c < params.channels; c++) {
    for (var k = 0u; k < 9u; k++) {
      let v = f32(x[imageBase + c * hw + pixel[k]]) * inverseRms[k];
      let a = v / (1.0 + exp(-v)) * mask[k];
      let w = c * 9u + k;
      acc += a * vec4<f32>(f32(weight[rows.x + w]), f32(weight[rows.y + w]), f32(weight[rows.z + w]), f32(weight[rows.w + w]));
    }
  }
  let s = f32(outScale[b]);
  for (var j = 0u; j < 4u; j++) {
    let co = co0 + j;
    if (co < params.cout) { out[(b * params.cout + co) * hw + p] = T(s * (acc[j] + f32(bias[co]))); }
  }
}
