// Fused quadrature update of the samplers (src/solver): guidance per node at the node's own
// time, SideNet corrections, the model's sign convention and the weighted sum, in one pass:
//
//   out[b] = xScale·x[b] + x2Scale·x2[b] − h · Σ_k w_k · CFG_{t_k}( V_k )
//   V_k(half) = sign · anchor_{a_k}[half, c] + delta_{d_k}[off_k + half, c]      (c < channels)
//
// Node velocities are never materialised. Inputs, images b < B of a batch:
// - x, x2: [≥B, C, P]; only the first B images are read (states may be kept doubled [x ‖ x]).
// - anchor0, anchor1: raw backbone outputs [B', Cin, P] in the model's convention (sign −1 for
//   SiT-convention models, Cin ≥ C for learn_sigma); B' = 2B (cond ‖ null) when guided, else B.
// - delta0, delta1: SideNet outputs [n·B', C, P] (offset-major, REPA convention); node k reads
//   the slice starting at element offset off_k.
// - Per node (k < nodes ≤ 8, packed in vec4 pairs): weight, REPA time, src = anchor (bit 0) |
//   delta buffer (bits 1–2: 0 none, 1 delta0, 2 delta1), element offset into its delta buffer.
// Guidance on channel c of node k: guided == 1, c < guidedChannels, tLo ≤ t_k ≤ tHi.
// Result is written to out[b] and, with copies == 2, also to out[B + b] (the next [x ‖ x]).
//
// MODE 1 (no quadrature): out[n, c] = sign · anchor0[n, c] for every image n < images and
// c < channels: a raw model output as a REPA-convention C-channel velocity (SideNet input).
// Unused bindings are bound to a read-only stand-in and never read.

struct Params {
  images: u32,
  channels: u32,
  channelsIn: u32,
  pixels: u32,
  nodes: u32,
  guided: u32,
  guidedChannels: u32,
  copies: u32,
  scale: f32,
  tLo: f32,
  tHi: f32,
  sign: f32,
  xScale: f32,
  x2Scale: f32,
  h: f32,
  weightLo: vec4<f32>,
  weightHi: vec4<f32>,
  timeLo: vec4<f32>,
  timeHi: vec4<f32>,
  srcLo: vec4<u32>,
  srcHi: vec4<u32>,
  offLo: vec4<u32>,
  offHi: vec4<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> x2: array<T>;
@group(0) @binding(3) var<storage, read> anchor0: array<T>;
@group(0) @binding(4) var<storage, read> anchor1: array<T>;
@group(0) @binding(5) var<storage, read> delta0: array<T>;
@group(0) @binding(6) var<storage, read> delta1: array<T>;
@group(0) @binding(7) var<storage, read_write> out: array<T>;

override MODE: u32 = 0;
override WG: u32 = 256;

fn nodeWeight(k: u32) -> f32 { if (k < 4u) { return params.weightLo[k]; } return params.weightHi[k - 4u]; }
fn nodeTime(k: u32) -> f32 { if (k < 4u) { return params.timeLo[k]; } return params.timeHi[k - 4u]; }
fn nodeSrc(k: u32) -> u32 { if (k < 4u) { return params.srcLo[k]; } return params.srcHi[k - 4u]; }
fn nodeOff(k: u32) -> u32 { if (k < 4u) { return params.offLo[k]; } return params.offHi[k - 4u]; }

fn readAnchor(which: u32, i: u32) -> f32 {
  if (which == 0u) { return f32(anchor0[i]); }
  return f32(anchor1[i]);
}

fn readDelta(which: u32, i: u32) -> f32 {
  if (which == 1u) { return f32(delta0[i]); }
  if (which == 2u) { return f32(delta1[i]); }
  return 0.0;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  let P = params.pixels;
  let C = params.channels;
  let perImage = C * P;
  if (i >= params.images * perImage) { return; }
  let b = i / perImage;
  let c = (i % perImage) / P;
  let p = i % P;

  if (MODE == 1u) {
    out[i] = T(params.sign * f32(anchor0[(b * params.channelsIn + c) * P + p]));
    return;
  }

  let B = params.images;
  let condA = (b * params.channelsIn + c) * P + p;
  let nullA = ((b + B) * params.channelsIn + c) * P + p;
  let condD = (b * C + c) * P + p;
  let nullD = ((b + B) * C + c) * P + p;
  let channelGuided = params.guided == 1u && c < params.guidedChannels;
  var acc = 0.0;
  for (var k = 0u; k < params.nodes; k++) {
    let src = nodeSrc(k);
    let a = src & 1u;
    let d = src >> 1u;
    let off = nodeOff(k);
    var v = params.sign * readAnchor(a, condA);
    if (d != 0u) { v += readDelta(d, off + condD); }
    let t = nodeTime(k);
    if (channelGuided && t >= params.tLo && t <= params.tHi) {
      var u = params.sign * readAnchor(a, nullA);
      if (d != 0u) { u += readDelta(d, off + nullD); }
      v = u + params.scale * (v - u);
    }
    acc += nodeWeight(k) * v;
  }
  var r = params.xScale * f32(x[i]) - params.h * acc;
  if (params.x2Scale != 0.0) { r += params.x2Scale * f32(x2[i]); }
  out[i] = T(r);
  if (params.copies == 2u) { out[i + B * perImage] = T(r); }
}
