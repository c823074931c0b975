// Depthwise 3x3 convolution, padding 1, stride 1, no bias, channels-first:
// x [B, C, H, W] * weight [C, 1, 3, 3] -> out [B, C, H, W].
// Each thread computes 4 consecutive pixels of one row of one channel from a 3x6 input window.

struct Params {
  channels: u32,
  height: u32,
  width: u32,
  xGroups: u32,   // ceil(width / 4)
  threads: u32,   // batch * channels * height * xGroups
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
// Input gradient: dx = depthwise3x3(dy, weight flipped in space), reading the weight in place.
override FLIP: bool = false;

fn load(base: u32, y: i32, xi: i32) -> f32 {
  if (y < 0 || y >= i32(params.height) || xi < 0 || xi >= i32(params.width)) { return 0.0; }
  return f32(x[base + u32(y) * params.width + u32(xi)]);
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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.threads) { return; }
  let xg = id % params.xGroups;
  let y = (id / params.xGroups) % params.height;
  let plane = id / (params.xGroups * params.height);   // b * channels + c
  let c = plane % params.channels;
  let base = plane * params.height * params.width;
  let x0 = i32(xg * 4u);

  var acc = vec4<f32>(0.0);
  for (var ky = 0u; ky < 3u; ky++) {
    let yy = i32(y) + i32(ky) - 1;
    let r0 = load(base, yy, x0 - 1);
    let r1 = load(base, yy, x0);
    let r2 = load(base, yy, x0 + 1);
    let r3 = load(base, yy, x0 + 2);
    let r4 = load(base, yy, x0 + 3);
    let r5 = load(base, yy, x0 + 4);
    let taps = kernelRow(c, ky);
    acc += taps.x * vec4<f32>(r0, r1, r2, r3) + taps.y * vec4<f32>(r1, r2, r3, r4) + taps.z * vec4<f32>(r2, r3, r4, r5);
  }
  let row = base + y * params.width + u32(x0);
  for (var k = 0u; k < 4u; k++) {
    if (u32(x0) + k < params.width) { out[row + k] = T(acc[k]); }
  }
}
