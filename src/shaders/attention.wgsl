// Fused scaled-dot-product attention, flash style: out = softmax(scale · q kᵀ) v per (batch, head),
// with an online softmax (running max and sum) so the T×T score matrix never exists.
//
// q, k, v and out are strided views (element offset + strides for batch, head, token, dim), so
// token-major qkv [B, T, 3, H, Dh] and channel-first qkv [B, 3C, HW] are read in place; q, k
// and v may be the same buffer.
//
// Work split: each invocation owns QPT query rows (lane, lane + WG, ..., of the workgroup's
// WG·QPT consecutive queries of one (batch, head)). Every invocation of a workgroup reads the
// same key and value at the same time, at an address that depends only on the workgroup and
// the loop counters, and uses each loaded element for its QPT queries: on CPU adapters a load
// costs far more than an FMA, so the block of queries, not the arithmetic, sets the speed.
// No workgroup memory and no barriers.
//
// With STATS (training), each query's base-2 log-sum-exp goes to stats[row·2] (row = (batch·
// heads + head)·seqQ + query), so attention_backward_query.wgsl need not recompute it.
//
// DMAX (the head-dim bucket) and QPT are prepended by the op (`const DMAX = 16u; const QPT =
// 8u;`): private array sizes must be const-expressions. Every head-dim loop runs to DMAX with
// constant bounds so the compiler unrolls it and keeps q and the accumulators in registers;
// dims past headDim read a clamped (valid) address and are zeroed (q) or never stored (out).

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
// Written only with STATS (otherwise any small scratch buffer is bound).
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

override WG: u32 = 64;
override STATS: u32 = 0;
// Keys per online-softmax step: the accumulator is rescaled once per KB keys, not once per key.
const KB = 8u;
// Stands in for -inf: WGSL has no infinity literal and exp2 of (this - anything) is 0.
const NEG_BIG = -3.0e38;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let b = wg.y / params.heads;
  let h = wg.y % params.heads;
  let dh = params.headDim;
  let qs = params.qStrides;
  let ks = params.kStrides;
  let vs = params.vStrides;
  let os = params.oStrides;
  let first = wg.x * WG * QPT + lane;

  var qr: array<array<f32, DMAX>, QPT>;
  var acc = array<array<f32, DMAX>, QPT>();
  var m: array<f32, QPT>;  // running max of the base-2 scores
  var l: array<f32, QPT>;  // running sum of exp2(score - m)
  for (var r = 0u; r < QPT; r++) {
    // Rows past the last query compute a duplicate row instead of returning, so control flow
    // stays uniform and the key/value loads stay shared by the whole workgroup.
    let qi = min(first + r * WG, params.seqQ - 1u);
    let qBase = params.offsets.x + b * qs.x + h * qs.y + qi * qs.z;
    for (var d = 0u; d < DMAX; d++) {
      qr[r][d] = select(0.0, f32(q[qBase + min(d, dh - 1u) * qs.w]) * params.scale, d < dh);
    }
    m[r] = NEG_BIG;
    l[r] = 0.0;
  }

  let kBase = params.offsets.y + b * ks.x + h * ks.y;
  let vBase = params.offsets.z + b * vs.x + h * vs.y;
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
    var s = array<array<f32, KB>, QPT>();
    for (var d = 0u; d < DMAX; d++) {
      let kd = min(d, dh - 1u) * ks.w;
      for (var c = 0u; c < KB; c++) {
        let kv = f32(k[kRow[c] + kd]);
        for (var r = 0u; r < QPT; r++) { s[r][c] += qr[r][d] * kv; }
      }
    }
    var p = array<array<f32, KB>, QPT>();
    var corr: array<f32, QPT>;
    for (var r = 0u; r < QPT; r++) {
      var mNew = m[r];
      for (var c = 0u; c < KB; c++) {
        s[r][c] = select(s[r][c], NEG_BIG, j0 + c >= params.seqK);
        mNew = max(mNew, s[r][c]);
      }
      corr[r] = exp2(m[r] - mNew);
      m[r] = mNew;
      l[r] *= corr[r];
      for (var c = 0u; c < KB; c++) {
        p[r][c] = exp2(s[r][c] - mNew);
        l[r] += p[r][c];
      }
    }
    for (var d = 0u; d < DMAX; d++) {
      let vd = min(d, dh - 1u) * vs.w;
      var a: array<f32, QPT>;
      for (var r = 0u; r < QPT; r++) { a[r] = acc[r][d] * corr[r]; }
      for (var c = 0u; c < KB; c++) {
        let vv = f32(v[vRow[c] + vd]);
        for (var r = 0u; r < QPT; r++) { a[r] += p[r][c] * vv; }
      }
      for (var r = 0u; r < QPT; r++) { acc[r][d] = a[r]; }
    }
  }

  for (var r = 0u; r < QPT; r++) {
    let i = first + r * WG;
    if (i < params.seqQ) {
      let inv = 1.0 / l[r];
      let oBase = params.offsets.w + b * os.x + h * os.y + i * os.z;
      // Dims past headDim accumulated the clamped last dim's values, so their stores rewrite
      // element headDim - 1 with its own value: no per-dim branch.
      for (var d = 0u; d < DMAX; d++) {
        out[oBase + min(d, dh - 1u) * os.w] = T(acc[r][d] * inv);
      }
      if (STATS == 1u) { stats[(wg.y * params.seqQ + i) * 2u] = m[r] + log2(l[r]); }
    }
  }
}
