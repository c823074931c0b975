// Weight gradient of the 3x3 convolutions (padding 1, stride 1, channels-first), dense or
// depthwise: dw[co, ci, ky, kx] = Σ_b,y,x dy[b, co, y, x] · x[b, xc, y + ky - 1, x + kx - 1]
// with xc = co · dwStride + ci (dense: dwStride 0, ci < Cin; depthwise: dwStride 1, ci = 0).
//
// Work split: one invocation per (chunk, co, ci) pair holding all 9 taps in registers. A chunk
// is a fixed range of the B·H image rows; the invocation slides a 3x3 window of x along each
// row (3 new loads per pixel) against dy. With chunks > 1 it writes partial sums
// [chunks, Cout, CinPer, 9] that the op adds up in a fixed order (reduce.wgsl): deterministic,
// no atomics, and enough invocations for a GPU even when Cout·Cin is small.

struct Params {
  cinPer: u32,      // weight in-channels per out-channel (Cin dense, 1 depthwise)
  cout: u32,        // channels of dy
  xChannels: u32,   // channels of x
  dwStride: u32,    // 0 dense, 1 depthwise
  height: u32,
  width: u32,
  rows: u32,        // B * H
  rowsPerChunk: u32,
  chunks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
@group(0) @binding(3) var<storage, read_write> dw: array<T>;

override WG: u32 = 64;

// x at rows y - 1, y, y + 1 of column xi (zero padding).
fn column(base: u32, y: u32, xi: u32) -> vec3<f32> {
  var c = vec3<f32>(0.0);
  if (xi >= params.width) { return c; }
  let w = params.width;
  if (y > 0u) { c.x = f32(x[base + (y - 1u) * w + xi]); }
  c.y = f32(x[base + y * w + xi]);
  if (y + 1u < params.height) { c.z = f32(x[base + (y + 1u) * w + xi]); }
  return c;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let pairs = params.cout * params.cinPer;
  let t = (wg.y * groups.x + wg.x) * WG + lane;
  if (t >= pairs * params.chunks) { return; }
  let pair = t % pairs;
  let chunk = t / pairs;
  let co = pair / params.cinPer;
  let ci = pair % params.cinPer;
  let xc = co * params.dwStride + ci;
  let plane = params.height * params.width;
  let r0 = chunk * params.rowsPerChunk;
  let r1 = min(r0 + params.rowsPerChunk, params.rows);

  // a0, a1, a2: taps kx = 0, 1, 2; components ky = 0, 1, 2.
  var a0 = vec3<f32>(0.0);
  var a1 = vec3<f32>(0.0);
  var a2 = vec3<f32>(0.0);
  for (var r = r0; r < r1; r++) {
    let b = r / params.height;
    let y = r % params.height;
    let xBase = (b * params.xChannels + xc) * plane;
    let dyRow = ((b * params.cout + co) * params.height + y) * params.width;
    var left = vec3<f32>(0.0);
    var mid = column(xBase, y, 0u);
    for (var xi = 0u; xi < params.width; xi++) {
      let right = column(xBase, y, xi + 1u);
      let d = f32(dy[dyRow + xi]);
      a0 += d * left;
      a1 += d * mid;
      a2 += d * right;
      left = mid;
      mid = right;
    }
  }
  let o = chunk * pairs * 9u + pair * 9u;
  dw[o] = T(a0.x);
  dw[o + 1u] = T(a1.x);
  dw[o + 2u] = T(a2.x);
  dw[o + 3u] = T(a0.y);
  dw[o + 4u] = T(a1.y);
  dw[o + 5u] = T(a2.y);
  dw[o + 6u] = T(a0.z);
  dw[o + 7u] = T(a1.z);
  dw[o + 8u] = T(a2.z);
}
