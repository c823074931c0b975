// Input gradient of the 3x3 convolution (padding 1, stride 1, channels-first):
// dx[b, ci, y, x] = Σ_co Σ_ky,kx w[co, ci, ky, kx] · dy[b, co, y + 1 - ky, x + 1 - kx],
// i.e. a 3x3 convolution of dy with the weight transposed over (co, ci) and flipped in space.
// dy [B, Cout, H, W], weight [Cout, Cin, 3, 3] -> dx [B, Cin, H, W].
// Same work split as conv3x3.wgsl: each invocation computes 4 input channels x 8 consecutive
// pixels of one row, reusing each loaded dy value for 4 channels x 3 taps; no workgroup memory.

struct Params {
  cin: u32,       // channels of dx (this kernel's outputs)
  cout: u32,      // channels of dy (summed over)
  height: u32,
  width: u32,
  xGroups: u32,   // ceil(width / 8)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
@group(0) @binding(3) var<storage, read_write> dx: array<T>;

override WG: u32 = 64;

// Taps of the flipped kernel row u (= 2 - ky) for input channel ci, output channel co, in the
// order they meet dy at x - 1, x, x + 1 (zeros past cin).
fn taps(ci: u32, co: u32, u: u32) -> vec3<f32> {
  if (ci >= params.cin) { return vec3<f32>(0.0); }
  let w = (co * params.cin + ci) * 9u + (2u - u) * 3u;
  return vec3<f32>(f32(weight[w + 2u]), f32(weight[w + 1u]), f32(weight[w]));
}

fn row(w: vec3<f32>, s0: vec4<f32>, s1: vec4<f32>, s2: vec4<f32>) -> vec4<f32> {
  return w.x * s0 + w.y * s1 + w.z * s2;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  // Workgroups: x over (row, 8-pixel group), y over groups of 4 input channels, z over batch.
  let id = wg.x * WG + lane;
  if (id >= params.height * params.xGroups) { return; }
  let y = i32(id / params.xGroups);
  let x0 = i32((id % params.xGroups) * 8u);
  let ci0 = wg.y * 4u;
  let b = wg.z;
  let plane = params.height * params.width;

  var lo0 = vec4<f32>(0.0);
  var hi0 = vec4<f32>(0.0);
  var lo1 = vec4<f32>(0.0);
  var hi1 = vec4<f32>(0.0);
  var lo2 = vec4<f32>(0.0);
  var hi2 = vec4<f32>(0.0);
  var lo3 = vec4<f32>(0.0);
  var hi3 = vec4<f32>(0.0);
  // Zero padding without branches, as in conv3x3.wgsl (branchy padding makes SwiftShader take
  // minutes to compile this body): clamped indices with in-image masks.
  let last = i32(params.width) - 1;
  let c0 = u32(clamp(x0 - 1, 0, last)); let m0 = x0 >= 1;
  let c1 = u32(min(x0, last));          let m1 = x0 <= last;
  let c2 = u32(min(x0 + 1, last));      let m2 = x0 + 1 <= last;
  let c3 = u32(min(x0 + 2, last));      let m3 = x0 + 2 <= last;
  let c4 = u32(min(x0 + 3, last));      let m4 = x0 + 3 <= last;
  let c5 = u32(min(x0 + 4, last));      let m5 = x0 + 4 <= last;
  let c6 = u32(min(x0 + 5, last));      let m6 = x0 + 5 <= last;
  let c7 = u32(min(x0 + 6, last));      let m7 = x0 + 6 <= last;
  let c8 = u32(min(x0 + 7, last));      let m8 = x0 + 7 <= last;
  let c9 = u32(min(x0 + 8, last));      let m9 = x0 + 8 <= last;
  for (var co = 0u; co < params.cout; co++) {
    let base = (b * params.cout + co) * plane;
    for (var u = 0u; u < 3u; u++) {
      let yy = y + i32(u) - 1;
      let rowIn = (yy >= 0) & (yy < i32(params.height));  // & on bools: no short circuit
      let rowBase = base + u32(clamp(yy, 0, i32(params.height) - 1)) * params.width;
      let r0 = select(0.0, f32(dy[rowBase + c0]), rowIn & m0);
      let r1 = select(0.0, f32(dy[rowBase + c1]), rowIn & m1);
      let r2 = select(0.0, f32(dy[rowBase + c2]), rowIn & m2);
      let r3 = select(0.0, f32(dy[rowBase + c3]), rowIn & m3);
      let r4 = select(0.0, f32(dy[rowBase + c4]), rowIn & m4);
      let r5 = select(0.0, f32(dy[rowBase + c5]), rowIn & m5);
      let r6 = select(0.0, f32(dy[rowBase + c6]), rowIn & m6);
      let r7 = select(0.0, f32(dy[rowBase + c7]), rowIn & m7);
      let r8 = select(0.0, f32(dy[rowBase + c8]), rowIn & m8);
      let r9 = select(0.0, f32(dy[rowBase + c9]), rowIn & m9);
      let l0 = vec4<f32>(r0, r1, r2, r3);
      let l1 = vec4<f32>(r1, r2, r3, r4);
      let l2 = vec4<f32>(r2, r3, r4, r5);
      let h0 = vec4<f32>(r4, r5, r6, r7);
      let h1 = vec4<f32>(r5, r6, r7, r8);
      let h2 = vec4<f32>(r6, r7, r8, r9);
      let w0 = taps(ci0, co, u);
      let w1 = taps(ci0 + 1u, co, u);
      let w2 = taps(ci0 + 2u, co, u);
      let w3 = taps(ci0 + 3u, co, u);
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
  let yu = u32(y);
  store(b, ci0, yu, px, lo0, hi0);
  store(b, ci0 + 1u, yu, px, lo1, hi1);
  store(b, ci0 + 2u, yu, px, lo2, hi2);
  store(b, ci0 + 3u, yu, px, lo3, hi3);
}

fn store(b: u32, ci: u32, y: u32, x0: u32, lo: vec4<f32>, hi: vec4<f32>) {
  if (ci >= params.cin) { return; }
  let rowStart = ((b * params.cin + ci) * params.height + y) * params.width + x0;
  for (var k = 0u; k < 4u; k++) {
    if (x0 + k < params.width) { dx[rowStart + k] = T(lo[k]); }
    if (x0 + 4u + k < params.width) { dx[rowStart + 4u + k] = T(hi[k]); }
  }
}
