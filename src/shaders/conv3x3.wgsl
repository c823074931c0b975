// 3x3 convolution, padding 1, stride 1, channels-first:
// x [B, Cin, H, W] * weight [Cout, Cin, 3, 3] (+ bias [Cout]) -> out [B, Cout, H, W].
// Each thread computes 4 output channels x 4 consecutive pixels of one row: per input channel
// it loads a 3x6 input window once and reuses every value for 4 channels x 3 taps, which is
// what keeps CPU adapters busy with arithmetic instead of loads. No workgroup memory: on CPU
// adapters register blocking beats shared-memory tiling.

struct Params {
  batch: u32,
  cin: u32,
  cout: u32,
  height: u32,
  width: u32,
  coGroups: u32,   // ceil(cout / 4)
  xGroups: u32,    // ceil(width / 4)
  threads: u32,    // batch * coGroups * height * xGroups
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
// Without HAS_BIAS the op binds any read-only tensor here; it is never read.
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override HAS_BIAS: bool = false;
override WG: u32 = 64;

fn load(base: u32, y: i32, xi: i32) -> f32 {
  if (y < 0 || y >= i32(params.height) || xi < 0 || xi >= i32(params.width)) { return 0.0; }
  return f32(x[base + u32(y) * params.width + u32(xi)]);
}

// The 3 taps of one kernel row for output channel co (zeros past cout).
fn taps(co: u32, ci: u32, ky: u32) -> vec3<f32> {
  if (co >= params.cout) { return vec3<f32>(0.0); }
  let w = (co * params.cin + ci) * 9u + ky * 3u;
  return vec3<f32>(f32(weight[w]), f32(weight[w + 1u]), f32(weight[w + 2u]));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.threads) { return; }
  // Pixel groups vary fastest so neighbouring threads share weights and input rows.
  let xg = id % params.xGroups;
  let y = (id / params.xGroups) % params.height;
  let cg = (id / (params.xGroups * params.height)) % params.coGroups;
  let b = id / (params.xGroups * params.height * params.coGroups);
  let x0 = i32(xg * 4u);
  let co0 = cg * 4u;
  let plane = params.height * params.width;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var ci = 0u; ci < params.cin; ci++) {
    let base = (b * params.cin + ci) * plane;
    for (var ky = 0u; ky < 3u; ky++) {
      let yy = i32(y) + i32(ky) - 1;
      let r0 = load(base, yy, x0 - 1);
      let r1 = load(base, yy, x0);
      let r2 = load(base, yy, x0 + 1);
      let r3 = load(base, yy, x0 + 2);
      let r4 = load(base, yy, x0 + 3);
      let r5 = load(base, yy, x0 + 4);
      // The input row shifted by each horizontal tap.
      let s0 = vec4<f32>(r0, r1, r2, r3);
      let s1 = vec4<f32>(r1, r2, r3, r4);
      let s2 = vec4<f32>(r2, r3, r4, r5);
      let w0 = taps(co0, ci, ky);
      let w1 = taps(co0 + 1u, ci, ky);
      let w2 = taps(co0 + 2u, ci, ky);
      let w3 = taps(co0 + 3u, ci, ky);
      acc0 += w0.x * s0 + w0.y * s1 + w0.z * s2;
      acc1 += w1.x * s0 + w1.y * s1 + w1.z * s2;
      acc2 += w2.x * s0 + w2.y * s1 + w2.z * s2;
      acc3 += w3.x * s0 + w3.y * s1 + w3.z * s2;
    }
  }
  store(b, co0, u32(y), u32(x0), acc0);
  store(b, co0 + 1u, u32(y), u32(x0), acc1);
  store(b, co0 + 2u, u32(y), u32(x0), acc2);
  store(b, co0 + 3u, u32(y), u32(x0), acc3);
}

fn store(b: u32, co: u32, y: u32, x0: u32, acc: vec4<f32>) {
  if (co >= params.cout) { return; }
  var v = acc;
  if (HAS_BIAS) { v += vec4<f32>(f32(bias[co])); }
  let row = ((b * params.cout + co) * params.height + y) * params.width;
  for (var k = 0u; k < 4u; k++) {
    if (x0 + k < params.width) { out[row + x0 + k] = T(v[k]); }
  }
}
