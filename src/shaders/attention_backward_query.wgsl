// Attention backward, query side (with attention_backward_key.wgsl). Forward (attention.wgsl):
// P = softmax(scale · Q Kᵀ), O = P V per (batch, head). Backward, with dP = dO Vᵀ and
// Δ_i = Σ_d dO_id O_id = Σ_j P_ij dP_ij:
//   dS = P ⊙ (dP - Δ),  dQ = scale · dS K,  dK = scale · dSᵀ Q,  dV = Pᵀ dO.
// This kernel: each invocation owns QPT query rows (as the forward: lane, lane + WG, ... of the
// workgroup's WG·QPT queries of one (batch, head)), so each key and value load serves QPT rows.
// Pass 1 recomputes the softmax statistics and O_i with the forward's online softmax, giving
// Δ_i and the base-2 log-sum-exp; pass 2 walks the keys again for dQ_i. With FORWARD_STATS the
// forward already stored lse in stats (attention.wgsl with STATS) and its output O is bound as
// `o`: Δ_i = dO_i·O_i directly, and pass 1 is skipped. It stores (lse, Δ) per query in stats
// [B·H·T, 2] for the key-side kernel. No workgroup memory, no atomics.
//
// q, k, v are strided views into qkv (dqkv has the same layout and receives dq, dk, dv at the
// same places); dout (and o, laid out like it) has its own strides. DMAX (head-dim bucket) and QPT
// are prepended by the op; head-dim loops run to DMAX with clamped loads as in attention.wgsl.

struct Params {
  qkvStrides: vec4<u32>,  // (batch, head, token, dim) of q, k and v inside qkv (and dqkv)
  oStrides: vec4<u32>,    // (batch, head, token, dim) of dout
  offsets: vec4<u32>,     // element offsets of q, k, v (in qkv and dqkv) and of dout (and o)
  seq: u32,
  heads: u32,
  headDim: u32,           // <= DMAX
  scale: f32,             // softmax scale (natural units)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<T>;
@group(0) @binding(2) var<storage, read> dout: array<T>;
@group(0) @binding(3) var<storage, read_write> dqkv: array<T>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
// The forward's output, read only with FORWARD_STATS (otherwise qkv stands in).
@group(0) @binding(5) var<storage, read> o: array<T>;

override WG: u32 = 64;
override FORWARD_STATS: u32 = 0;
const KB = 8u;
const NEG_BIG = -3.0e38;
const LOG2E = 1.4426950408889634;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let b = wg.y / params.heads;
  let h = wg.y % params.heads;
  let dh = params.headDim;
  let st = params.qkvStrides;
  let os = params.oStrides;
  let scale2 = params.scale * LOG2E;
  let first = wg.x * WG * QPT + lane;
  let head = b * st.x + h * st.y;
  let kBase = params.offsets.y + head;
  let vBase = params.offsets.z + head;

  var qr: array<array<f32, DMAX>, QPT>;
  var dor: array<array<f32, DMAX>, QPT>;
  var acc = array<array<f32, DMAX>, QPT>();
  var m: array<f32, QPT>;
  var l: array<f32, QPT>;
  for (var r = 0u; r < QPT; r++) {
    // Rows past the last query compute a duplicate row (uniform control flow, shared k and v
    // loads) and store nothing.
    let qi = min(first + r * WG, params.seq - 1u);
    let qBase = params.offsets.x + head + qi * st.z;
    let oBase = params.offsets.w + b * os.x + h * os.y + qi * os.z;
    for (var d = 0u; d < DMAX; d++) {
      let inside = d < dh;
      let dd = min(d, dh - 1u);
      qr[r][d] = select(0.0, f32(qkv[qBase + dd * st.w]) * scale2, inside);
      dor[r][d] = select(0.0, f32(dout[oBase + dd * os.w]), inside);
    }
    m[r] = NEG_BIG;
    l[r] = 0.0;
  }

