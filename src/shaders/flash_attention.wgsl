// Flash attention for GPUs: out = softmax(scale · q kᵀ) v per (batch, head), with an online
// softmax (running max and sum in f32) so the T×T score matrix never exists. Same operands and
// uniforms as attention.wgsl: q, k, v and out are strided views (element offset + strides for
// batch, head, token, dim), so token-major and channel-first qkv are read in place.
//
// Work split: one workgroup per (query block of WG / G queries, batch·head). Each query row is
// owned by a group of G lanes; lane g of the group holds dims g, g + G, g + 2G, ... (DH / G of
// them) of the pre-scaled q row and of the output accumulator, in registers. Per key tile:
//   1. all WG lanes copy BK keys and BK values (BK × DH each) into workgroup memory as f32,
//      consecutive lanes reading consecutive elements of whichever of (dim, token) is
//      contiguous in memory (coalesced for token-major and channel-first views alike);
//   2. each lane forms its partial dot products with the BK keys (the G lanes of a group read
//      G consecutive floats; all groups read the same key row: a broadcast, no bank conflict);
//   3. the G partials are summed: with SUBGROUPS by two subgroupShuffleXor steps on vec4s of
//      scores, without by a round trip through workgroup memory (one more barrier);
//   4. every lane of the group updates the same running max / sum and rescales and
//      accumulates its DH / G output dims from the value tile.
//
// Prepended by the op: `const DH` (head-dim capacity: the exact head dim for 32/64/72/128,
// else a bucket whose extra dims are zero in q and in the tiles and never stored), `const G`,
// `const WG`, `const BK`; with SUBGROUPS also `enable subgroups;`. The `//#if SUBGROUPS` /
// `//#else` / `//#endif` lines are resolved by the op (flash-attention.ts) before compiling:
// WGSL rejects subgroup builtins without the extension even in dead code.
//
// With STATS, each query's base-2 log-sum-exp goes to stats[row·2] (row = (batch·heads +
// head)·seqQ + query), as attention.wgsl writes it for the backward.

