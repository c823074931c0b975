// SideNet attention on the channel-first qkv [B, 3C, HW] (channel = which·C + head·HD + d), for
// small head dims (<= 32), tiled for GPUs: as attention_channel_first.wgsl computes it (online
// softmax in f32, base 2), but the keys and values go through workgroup memory.
//
// Work split: one workgroup per (block of WG·QPT query positions, batch), QPT positions per
// invocation (lane, lane + WG, ...: coalesced q loads and stores); it runs every head of its
// block in turn. Per head the workgroup walks the keys in tiles of TK positions: the WG
// invocations copy the tile's K and V (HD channels × TK positions each) into workgroup memory
// with loads along positions (consecutive invocations, consecutive addresses), as vec4s of 4
// keys; then every invocation reads the same tile vec4 at the same time (a broadcast) for its
// QPT queries, KB keys per online-softmax step. Each workgroup-memory read thus serves 4 keys ×
// QPT queries.
//
// Prepended by the op: `const DH = 8u; const TK = 32u; const KB = 8u; const QPT = 2u;` (the
// head-dim variant, keys per tile and per softmax step (multiples of 4), positions per
// invocation; workgroup and private array sizes must be const-expressions). The head dim itself is the override HD <= DH, so an exact variant folds
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

// [d][c]: channel d of the tile's keys (values) at positions j0 + 4c .. j0 + 4c + 3.
const TK4 = TK / 4u;
const KB4 = KB / 4u;
var<workgroup> kTile: array<vec4<f32>, DH * TK4>;
var<workgroup> vTile: array<vec4<f32>, DH * TK4>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let seq = params.seq;
  let b = wg.y;
  let first = wg.x * WG * QPT + lane;
  let chStride = params.channels * seq;
  let last = seq - 1u;

  for (var h = 0u; h < params.heads; h++) {
    let qBase = b * 3u * chStride + h * HD * seq;
    let kBase = qBase + chStride;
    let vBase = kBase + chStride;
    // Row r holds position first + r·WG; positions past the last compute a duplicate of it.
    var qr: array<array<f32, DH>, QPT>;
    var acc: array<array<f32, DH>, QPT>;
    var m: array<f32, QPT>;  // running max of the base-2 scores
    var l: array<f32, QPT>;  // running sum of exp2(score - m)
    for (var r = 0u; r < QPT; r++) {
      let qi = min(first + r * WG, last);
      for (var d = 0u; d < DH; d++) {
        qr[r][d] = select(0.0, f32(qkv[qBase + min(d, HD - 1u) * seq + qi]) * params.scale, d < HD);
        acc[r][d] = 0.0;
      }
      m[r] = NEG_BIG;
      l[r] = 0.0;
    }

    for (var j0 = 0u; j0 < seq; j0 += TK) {
      workgroupBarrier();  // everyone is done with the previous tile
      for (var e = lane; e < DH * TK4; e += WG) {
        let j = j0 + 4u * (e % TK4);
        let row = min(e / TK4, HD - 1u) * seq;
        let at = vec4<u32>(row) + min(vec4<u32>(j) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(last));
        kTile[e] = vec4<f32>(f32(qkv[kBase + at.x]), f32(qkv[kBase + at.y]), f32(qkv[kBase + at.z]), f32(qkv[kBase + at.w]));
        vTile[e] = vec4<f32>(f32(qkv[vBase + at.x]), f32(qkv[vBase + at.y]), f32(qkv[vBase + at.z]), f32(qkv[vBase + at.w]));
      }
      workgroupBarrier();
      let keys = min(TK, seq - j0);
      for (var c0 = 0u; c0 < keys; c0 += KB) {
        // Zeroed by an explicit constructor: a bare `var s: ...;` in the loop body was not
        // re-zeroed per iteration on Dawn/lavapipe (wrong results in every test).
        var s = array<array<vec4<f32>, KB4>, QPT>();
        for (var d = 0u; d < DH; d++) {
          for (var c = 0u; c < KB4; c++) {
            let k4 = kTile[d * TK4 + c0 / 4u + c];
            for (var r = 0u; r < QPT; r++) { s[r][c] += qr[r][d] * k4; }
          }
        }
        var p: array<array<vec4<f32>, KB4>, QPT>;
        var corr: array<f32, QPT>;
        for (var r = 0u; r < QPT; r++) {
          var mNew = m[r];
          for (var c = 0u; c < KB4; c++) {
            let beyond = vec4<u32>(c0 + 4u * c) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(keys);
            s[r][c] = select(s[r][c], vec4<f32>(NEG_BIG), beyond);
            mNew = max(mNew, max(max(s[r][c].x, s[r][c].y), max(s[r][c].z, s[r][c].w)));
          }
          corr[r] = exp2(m[r] - mNew);
          m[r] = mNew;
          var sum = l[r] * corr[r];
          for (var c = 0u; c < KB4; c++) {
            p[r][c] = exp2(s[r][c] - vec4<f32>(mNew));
            sum += dot(p[r][c], vec4<f32>(1.0));
          }
          l[r] = sum;
        }
        for (var d = 0u; d < DH; d++) {
          for (var r = 0u; r < QPT; r++) { acc[r][d] *= corr[r]; }
          for (var c = 0u; c < KB4; c++) {
            let v4 = vTile[d * TK4 + c0 / 4u + c];
            for (var r = 0u; r < QPT; r++) { acc[r][d] += dot(p[r][c], v4); }
          }
        }
      }
    }

    let oBase = b * chStride + h * HD * seq;
    for (var r = 0u; r < QPT; r++) {
      let i = first + r * WG;
      if (i < seq) {
        let inv = 1.0 / l[r];
        // Dims past HD accumulated the clamped last dim's values, so their stores rewrite element
        // HD - 1 with its own value: no per-dim branch.
        for (var d = 0u; d < DH; d++) {
          out[oBase + min(d, HD - 1u) * seq + i] = T(acc[r][d] * inv);
        }
        if (STATS == 1u) { stats[((b * params.heads + h) * seq + i) * 2u] = m[r] + log2(l[r]); }
      }
    }
  }
}
