// SideNet attention on the channel-first qkv [B, 3C, HW] (channel = which·C + head·HD + d), for
// small head dims (<= 64), register-blocked for CPU adapters (lavapipe):
//   out[b, h·HD + d, i] = Σ_j softmax_j(scale · Σ_e q[b,h,e,i] k[b,h,e,j]) v[b,h,d,j]
// with an online softmax (running max and sum, in f32, base 2 so exp2 can be used).
//
// Work split: one workgroup per (block of WG·QPT query positions, batch); it runs every head
// of its block in turn. Each invocation owns QPT positions (lane, lane + WG, ...). Every
// invocation reads the same key/value element at the same time, at an address that depends
// only on the workgroup, the head and the loop counters (a uniform load: one scalar load and a
// broadcast on lavapipe), and uses it for its QPT queries: on CPU adapters a load costs far more
// than an FMA, so the block of queries, not the arithmetic, sets the speed. No workgroup memory,
// no barriers. The query loads and the output stores run along positions (contiguous lanes);
// the keys and values of a step come in quads of positions (one vec4 load each when HW % 4 == 0:
// ~10 % less time at head dim 16 than scalar loads).
//
// Prepended by the op: `const DH = 8u; const QPT = 8u; const KB = 8u;` (the head-dim variant,
// rows per invocation and keys per online-softmax step, a multiple of 4; private array sizes must be
// const-expressions). The head dim itself is the override HD <= DH, so an exact variant
// (HD == DH, the SideNet's 8/16/24/32) folds every padding check away; other head dims pad to
// DH with clamped addresses and zeroed q (no branches: see README, unrolled bodies).
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
// qkv (binding 1) and its loads are prepended by the op: load1(i) = qkv[i], keys4(base, j) =
// positions j..j+3 of the channel starting at base (clamped to the last position). qkv is
// array<vec4<T>> when HW is a multiple of 4 (each quad one vec4 load), else array<T>.
@group(0) @binding(2) var<storage, read_write> out: array<T>;
// Written only with STATS (otherwise any small scratch buffer is bound).
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;

override WG: u32 = 8;
override STATS: u32 = 0;
override HD: u32 = DH;
// Stands in for -inf: WGSL has no infinity literal and exp2 of (this - anything) is 0.
const NEG_BIG = -3.0e38;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let seq = params.seq;
  let b = wg.y;
  let first = wg.x * WG * QPT + lane;
  let chStride = params.channels * seq;
  // Rows past the last position compute a duplicate row instead of returning, so control flow
  // stays uniform and the key/value loads stay shared by the whole workgroup.
  var qi: array<u32, QPT>;
  for (var r = 0u; r < QPT; r++) { qi[r] = min(first + r * WG, seq - 1u); }

  for (var h = 0u; h < params.heads; h++) {
    let qBase = b * 3u * chStride + h * HD * seq;
    let kBase = qBase + chStride;
    let vBase = kBase + chStride;
    var qr: array<array<f32, DH>, QPT>;
    var acc = array<array<f32, DH>, QPT>();
    var m: array<f32, QPT>;  // running max of the base-2 scores
    var l: array<f32, QPT>;  // running sum of exp2(score - m)
    for (var r = 0u; r < QPT; r++) {
      for (var d = 0u; d < DH; d++) {
        qr[r][d] = select(0.0, load1(qBase + min(d, HD - 1u) * seq + qi[r]) * params.scale, d < HD);
      }
      m[r] = NEG_BIG;
      l[r] = 0.0;
    }

    for (var j0 = 0u; j0 < seq; j0 += KB) {
      // Keys past the end (last step only) re-read the last key and get probability 0; the
      // c-loops keep their constant trip count KB so they unroll into registers.
      // The step's keys come in quads (keys4): keys past the end (last step only) re-read a valid
      // key and get probability 0; the loops keep constant trip counts so they unroll.
      // The explicit initialiser matters: on Dawn + lavapipe a `var` declared without one inside a
      // loop kept the previous iteration's value instead of being zeroed.
      var s = array<array<f32, KB>, QPT>();
      for (var d = 0u; d < DH; d++) {
        let kd = kBase + min(d, HD - 1u) * seq;
        for (var g = 0u; g < KB / 4u; g++) {
          let kv = keys4(kd, j0 + 4u * g);
          for (var e = 0u; e < 4u; e++) {
            for (var r = 0u; r < QPT; r++) { s[r][4u * g + e] += qr[r][d] * kv[e]; }
          }
        }
      }
      var p = array<array<f32, KB>, QPT>();
      var corr: array<f32, QPT>;
      for (var r = 0u; r < QPT; r++) {
        var mNew = m[r];
        for (var c = 0u; c < KB; c++) {
          s[r][c] = select(s[r][c], NEG_BIG, j0 + c >= seq);
          mNew = max(mNew, s[r][c]);
        }
        corr[r] = exp2(m[r] - mNew);
        m[r] = mNew;
        var sum = l[r] * corr[r];
        for (var c = 0u; c < KB; c++) {
          p[r][c] = exp2(s[r][c] - mNew);
          sum += p[r][c];
        }
        l[r] = sum;
      }
      for (var d = 0u; d < DH; d++) {
        let vd = vBase + min(d, HD - 1u) * seq;
        var a: array<f32, QPT>;
        for (var r = 0u; r < QPT; r++) { a[r] = acc[r][d] * corr[r]; }
        for (var g = 0u; g < KB / 4u; g++) {
          let vv = keys4(vd, j0 + 4u * g);
          for (var e = 0u; e < 4u; e++) {
            for (var r = 0u; r < QPT; r++) { a[r] += p[r][4u * g + e] * vv[e]; }
          }
        }
        for (var r = 0u; r < QPT; r++) { acc[r][d] = a[r]; }
      }
    }

    let oBase = b * chStride + h * HD * seq;
    for (var r = 0u; r < QPT; r++) {
      let i = first + r * WG;
      if (i < seq) {
        let inv = 1.0 / l[r];
        // Dims past HD accumulated the clamped last dim's values, so their stores rewrite
        // element HD - 1 with its own value: no per-dim branch.
        for (var d = 0u; d < DH; d++) {
          out[oBase + min(d, HD - 1u) * seq + i] = T(acc[r][d] * inv);
        }
        if (STATS == 1u) { stats[((b * params.heads + h) * seq + i) * 2u] = m[r] + log2(l[r]); }
      }
    }
  }
}