struct Params {
  qStrides: vec4<u32>,  // (batch, head, token, dim), in elements
  kStrides: vec4<u32>,
  vStrides: vec4<u32>,
  oStrides: vec4<u32>,
  offsets: vec4<u32>,   // element offsets of q, k, v, out
  seqQ: u32,
  seqK: u32,
  heads: u32,
  headDim: u32,         // <= DH
  scale: f32,           // softmax scale · log2(e): scores are in base 2 so exp2 can be used
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<T>;
@group(0) @binding(2) var<storage, read> k: array<T>;
@group(0) @binding(3) var<storage, read> v: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;
// Written only with STATS (otherwise any small scratch buffer is bound).
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

override STATS: u32 = 0;

// Dims per lane, queries per workgroup, and cooperative loads per lane per tile.
const DPL = DH / G;
const BQ = WG / G;
const LOADS = (BK * DH + WG - 1u) / WG;
// Stands in for -inf: WGSL has no infinity literal and exp2 of (this - anything) is 0.
const NEG_BIG = -3.0e38;

// The key and value tiles, [key][dim] row-major, as f32 whatever the storage type.
var<workgroup> kTile: array<f32, BK * DH>;
var<workgroup> vTile: array<f32, BK * DH>;
//#if SUBGROUPS
// The subgroup's first lane index within the workgroup (see main).
var<workgroup> subgroupBase: atomic<u32>;
//#else
// Partial scores, [key][lane]: written by every lane, then summed by query group.
var<workgroup> partial: array<f32, BK * WG>;
//#endif

// Where element e of a tile (key c, dim d) comes from in a view with strides s: consecutive
// lanes walk the contiguous axis (dims for token-major, tokens for channel-first) so the loads
// coalesce. Keys past seqK re-read the last key (their scores are masked later); dims past
// headDim read a clamped address and are stored as 0. Returns (tile index, address, in range).
fn tileSlot(e: u32, base: u32, s: vec4<u32>, j0: u32) -> vec3<u32> {
  let dimFast = s.w <= s.z;
  let c = select(e % BK, e / DH, dimFast);
  let d = select(e / BK, e % DH, dimFast);
  let j = min(j0 + c, params.seqK - 1u);
  let at = base + j * s.z + min(d, params.headDim - 1u) * s.w;
  return vec3<u32>(c * DH + d, at, u32(d < params.headDim));
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
//#if SUBGROUPS
  @builtin(subgroup_invocation_id) sgLane: u32,
  @builtin(subgroup_size) sgSize: u32,
//#endif
) {
//#if SUBGROUPS
  // Lane numbering taken from the subgroups themselves, so the G lanes of a query group are
  // always G aligned lanes of one subgroup (xor partners), whatever order the implementation
  // packs local_invocation_index into subgroups. Subgroup sizes are powers of two >= 4 = G.
  var first = 0u;
  if (subgroupElect()) { first = atomicAdd(&subgroupBase, sgSize); }
  let lane = subgroupBroadcastFirst(first) + sgLane;
//#else
  let lane = li;
//#endif
  let g = lane % G;
  let b = wg.y / params.heads;
  let h = wg.y % params.heads;
  let dh = params.headDim;
  let qs = params.qStrides;
  let ks = params.kStrides;
  let vs = params.vStrides;
  let os = params.oStrides;
  let i = wg.x * BQ + lane / G;
  // Rows past the last query compute a duplicate row instead of returning: every lane takes
  // part in the barriers and shuffles.
  let qi = min(i, params.seqQ - 1u);

  var qr: array<f32, DPL>;
  var acc = array<f32, DPL>();
  let qBase = params.offsets.x + b * qs.x + h * qs.y + qi * qs.z;
  for (var t = 0u; t < DPL; t++) {
    let d = g + t * G;
    qr[t] = select(0.0, f32(q[qBase + min(d, dh - 1u) * qs.w]) * params.scale, d < dh);
  }
  var m = NEG_BIG;  // running max of the base-2 scores
  var l = 0.0;      // running sum of exp2(score - m)

  let kBase = params.offsets.y + b * ks.x + h * ks.y;
  let vBase = params.offsets.z + b * vs.x + h * vs.y;
  for (var j0 = 0u; j0 < params.seqK; j0 += BK) {
    workgroupBarrier();  // the previous tile's readers are done
    for (var n = 0u; n < LOADS; n++) {
      let e = min(li + n * WG, BK * DH - 1u);
      let ka = tileSlot(e, kBase, ks, j0);
      kTile[ka.x] = select(0.0, f32(k[ka.y]), ka.z == 1u);
      let va = tileSlot(e, vBase, vs, j0);
      vTile[va.x] = select(0.0, f32(v[va.y]), va.z == 1u);
    }
    workgroupBarrier();

    // The explicit initialiser matters: on Dawn + lavapipe a `var` declared without one inside
    // a loop kept the previous iteration's value (see attention.wgsl).
    var s = array<f32, BK>();
    for (var c = 0u; c < BK; c++) {
      var dot = 0.0;
      for (var t = 0u; t < DPL; t++) { dot += qr[t] * kTile[c * DH + g + t * G]; }
      s[c] = dot;
    }
//#if SUBGROUPS
    for (var c = 0u; c < BK; c += 4u) {
      var x = vec4<f32>(s[c], s[c + 1u], s[c + 2u], s[c + 3u]);
      x += subgroupShuffleXor(x, 1u);
      x += subgroupShuffleXor(x, 2u);
      s[c] = x.x; s[c + 1u] = x.y; s[c + 2u] = x.z; s[c + 3u] = x.w;
    }
//#else
    for (var c = 0u; c < BK; c++) { partial[c * WG + lane] = s[c]; }
    workgroupBarrier();
    let grp = lane - g;
    for (var c = 0u; c < BK; c++) {
      var sum = 0.0;
      for (var u = 0u; u < G; u++) { sum += partial[c * WG + grp + u]; }
      s[c] = sum;
    }
//#endif

    var mNew = m;
    for (var c = 0u; c < BK; c++) {
      s[c] = select(s[c], NEG_BIG, j0 + c >= params.seqK);
      mNew = max(mNew, s[c]);
    }
    let corr = exp2(m - mNew);
    m = mNew;
    l *= corr;
    for (var c = 0u; c < BK; c++) {
      s[c] = exp2(s[c] - mNew);
      l += s[c];
    }
    for (var t = 0u; t < DPL; t++) {
      var a = acc[t] * corr;
      for (var c = 0u; c < BK; c++) { a += s[c] * vTile[c * DH + g + t * G]; }
      acc[t] = a;
    }
  }

  if (i < params.seqQ) {
    let inv = 1.0 / l;
    let oBase = params.offsets.w + b * os.x + h * os.y + i * os.z;
    for (var t = 0u; t < DPL; t++) {
      let d = g + t * G;
      if (d < dh) { out[oBase + d * os.w] = T(acc[t] * inv); }
    }
    if (STATS == 1u && g == 0u) { stats[(wg.y * params.seqQ + i) * 2u] = m + log2(l); }
  }
}
