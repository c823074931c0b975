// Fused scaled-dot-product attention, flash style: out = softmax(scale · q kᵀ) v per (batch, head),
// with an online softmax (running max and sum) so the T×T score matrix never exists.
//
// q, k, v and out are strided views (element offset + strides for batch, head, token, dim), so
// token-major qkv [B, T, 3, H, Dh] and channel-first qkv [B, 3C, HW] are read in place; q, k
// and v may be the same buffer.
//
// Work split: one invocation per query row, a workgroup = WG consecutive queries of one
// (batch, head). Every invocation of a workgroup reads the same key and value at the same time,
// at an address that depends only on the workgroup and the loop counters: CPU adapters load it
// once as a scalar and broadcast it over their SIMD lanes, GPUs serve it from cache as a
// broadcast. No workgroup memory and no barriers, which is what CPU adapters run fastest.
//
// DMAX (the head-dim bucket, a const because private array sizes cannot be overrides) is
// prepended by the op: `const DMAX = 64u;`.

struct Params {
  qStrides: vec4<u32>,  // (batch, head, token, dim), in elements
  kStrides: vec4<u32>,
  vStrides: vec4<u32>,
  oStrides: vec4<u32>,
  offsets: vec4<u32>,   // element offsets of q, k, v, out
  seqQ: u32,
  seqK: u32,
  heads: u32,
  headDim: u32,         // <= DMAX
  scale: f32,           // softmax scale · log2(e): scores are in base 2 so exp2 can be used
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<T>;
@group(0) @binding(2) var<storage, read> k: array<T>;
@group(0) @binding(3) var<storage, read> v: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
// Keys per online-softmax step: the accumulator is rescaled once per KB keys, not once per key.
const KB = 8u;
// Stands in for -inf: WGSL has no infinity literal and exp2 of (this - anything) is 0.
const NEG_BIG = -3.0e38;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let b = wg.y / params.heads;
  let h = wg.y % params.heads;
  let i = wg.x * WG + lane;
  // Invocations past the last query compute a duplicate row instead of returning, so control
  // flow stays uniform and the key/value loads stay scalar broadcasts on CPU adapters.
  let qi = min(i, params.seqQ - 1u);
  let dh = params.headDim;
  let qs = params.qStrides;
  let ks = params.kStrides;
  let vs = params.vStrides;
  let os = params.oStrides;

  var qr: array<f32, DMAX>;
  var acc = array<f32, DMAX>();
  let qBase = params.offsets.x + b * qs.x + h * qs.y + qi * qs.z;
  for (var d = 0u; d < dh; d++) {
    qr[d] = f32(q[qBase + d * qs.w]) * params.scale;
  }

  let kBase = params.offsets.y + b * ks.x + h * ks.y;
  let vBase = params.offsets.z + b * vs.x + h * vs.y;
  var m = NEG_BIG;  // running max of the base-2 scores
  var l = 0.0;      // running sum of exp2(score - m)
  for (var j0 = 0u; j0 < params.seqK; j0 += KB) {
    // Keys past the end (last chunk only) re-read the last key and get probability 0; the
    // c-loops keep their constant trip count KB so they unroll into registers.
    var kRow: array<u32, KB>;
    var vRow: array<u32, KB>;
    for (var c = 0u; c < KB; c++) {
      let j = min(j0 + c, params.seqK - 1u);
      kRow[c] = kBase + j * ks.z;
      vRow[c] = vBase + j * vs.z;
    }
    // The explicit initialiser matters: on Dawn + lavapipe a `var` declared without one inside a
    // loop kept the previous iteration's value instead of being zeroed.
    var s = array<f32, KB>();
    for (var d = 0u; d < dh; d++) {
      let qd = qr[d];
      for (var c = 0u; c < KB; c++) {
        s[c] += qd * f32(k[kRow[c] + d * ks.w]);
      }
    }
    var mNew = m;
    for (var c = 0u; c < KB; c++) {
      if (j0 + c >= params.seqK) { s[c] = NEG_BIG; }
      mNew = max(mNew, s[c]);
    }
    let corr = exp2(m - mNew);
    m = mNew;
    l *= corr;
    var p: array<f32, KB>;
    for (var c = 0u; c < KB; c++) {
      p[c] = exp2(s[c] - m);
      l += p[c];
    }
    for (var d = 0u; d < dh; d++) {
      var a = acc[d] * corr;
      for (var c = 0u; c < KB; c++) {
        a += p[c] * f32(v[vRow[c] + d * vs.w]);
      }
      acc[d] = a;
    }
  }

  if (i < params.seqQ) {
    let inv = 1.0 / l;
    let oBase = params.offsets.w + b * os.x + h * os.y + i * os.z;
    for (var d = 0u; d < dh; d++) {
      out[oBase + d * os.w] = T(acc[d] * inv);
    }
  }
}
