// Depthwise 3x3 convolution, padding 1, stride 1, no bias, channels-first:
// x [B, C, H, W] * weight [C, 1, 3, 3] -> out [B, C, H, W].
// Each invocation computes one output row of one channel, 4 pixels at a time, sliding a 3x6
// input window along the row: each input is loaded once per row (not 1.5 times as with
// independent 4-pixel groups) and the 9 taps once per row; measured 2x faster on lavapipe.
// Padding without branches on the loads: clamped index, then select.

struct Params {
  channels: u32,
  height: u32,
  width: u32,
  rows: u32,   // batch * channels * height (one row per invocation)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
// Input gradient: dx = depthwise3x3(dy, weight flipped in space), reading the weight in place.
override FLIP: bool = false;

fn load(base: u32, y: i32, xi: i32) -> f32 {
  let inside = (y >= 0) & (y < i32(params.height)) & (xi >= 0) & (xi < i32(params.width));
  let yc = u32(clamp(y, 0, i32(params.height) - 1));
  let xc = u32(clamp(xi, 0, i32(params.width) - 1));
  return select(0.0, f32(x[base + yc * params.width + xc]), inside);
}

// The 3 taps of kernel row ky of channel c, in the order they meet x - 1, x, x + 1.
fn kernelRow(c: u32, ky: u32) -> vec3<f32> {
  if (FLIP) {
    let w = c * 9u + (2u - ky) * 3u;
    return vec3<f32>(f32(weight[w + 2u]), f32(weight[w + 1u]), f32(weight[w]));
  }
  let w = c * 9u + ky * 3u;
  return vec3<f32>(f32(weight[w]), f32(weight[w + 1u]), f32(weight[w + 2u]));
}

// One kernel row applied to 4 pixels; s0..s2 are the input row shifted by each tap.
fn row(w: vec3<f32>, s0: vec4<f32>, s1: vec4<f32>, s2: vec4<f32>) -> vec4<f32> {
  return w.x * s0 + w.y * s1 + w.z * s2;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.rows) { return; }
  let y = i32(id % params.height);
  let plane = id / params.height;   // b * channels + c
  let c = plane % params.channels;
  let base = plane * params.height * params.width;
  let w0 = kernelRow(c, 0u);
  let w1 = kernelRow(c, 1u);
  let w2 = kernelRow(c, 2u);
  // Input columns x0 - 1 and x0 of rows y - 1 (a), y (b), y + 1 (c), carried between steps.
  var a0 = 0.0;
  var a1 = load(base, y - 1, 0);
  var b0 = 0.0;
  var b1 = load(base, y, 0);
  var c0 = 0.0;
  var c1 = load(base, y + 1, 0);
  let outRow = base + u32(y) * params.width;
  for (var x0 = 0u; x0 < params.width; x0 += 4u) {
    let xi = i32(x0);
    let a = vec4<f32>(load(base, y - 1, xi + 1), load(base, y - 1, xi + 2), load(base, y - 1, xi + 3), load(base, y - 1, xi + 4));
    let b = vec4<f32>(load(base, y, xi + 1), load(base, y, xi + 2), load(base, y, xi + 3), load(base, y, xi + 4));
    let d = vec4<f32>(load(base, y + 1, xi + 1), load(base, y + 1, xi + 2), load(base, y + 1, xi + 3), load(base, y + 1, xi + 4));
    var acc = row(w0, vec4<f32>(a0, a1, a.x, a.y), vec4<f32>(a1, a.x, a.y, a.z), vec4<f32>(a.x, a.y, a.z, a.w));
    acc += row(w1, vec4<f32>(b0, b1, b.x, b.y), vec4<f32>(b1, b.x, b.y, b.z), vec4<f32>(b.x, b.y, b.z, b.w));
    acc += row(w2, vec4<f32>(c0, c1, d.x, d.y), vec4<f32>(c1, d.x, d.y, d.z), vec4<f32>(d.x, d.y, d.z, d.w));
    for (var k = 0u; k < 4u; k++) {
      if (x0 + k < params.width) { out[outRow + x0 + k] = T(acc[k]); }
    }
    a0 = a.z;
    a1 = a.w;
    b0 = b.z;
    b1 = b.w;
    c0 = d.z;
    c1 = d.w;
  }
}
