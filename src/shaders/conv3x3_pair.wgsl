// conv3x3 (padding 1, no bias) of concat[a, b] along channels, written `copies` times:
// a [B, Ca, H, W], b [B, Cb, H, W], weight [Cout, Ca + Cb, 3, 3] -> out [copies·B, Cout, H, W]
// with out[k·B + n] = conv(concat[a[n], b[n]]) for every k. The SideNet's input conv of
// [x_t, v_t] is the same for every offset h of a probe: computed once per image, stored for
// each offset's rows, and the concat is never materialised.
// One invocation per 8 output pixels of a row and group of 4 output channels (conv3x3_taps.wgsl);
// the channel group and image come from the workgroup id, so weight loads are uniform.

struct Params {
  ca: u32,
  cb: u32,
  cout: u32,
  height: u32,
  width: u32,
  batch: u32,
  copies: u32,
  xGroups: u32,  // ceil(width / 8)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read> weight: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override WG: u32 = 64;

fn loadA(at: u32, c: Cols10, inside: bool) -> Row10 {
  let z4 = vec4<f32>(0.0);
  return Row10(
    select(z4, vec4<f32>(f32(a[at + c.lo.x]), f32(a[at + c.lo.y]), f32(a[at + c.lo.z]), f32(a[at + c.lo.w])), c.inLo & vec4<bool>(inside)),
    select(z4, vec4<f32>(f32(a[at + c.mid.x]), f32(a[at + c.mid.y]), f32(a[at + c.mid.z]), f32(a[at + c.mid.w])), c.inMid & vec4<bool>(inside)),
    select(vec2<f32>(0.0), vec2<f32>(f32(a[at + c.hi.x]), f32(a[at + c.hi.y])), c.inHi & vec2<bool>(inside)),
  );
}

fn loadB(at: u32, c: Cols10, inside: bool) -> Row10 {
  let z4 = vec4<f32>(0.0);
  return Row10(
    select(z4, vec4<f32>(f32(b[at + c.lo.x]), f32(b[at + c.lo.y]), f32(b[at + c.lo.z]), f32(b[at + c.lo.w])), c.inLo & vec4<bool>(inside)),
    select(z4, vec4<f32>(f32(b[at + c.mid.x]), f32(b[at + c.mid.y]), f32(b[at + c.mid.z]), f32(b[at + c.mid.w])), c.inMid & vec4<bool>(inside)),
    select(vec2<f32>(0.0), vec2<f32>(f32(b[at + c.hi.x]), f32(b[at + c.hi.y])), c.inHi & vec2<bool>(inside)),
  );
}

// Taps of kernel row ky for input channel ci of output channel co (clamped to cout - 1).
fn taps(co: u32, ci: u32, ky: u32) -> vec3<f32> {
  let w = (min(co, params.cout - 1u) * (params.ca + params.cb) + ci) * 9u + ky * 3u;
  return vec3<f32>(f32(weight[w]), f32(weight[w + 1u]), f32(weight[w + 2u]));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let id = wg.x * WG + lane;
  if (id >= params.height * params.xGroups) { return; }
  let y = i32(id / params.xGroups);
  let x0 = (id % params.xGroups) * 8u;
  let co0 = wg.y * 4u;
  let n = wg.z;
  let hw = params.height * params.width;
  let cols = cols10(i32(x0), params.width);

  var acc0 = Acc8(vec4<f32>(0.0), vec4<f32>(0.0));
  var acc1 = acc0;
  var acc2 = acc0;
  var acc3 = acc0;
  for (var ky = 0u; ky < 3u; ky++) {
    let yy = y + i32(ky) - 1;
    let rowOff = rowAt(yy, params.height, params.width);
    let inside = rowInside(yy, params.height);
    for (var c = 0u; c < params.ca; c++) {
      let r = loadA((n * params.ca + c) * hw + rowOff, cols, inside);
      acc0 = tapRow8(acc0, taps(co0, c, ky), r);
      acc1 = tapRow8(acc1, taps(co0 + 1u, c, ky), r);
      acc2 = tapRow8(acc2, taps(co0 + 2u, c, ky), r);
      acc3 = tapRow8(acc3, taps(co0 + 3u, c, ky), r);
    }
    for (var c = 0u; c < params.cb; c++) {
      let r = loadB((n * params.cb + c) * hw + rowOff, cols, inside);
      let ci = params.ca + c;
      acc0 = tapRow8(acc0, taps(co0, ci, ky), r);
      acc1 = tapRow8(acc1, taps(co0 + 1u, ci, ky), r);
      acc2 = tapRow8(acc2, taps(co0 + 2u, ci, ky), r);
      acc3 = tapRow8(acc3, taps(co0 + 3u, ci, ky), r);
    }
  }
  let p = u32(y) * params.width + x0;
  for (var k = 0u; k < params.copies; k++) {
    let image = k * params.batch + n;
    store(image, co0, p, x0, acc0);
    store(image, co0 + 1u, p, x0, acc1);
    store(image, co0 + 2u, p, x0, acc2);
    store(image, co0 + 3u, p, x0, acc3);
  }
}

fn store(image: u32, co: u32, p: u32, x0: u32, acc: Acc8) {
  if (co >= params.cout) { return; }
  let at = (image * params.cout + co) * params.height * params.width + p;
  for (var k = 0u; k < 4u; k++) {
    if (x0 + k < params.width) { out[at + k] = T(acc.lo[k]); }
    if (x0 + 4u + k < params.width) { out[at + 4u + k] = T(acc.hi[k]); }
  }
}
