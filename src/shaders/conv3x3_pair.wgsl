// conv3x3 (padding 1, no bias) of concat[a, b] along channels, written `copies` times:
// a [B, Ca, H, W], b [B, Cb, H, W], weight [Cout, Ca + Cb, 3, 3] -> out [copies·B, Cout, H, W]
// with out[k·B + n] = conv(concat[a[n], b[n]]) for every k. The SideNet's input conv of
// [x_t, v_t] is the same for every offset h of a probe: computed once per image, stored for
// each offset's rows, and the concat is never materialised.
// One invocation per output pixel and group of 4 output channels.

struct Params {
  ca: u32,
  cb: u32,
  cout: u32,
  height: u32,
  width: u32,
  batch: u32,
  copies: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read> weight: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let hw = params.height * params.width;
  let p = gid.x;
  let co0 = gid.y * 4u;
  let n = gid.z;
  if (p >= hw) { return; }
  let py = i32(p / params.width);
  let px = i32(p % params.width);

  let taps = taps3x3(py, px, params.height, params.width);
  // vars: runtime indices into arrays need memory, not values.
  var pixel = taps.pixel;
  var mask = taps.mask;
  let cin = params.ca + params.cb;
  // Output channels past cout read channel cout - 1 (clamped) and are not stored.
  var rows: vec4<u32>;
  for (var j = 0u; j < 4u; j++) { rows[j] = min(co0 + j, params.cout - 1u) * cin * 9u; }
  var acc = vec4<f32>(0.0);
  for (var c = 0u; c < params.ca; c++) {
    let plane = (n * params.ca + c) * hw;
    for (var k = 0u; k < 9u; k++) {
      let w = c * 9u + k;
      acc += f32(a[plane + pixel[k]]) * mask[k] * vec4<f32>(f32(weight[rows.x + w]), f32(weight[rows.y + w]), f32(weight[rows.z + w]), f32(weight[rows.w + w]));
    }
  }
  for (var c = 0u; c < params.cb; c++) {
    let plane = (n * params.cb + c) * hw;
    for (var k = 0u; k < 9u; k++) {
      let w = (params.ca + c) * 9u + k;
      acc += f32(b[plane + pixel[k]]) * mask[k] * vec4<f32>(f32(weight[rows.x + w]), f32(weight[rows.y + w]), f32(weight[rows.z + w]), f32(weight[rows.w + w]));
    }
  }
  for (var k = 0u; k < params.copies; k++) {
    for (var j = 0u; j < 4u; j++) {
      let co = co0 + j;
      if (co < params.cout) { out[((k * params.batch + n) * params.cout + co) * hw + p] = T(acc[j]); }
    }
  }
}
