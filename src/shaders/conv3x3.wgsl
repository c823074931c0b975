// 3x3 convolution, padding 1, stride 1, channels-first:
// x [B, Cin, H, W] * weight [Cout, Cin, 3, 3] (+ bias [Cout]) -> out [B, Cout, H, W].
// Each thread computes 4 output channels x 8 consecutive pixels of one row: per input channel
// and kernel row it loads 10 inputs once and reuses each for 4 channels x 3 taps, so CPU
// adapters spend their time on arithmetic rather than loads (8 pixels measured 1.5-2x faster
// than 4 on lavapipe). No workgroup memory: on CPU adapters register blocking beats
// shared-memory tiling.
// With UPSAMPLE the input is first upsampled ×2 (nearest, as F.interpolate(scale_factor=2)):
// x is [B, Cin, H/2, W/2] for an output of [B, Cout, H, W], and every output-space tap reads
// input pixel (y / 2, x / 2), so the upsampled image is never stored.
// Row bands (for images whose activations exceed a binding): out holds output rows
// [rowStart, rowStart + rows) of an image `height` rows tall, and x holds input rows
// [inRowStart, inRowStart + inRows), which must include every row those outputs tap; zero
// padding stays at the image's edges. A whole image is rowStart = inRowStart = 0.

struct Params {
  cin: u32,
  cout: u32,
  height: u32,      // of the whole image, output space
  width: u32,
  xGroups: u32,     // ceil(width / 8)
  rows: u32,        // output rows in out
  rowStart: u32,    // image row of out's first row
  inRows: u32,      // input rows in x
  inRowStart: u32,  // image row (input space) of x's first row
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
// Without HAS_BIAS the op binds any read-only tensor here; it is never read.
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override HAS_BIAS: bool = false;
// Input gradient of a conv: dx = conv3x3(dy, weight transposed over (out, in) and flipped in
// space), reading the forward weight [Cout_fwd = cin, Cin_fwd = cout, 3, 3] in place.
override TRANSPOSE_FLIP: bool = false;
override UPSAMPLE: bool = false;
override WG: u32 = 64;

// The 3 taps of one kernel row for output channel co (zeros past cout).
fn taps(co: u32, ci: u32, ky: u32) -> vec3<f32> {
  if (co >= params.cout) { return vec3<f32>(0.0); }
  if (TRANSPOSE_FLIP) {
    let w = (ci * params.cout + co) * 9u + (2u - ky) * 3u;
    return vec3<f32>(f32(weight[w + 2u]), f32(weight[w + 1u]), f32(weight[w]));
  }
  let w = (co * params.cin + ci) * 9u + ky * 3u;
  return vec3<f32>(f32(weight[w]), f32(weight[w + 1u]), f32(weight[w + 2u]));
}

// One kernel row applied to 4 pixels; s0..s2 are the input row shifted by each tap.
fn row(w: vec3<f32>, s0: vec4<f32>, s1: vec4<f32>, s2: vec4<f32>) -> vec4<f32> {
  return w.x * s0 + w.y * s1 + w.z * s2;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  // Workgroups: x over (row, 8-pixel group), y over groups of 4 output channels, z over batch.
  let id = wg.x * WG + lane;
  if (id >= params.rows * params.xGroups) { return; }
  let yOut = id / params.xGroups;
  let y = i32(params.rowStart + yOut);
  let x0 = i32((id % params.xGroups) * 8u);
  let co0 = wg.y * 4u;
  let b = wg.z;
  // Output-space rows and columns map to input ones by a shift: 1 with UPSAMPLE, else 0.
  let up = select(0u, 1u, UPSAMPLE);
  let inWidth = params.width >> up;
  let plane = params.inRows * inWidth;

  // lo*: pixels x0..x0+3, hi*: x0+4..x0+7, one pair per output channel.
  var lo0 = vec4<f32>(0.0);
  var hi0 = vec4<f32>(0.0);
  var lo1 = vec4<f32>(0.0);
  var hi1 = vec4<f32>(0.0);
  var lo2 = vec4<f32>(0.0);
  var hi2 = vec4<f32>(0.0);
  var lo3 = vec4<f32>(0.0);
  var hi3 = vec4<f32>(0.0);
  // Zero padding without branches: clamped column and row indices with in-image masks,
  // columns set up once per thread. Branching here (an early return in a load helper, or a
  // short-circuit && / ||, which compiles to branches) puts 30 branches in each kernel row,
  // and SwiftShader then takes minutes to compile the fully inlined body.
  let last = i32(params.width) - 1;
  let c0 = u32(clamp(x0 - 1, 0, last)) >> up; let m0 = x0 >= 1;
  let c1 = u32(min(x0, last)) >> up;          let m1 = x0 <= last;
  let c2 = u32(min(x0 + 1, last)) >> up;      let m2 = x0 + 1 <= last;
  let c3 = u32(min(x0 + 2, last)) >> up;      let m3 = x0 + 2 <= last;
  let c4 = u32(min(x0 + 3, last)) >> up;      let m4 = x0 + 3 <= last;
  let c5 = u32(min(x0 + 4, last)) >> up;      let m5 = x0 + 4 <= last;
  let c6 = u32(min(x0 + 5, last)) >> up;      let m6 = x0 + 5 <= last;
  let c7 = u32(min(x0 + 6, last)) >> up;      let m7 = x0 + 6 <= last;
  let c8 = u32(min(x0 + 7, last)) >> up;      let m8 = x0 + 7 <= last;
  let c9 = u32(min(x0 + 8, last)) >> up;      let m9 = x0 + 8 <= last;
  for (var ci = 0u; ci < params.cin; ci++) {
    let base = (b * params.cin + ci) * plane;
    for (var ky = 0u; ky < 3u; ky++) {
      let yy = y + i32(ky) - 1;
      let rowIn = (yy >= 0) & (yy < i32(params.height));  // & on bools: no short circuit
      // Image row to band row, clamped so padding rows outside the band still index inside it.
      let inRow = clamp(i32(u32(clamp(yy, 0, i32(params.height) - 1)) >> up) - i32(params.inRowStart), 0, i32(params.inRows) - 1);
      let rowBase = base + u32(inRow) * inWidth;
      let r0 = select(0.0, f32(x[rowBase + c0]), rowIn & m0);
      let r1 = select(0.0, f32(x[rowBase + c1]), rowIn & m1);
      let r2 = select(0.0, f32(x[rowBase + c2]), rowIn & m2);
      let r3 = select(0.0, f32(x[rowBase + c3]), rowIn & m3);
      let r4 = select(0.0, f32(x[rowBase + c4]), rowIn & m4);
      let r5 = select(0.0, f32(x[rowBase + c5]), rowIn & m5);
      let r6 = select(0.0, f32(x[rowBase + c6]), rowIn & m6);
      let r7 = select(0.0, f32(x[rowBase + c7]), rowIn & m7);
      let r8 = select(0.0, f32(x[rowBase + c8]), rowIn & m8);
      let r9 = select(0.0, f32(x[rowBase + c9]), rowIn & m9);
      let l0 = vec4<f32>(r0, r1, r2, r3);
      let l1 = vec4<f32>(r1, r2, r3, r4);
      let l2 = vec4<f32>(r2, r3, r4, r5);
      let h0 = vec4<f32>(r4, r5, r6, r7);
      let h1 = vec4<f32>(r5, r6, r7, r8);
      let h2 = vec4<f32>(r6, r7, r8, r9);
      let w0 = taps(co0, ci, ky);
      let w1 = taps(co0 + 1u, ci, ky);
      let w2 = taps(co0 + 2u, ci, ky);
      let w3 = taps(co0 + 3u, ci, ky);
      lo0 += row(w0, l0, l1, l2);
      hi0 += row(w0, h0, h1, h2);
      lo1 += row(w1, l0, l1, l2);
      hi1 += row(w1, h0, h1, h2);
      lo2 += row(w2, l0, l1, l2);
      hi2 += row(w2, h0, h1, h2);
      lo3 += row(w3, l0, l1, l2);
      hi3 += row(w3, h0, h1, h2);
    }
  }
  let px = u32(x0);
  store(b, co0, yOut, px, lo0, hi0);
  store(b, co0 + 1u, yOut, px, lo1, hi1);
  store(b, co0 + 2u, yOut, px, lo2, hi2);
  store(b, co0 + 3u, yOut, px, lo3, hi3);
}

fn store(b: u32, co: u32, y: u32, x0: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (co >= params.cout) { return; }
  var shift = 0.0;
  if (HAS_BIAS) { shift = f32(bias[co]); }
  let rowStart = ((b * params.cout + co) * params.rows + y) * params.width + x0;
  for (var k = 0u; k < 4u; k++) {
    if (x0 + k < params.width) { out[rowStart + k] = T(lo[k] + shift); }
    if (x0 + 4u + k < params.width) { out[rowStart + 4u + k] = T(hi[k] + shift); }
  }
}
