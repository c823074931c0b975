// Attention backward, query side (with attention_backward_key.wgsl). Forward (attention.wgsl):
// P = softmax(scale · Q Kᵀ), O = P V per (batch, head). Backward, with dP = dO Vᵀ and
// Δ_i = Σ_d dO_id O_id = Σ_j P_ij dP_ij:
//   dS = P ⊙ (dP - Δ),  dQ = scale · dS K,  dK = scale · dSᵀ Q,  dV = Pᵀ dO.
// This kernel: one invocation per query row i (a workgroup = WG queries of one (batch, head)).
// Pass 1 recomputes the softmax statistics and O_i with the forward's online softmax, giving
// Δ_i and the base-2 log-sum-exp; pass 2 walks the keys again for dQ_i. It stores (lse, Δ) per
// query in stats [B·H·T, 2] for the key-side kernel. No workgroup memory, no atomics.
//
// q, k, v are strided views into qkv (dqkv has the same layout and receives dq, dk, dv at the
// same places); dout has its own strides. DMAX (head-dim bucket) is prepended by the op.

struct Params {
  qkvStrides: vec4<u32>,  // (batch, head, token, dim) of q, k and v inside qkv (and dqkv)
  oStrides: vec4<u32>,    // (batch, head, token, dim) of dout
  offsets: vec4<u32>,     // element offsets of q, k, v (in qkv and dqkv) and of dout
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

override WG: u32 = 64;
const KB = 8u;
const NEG_BIG = -3.0e38;
const LOG2E = 1.4426950408889634;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let b = wg.y / params.heads;
  let h = wg.y % params.heads;
  let i = wg.x * WG + lane;
  // Invocations past the last query compute a duplicate row (uniform control flow, scalar
  // broadcast loads of k and v on CPU adapters) and store nothing.
  let qi = min(i, params.seq - 1u);
  let dh = params.headDim;
  let st = params.qkvStrides;
  let os = params.oStrides;
  let scale2 = params.scale * LOG2E;

  var qr = array<f32, DMAX>();
  var dor = array<f32, DMAX>();
  var acc = array<f32, DMAX>();
  let head = b * st.x + h * st.y;
  let qBase = params.offsets.x + head + qi * st.z;
  let oBase = params.offsets.w + b * os.x + h * os.y + qi * os.z;
  for (var d = 0u; d < dh; d++) {
    qr[d] = f32(qkv[qBase + d * st.w]) * scale2;
    dor[d] = f32(dout[oBase + d * os.w]);
  }
  let kBase = params.offsets.y + head;
  let vBase = params.offsets.z + head;

  // Pass 1: online softmax (base 2) and O_i, as the forward.
  var m = NEG_BIG;
  var l = 0.0;
  for (var j0 = 0u; j0 < params.seq; j0 += KB) {
    var kRow = array<u32, KB>();
    var vRow = array<u32, KB>();
    for (var c = 0u; c < KB; c++) {
      let j = min(j0 + c, params.seq - 1u);
      kRow[c] = kBase + j * st.z;
      vRow[c] = vBase + j * st.z;
    }
    var s = array<f32, KB>();
    for (var d = 0u; d < dh; d++) {
      let qd = qr[d];
      for (var c = 0u; c < KB; c++) { s[c] += qd * f32(qkv[kRow[c] + d * st.w]); }
    }
    var mNew = m;
    for (var c = 0u; c < KB; c++) {
      if (j0 + c >= params.seq) { s[c] = NEG_BIG; }
      mNew = max(mNew, s[c]);
    }
    let corr = exp2(m - mNew);
    m = mNew;
    l *= corr;
    var p = array<f32, KB>();
    for (var c = 0u; c < KB; c++) {
      p[c] = exp2(s[c] - m);
      l += p[c];
    }
    for (var d = 0u; d < dh; d++) {
      var a = acc[d] * corr;
      for (var c = 0u; c < KB; c++) { a += p[c] * f32(qkv[vRow[c] + d * st.w]); }
      acc[d] = a;
    }
  }
  let inv = 1.0 / l;
  var delta = 0.0;
  for (var d = 0u; d < dh; d++) {
    delta += dor[d] * acc[d] * inv;
    acc[d] = 0.0;   // reused for dQ
  }
  let lse = m + log2(l);

  // Pass 2: dQ_i = scale · Σ_j P_ij (dP_ij - Δ_i) K_j.
  for (var j0 = 0u; j0 < params.seq; j0 += KB) {
    var kRow = array<u32, KB>();
    var vRow = array<u32, KB>();
    for (var c = 0u; c < KB; c++) {
      let j = min(j0 + c, params.seq - 1u);
      kRow[c] = kBase + j * st.z;
      vRow[c] = vBase + j * st.z;
    }
    var s = array<f32, KB>();
    var dp = array<f32, KB>();
    for (var d = 0u; d < dh; d++) {
      let qd = qr[d];
      let od = dor[d];
      for (var c = 0u; c < KB; c++) {
        s[c] += qd * f32(qkv[kRow[c] + d * st.w]);
        dp[c] += od * f32(qkv[vRow[c] + d * st.w]);
      }
    }
    var ds = array<f32, KB>();
    for (var c = 0u; c < KB; c++) {
      if (j0 + c < params.seq) { ds[c] = exp2(s[c] - lse) * (dp[c] - delta); }
    }
    for (var d = 0u; d < dh; d++) {
      var a = acc[d];
      for (var c = 0u; c < KB; c++) { a += ds[c] * f32(qkv[kRow[c] + d * st.w]); }
      acc[d] = a;
    }
  }

  if (i < params.seq) {
    let dqBase = params.offsets.x + head + i * st.z;
    for (var d = 0u; d < dh; d++) {
      dqkv[dqBase + d * st.w] = T(acc[d] * params.scale);
    }
    let at = (wg.y * params.seq + i) * 2u;
    stats[at] = lse;
    stats[at + 1u] = delta;
  }
}
