// SideNet attention on the channel-first qkv [B, 3C, HW] (channel = which·C + head·HD + d), for
// small head dims (<= 32), tiled for GPUs: as attention_channel_first.wgsl computes it (online
// softmax in f32, base 2), but the keys and values go through workgroup memory.
//
// Work split: one workgroup per (block of WG query positions, batch), one position per
// invocation; it runs every head of its block in turn. Per head the workgroup walks the keys in
// tiles of TK positions: the WG invocations copy the tile's K and V (HD channels × TK
// positions each) into workgroup memory with loads along positions (consecutive invocations,
// consecutive addresses), then every invocation reads the same tile element at the same time
// (a broadcast) for its own query, KB keys per online-softmax step.
//
// Prepended by the op: `const DH = 8u; const TK = 32u; const KB = 8u;` (the head-dim variant,
// keys per tile and per softmax step; workgroup and private array sizes must be
// const-expressions). The head dim itself is the override HD <= DH, so an exact variant folds
// every padding check away; other head dims pad to DH with clamped addresses and zeroed q.
//
// With STATS (training), each query's base-2 log-sum-exp goes to stats[row·2] (row = (batch·
// heads + head)·HW + position), as attention.wgsl writes it for attention_backward_query.wgsl.

struct Params {
  seq: u32,       // positions HW
  heads: u32,
  channels: u32,  // C = heads · HD
  scale: f32,     // softmax scale · log2(e)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
// Written only with STATS (otherwise any small scratch buffer is bound).
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;

override WG: u32 = 64;
override STATS: u32 = 0;
override HD: u32 = DH;
// Stands in for -inf: WGSL has no infinity literal and exp2 of (this - anything) is 0.
const NEG_BIG = -3.0e38;

// [d][c]: channel d of the tile's key (value) at position j0 + c.
var<workgroup> kTile: array<f32, DH * TK>;
var<workgroup> vTile: array<f32, DH * TK>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let seq = params.seq;
  let b = wg.y;
  let i = wg.x * WG + lane;
  // Invocations past the last position compute a duplicate row (they still help load tiles).
  let qi = min(i, seq - 1u);
  let chStride = params.channels * seq;

  for (var h = 0u; h < params.heads; h++) {
    let qBase = b * 3u * chStride + h * HD * seq;
    let kBase = qBase + chStride;
    let vBase = kBase + chStride;
    var qr: array<f32, DH>;
    var acc = array<f32, DH>();
    for (var d = 0u; d < DH; d++) {
      qr[d] = select(0.0, f32(qkv[qBase + min(d, HD - 1u) * seq + qi]) * params.scale, d < HD);
    }
    var m = NEG_BIG;  // running max of the base-2 scores
    var l = 0.0;      // running sum of exp2(score - m)

    for (var j0 = 0u; j0 < seq; j0 += TK) {
      workgroupBarrier();  // everyone is done with the previous tile
      for (var e = lane; e < DH * TK; e += WG) {
        let c = e % TK;
        let at = min(e / TK, HD - 1u) * seq + min(j0 + c, seq - 1u);
        kTile[e] = f32(qkv[kBase + at]);
        vTile[e] = f32(qkv[vBase + at]);
      }
      workgroupBarrier();
      let keys = min(TK, seq - j0);
      for (var c0 = 0u; c0 < keys; c0 += KB) {
        var s = array<f32, KB>();
        for (var d = 0u; d < DH; d++) {
          for (var c = 0u; c < KB; c++) { s[c] += qr[d] * kTile[d * TK + c0 + c]; }
        }
        var mNew = m;
        for (var c = 0u; c < KB; c++) {
          s[c] = select(s[c], NEG_BIG, c0 + c >= keys);
          mNew = max(mNew, s[c]);
        }
        let corr = exp2(m - mNew);
        m = mNew;
        var p: array<f32, KB>;
        var sum = l * corr;
        for (var c = 0u; c < KB; c++) {
          p[c] = exp2(s[c] - mNew);
          sum += p[c];
        }
        l = sum;
        for (var d = 0u; d < DH; d++) {
          var a = acc[d] * corr;
          for (var c = 0u; c < KB; c++) { a += p[c] * vTile[d * TK + c0 + c]; }
          acc[d] = a;
        }
      }
    }

    if (i < seq) {
      let inv = 1.0 / l;
      let oBase = b * chStride + h * HD * seq;
      // Dims past HD accumulated the clamped last dim's values, so their stores rewrite element
      // HD - 1 with its own value: no per-dim branch.
      for (var d = 0u; d < DH; d++) {
        out[oBase + min(d, HD - 1u) * seq + i] = T(acc[d] * inv);
      }
      if (STATS == 1u) { stats[((b * params.heads + h) * seq + i) * 2u] = m + log2(l); }
    }
  }
}
