// The SideNet's head in one pass: out[b, co] = outScale[b] · (bias[co] + conv3x3(SiLU(RMSNorm(x)),
// weight)[co]), x [B, C, H, W] channels-first, weight [Cout, C, 3, 3], padding 1 (applied to
// SiLU's output), outScale [B] (the per-sample offset h). Meant for few output channels (the
// latent's 4): the normalised input is never stored and the h multiply needs no pass of its own.
// One invocation per 8 output pixels of a row and group of 4 output channels
// (conv3x3_taps.wgsl): a first pass over the channels sums x² at the 3x10 input window, so each
// input pixel's statistic is computed once per thread (30 per 8 outputs, not 9 per output); a
// second normalises, activates (one exp per window value and channel) and convolves.
// NORM_SILU = false: x is already SiLU(RMSNorm(·)) (the last residual block wrote it so), only
// the conv, bias and scale remain.

struct Params {
  channels: u32,
  cout: u32,
  height: u32,
  width: u32,
  xGroups: u32,  // ceil(width / 8)
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read> outScale: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
override NORM_SILU: bool = true;

fn load(at: u32, c: Cols10, inside: bool) -> Row10 {
  let z4 = vec4<f32>(0.0);
  return Row10(
    select(z4, vec4<f32>(f32(x[at + c.lo.x]), f32(x[at + c.lo.y]), f32(x[at + c.lo.z]), f32(x[at + c.lo.w])), c.inLo & vec4<bool>(inside)),
    select(z4, vec4<f32>(f32(x[at + c.mid.x]), f32(x[at + c.mid.y]), f32(x[at + c.mid.z]), f32(x[at + c.mid.w])), c.inMid & vec4<bool>(inside)),
    select(vec2<f32>(0.0), vec2<f32>(f32(x[at + c.hi.x]), f32(x[at + c.hi.y])), c.inHi & vec2<bool>(inside)),
  );
}

// Taps of kernel row ky for input channel c of output channel co (clamped to cout - 1).
fn taps(co: u32, c: u32, ky: u32) -> vec3<f32> {
  let w = (min(co, params.cout - 1u) * params.channels + c) * 9u + ky * 3u;
  return vec3<f32>(f32(weight[w]), f32(weight[w + 1u]), f32(weight[w + 2u]));
}

fn inverseRms(sumSq: Row10) -> Row10 {
  let n = f32(params.channels);
  return Row10(inverseSqrt(sumSq.lo / n + params.eps), inverseSqrt(sumSq.mid / n + params.eps), inverseSqrt(sumSq.hi / n + params.eps));
}

fn silu(v: Row10) -> Row10 {
  return Row10(v.lo / (1.0 + exp(-v.lo)), v.mid / (1.0 + exp(-v.mid)), v.hi / (1.0 + exp(-v.hi)));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let id = wg.x * WG + lane;
  if (id >= params.height * params.xGroups) { return; }
  let y = i32(id / params.xGroups);
  let x0 = (id % params.xGroups) * 8u;
  let co0 = wg.y * 4u;
  let b = wg.z;
  let hw = params.height * params.width;
  let imageBase = b * params.channels * hw;
  let cols = cols10(i32(x0), params.width);
  let row0 = rowAt(y - 1, params.height, params.width);
  let row1 = rowAt(y, params.height, params.width);
  let row2 = rowAt(y + 1, params.height, params.width);
  let in0 = rowInside(y - 1, params.height);
  let in2 = rowInside(y + 1, params.height);

  // Pass 1: Σ_c x² at the window (zeros outside the image; their factor meets zero inputs).
  let zero = Row10(vec4<f32>(0.0), vec4<f32>(0.0), vec2<f32>(0.0));
  let one = Row10(vec4<f32>(1.0), vec4<f32>(1.0), vec2<f32>(1.0));
  var inv0 = one;
  var inv1 = one;
  var inv2 = one;
  if (NORM_SILU) {
    var sq0 = zero;
    var sq1 = zero;
    var sq2 = zero;
    for (var c = 0u; c < params.channels; c++) {
      let plane = imageBase + c * hw;
      let r0 = load(plane + row0, cols, in0);
      let r1 = load(plane + row1, cols, true);
      let r2 = load(plane + row2, cols, in2);
      sq0 = addRow10(sq0, mulRow10(r0, r0));
      sq1 = addRow10(sq1, mulRow10(r1, r1));
      sq2 = addRow10(sq2, mulRow10(r2, r2));
    }
    inv0 = inverseRms(sq0);
    inv1 = inverseRms(sq1);
    inv2 = inverseRms(sq2);
  }

  // Pass 2: SiLU(x · invRms) (0 outside the image, as SiLU(0) = 0) through the taps.
  var acc0 = Acc8(vec4<f32>(0.0), vec4<f32>(0.0));
  var acc1 = acc0;
  var acc2 = acc0;
  var acc3 = acc0;
  for (var c = 0u; c < params.channels; c++) {
    let plane = imageBase + c * hw;
    var a0 = load(plane + row0, cols, in0);
    var a1 = load(plane + row1, cols, true);
    var a2 = load(plane + row2, cols, in2);
    if (NORM_SILU) {
      a0 = silu(mulRow10(a0, inv0));
      a1 = silu(mulRow10(a1, inv1));
      a2 = silu(mulRow10(a2, inv2));
    }
    acc0 = tapRow8(tapRow8(tapRow8(acc0, taps(co0, c, 0u), a0), taps(co0, c, 1u), a1), taps(co0, c, 2u), a2);
    acc1 = tapRow8(tapRow8(tapRow8(acc1, taps(co0 + 1u, c, 0u), a0), taps(co0 + 1u, c, 1u), a1), taps(co0 + 1u, c, 2u), a2);
    acc2 = tapRow8(tapRow8(tapRow8(acc2, taps(co0 + 2u, c, 0u), a0), taps(co0 + 2u, c, 1u), a1), taps(co0 + 2u, c, 2u), a2);
    acc3 = tapRow8(tapRow8(tapRow8(acc3, taps(co0 + 3u, c, 0u), a0), taps(co0 + 3u, c, 1u), a1), taps(co0 + 3u, c, 2u), a2);
  }
  let s = f32(outScale[b]);
  let p = u32(y) * params.width + x0;
  store(b, co0, p, x0, s, acc0);
  store(b, co0 + 1u, p, x0, s, acc1);
  store(b, co0 + 2u, p, x0, s, acc2);
  store(b, co0 + 3u, p, x0, s, acc3);
}

fn store(b: u32, co: u32, p: u32, x0: u32, s: f32, acc: Acc8) {
  if (co >= params.cout) { return; }
  let shift = f32(bias[co]);
  let at = (b * params.cout + co) * params.height * params.width + p;
  for (var k = 0u; k < 4u; k++) {
    if (x0 + k < params.width) { out[at + k] = T(s * (acc.lo[k] + shift)); }
    if (x0 + 4u + k < params.width) { out[at + 4u + k] = T(s * (acc.hi[k] + shift)); }
  }
}