  var delta: array<f32, QPT>;
  var lse: array<f32, QPT>;
  if (FORWARD_STATS == 1u) {
    for (var r = 0u; r < QPT; r++) {
      let qi = min(first + r * WG, params.seq - 1u);
      let oBase = params.offsets.w + b * os.x + h * os.y + qi * os.z;
      var dsum = 0.0;
      for (var d = 0u; d < DMAX; d++) {
        dsum += dor[r][d] * f32(o[oBase + min(d, dh - 1u) * os.w]);
      }
      delta[r] = dsum;
      lse[r] = stats[(wg.y * params.seq + qi) * 2u];
    }
  } else {
    // Pass 1: online softmax (base 2) and O_i, as the forward.
    for (var j0 = 0u; j0 < params.seq; j0 += KB) {
      var kRow = array<u32, KB>();
      var vRow = array<u32, KB>();
      for (var c = 0u; c < KB; c++) {
        let j = min(j0 + c, params.seq - 1u);
        kRow[c] = kBase + j * st.z;
        vRow[c] = vBase + j * st.z;
      }
      var s = array<array<f32, KB>, QPT>();
      for (var d = 0u; d < DMAX; d++) {
        let dd = min(d, dh - 1u) * st.w;
        for (var c = 0u; c < KB; c++) {
          let kv = f32(qkv[kRow[c] + dd]);
          for (var r = 0u; r < QPT; r++) { s[r][c] += qr[r][d] * kv; }
        }
      }
      var p = array<array<f32, KB>, QPT>();
      var corr: array<f32, QPT>;
      for (var r = 0u; r < QPT; r++) {
        var mNew = m[r];
        for (var c = 0u; c < KB; c++) {
          s[r][c] = select(s[r][c], NEG_BIG, j0 + c >= params.seq);
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
        let dd = min(d, dh - 1u) * st.w;
        var a: array<f32, QPT>;
        for (var r = 0u; r < QPT; r++) { a[r] = acc[r][d] * corr[r]; }
        for (var c = 0u; c < KB; c++) {
          let vv = f32(qkv[vRow[c] + dd]);
          for (var r = 0u; r < QPT; r++) { a[r] += p[r][c] * vv; }
        }
        for (var r = 0u; r < QPT; r++) { acc[r][d] = a[r]; }
      }
    }
    for (var r = 0u; r < QPT; r++) {
      let inv = 1.0 / l[r];
      var dsum = 0.0;
      for (var d = 0u; d < DMAX; d++) {
        dsum += dor[r][d] * acc[r][d] * inv;
        acc[r][d] = 0.0;   // reused for dQ
      }
      delta[r] = dsum;
      lse[r] = m[r] + log2(l[r]);
    }
  }

  // Pass 2: dQ_i = scale · Σ_j P_ij (dP_ij - Δ_i) K_j.
  for (var j0 = 0u; j0 < params.seq; j0 += KB) {
    var kRow = array<u32, KB>();
    var vRow = array<u32, KB>();
    for (var c = 0u; c < KB; c++) {
      let j = min(j0 + c, params.seq - 1u);
      kRow[c] = kBase + j * st.z;
      vRow[c] = vBase + j * st.z;
    }
    var s = array<array<f32, KB>, QPT>();
    var dp = array<array<f32, KB>, QPT>();
    for (var d = 0u; d < DMAX; d++) {
      let dd = min(d, dh - 1u) * st.w;
      for (var c = 0u; c < KB; c++) {
        let kv = f32(qkv[kRow[c] + dd]);
        let vv = f32(qkv[vRow[c] + dd]);
        for (var r = 0u; r < QPT; r++) {
          s[r][c] += qr[r][d] * kv;
          dp[r][c] += dor[r][d] * vv;
        }
      }
    }
    var ds = array<array<f32, KB>, QPT>();
    for (var r = 0u; r < QPT; r++) {
      for (var c = 0u; c < KB; c++) {
        ds[r][c] = select(exp2(s[r][c] - lse[r]) * (dp[r][c] - delta[r]), 0.0, j0 + c >= params.seq);
      }
    }
    for (var d = 0u; d < DMAX; d++) {
      let dd = min(d, dh - 1u) * st.w;
      var a: array<f32, QPT>;
      for (var r = 0u; r < QPT; r++) { a[r] = acc[r][d]; }
      for (var c = 0u; c < KB; c++) {
        let kv = f32(qkv[kRow[c] + dd]);
        for (var r = 0u; r < QPT; r++) { a[r] += ds[r][c] * kv; }
      }
      for (var r = 0u; r < QPT; r++) { acc[r][d] = a[r]; }
    }
  }

  for (var r = 0u; r < QPT; r++) {
    let i = first + r * WG;
    if (i < params.seq) {
      // Dims past headDim hold the clamped last dim's values (see attention.wgsl): no per-dim branch.
      let dqBase = params.offsets.x + head + i * st.z;
      for (var d = 0u; d < DMAX; d++) {
        dqkv[dqBase + min(d, dh - 1u) * st.w] = T(acc[r][d] * params.scale);
      }
      let at = (wg.y * params.seq + i) * 2u;
      stats[at] = lse[r];
      stats[at + 1u] = delta[r];
    }
  }
}
