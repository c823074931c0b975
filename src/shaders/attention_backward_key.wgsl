// Attention backward, key side (after attention_backward_query.wgsl, which stored the base-2
// log-sum-exp and Δ_i = Σ_d dO_id O_id of every query in stats [B·H·T, 2]):
//   P_ij = exp2(scale·log2(e) · q_i·k_j - lse_i),  dV_j = Σ_i P_ij dO_i,
//   dK_j = scale · Σ_i P_ij (dO_i·v_j - Δ_i) q_i.
// One invocation per key row j (a workgroup = WG keys of one (batch, head)); every invocation
// of a workgroup reads the same query row at the same time (broadcast loads). No atomics:
// each dk, dv element is written once. DMAX (head-dim bucket) is prepended by the op.

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
@group(0) @binding(3) var<storage, read> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> dqkv: array<T>;

override WG: u32 = 64;
const KB = 8u;
const LOG2E = 1.4426950408889634;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let b = wg.y / params.heads;
  let h = wg.y % params.heads;
  let j = wg.x * WG + lane;
  let kj = min(j, params.seq - 1u);
  let dh = params.headDim;
  let st = params.qkvStrides;
  let os = params.oStrides;
  let scale2 = params.scale * LOG2E;

  var kr = array<f32, DMAX>();
  var vr = array<f32, DMAX>();
  var dk = array<f32, DMAX>();
  var dv = array<f32, DMAX>();
  let head = b * st.x + h * st.y;
  for (var d = 0u; d < dh; d++) {
    kr[d] = f32(qkv[params.offsets.y + head + kj * st.z + d * st.w]) * scale2;
    vr[d] = f32(qkv[params.offsets.z + head + kj * st.z + d * st.w]);
  }
  let qBase = params.offsets.x + head;
  let oBase = params.offsets.w + b * os.x + h * os.y;
  let statBase = wg.y * params.seq;

  for (var i0 = 0u; i0 < params.seq; i0 += KB) {
    var qRow = array<u32, KB>();
    var oRow = array<u32, KB>();
    for (var c = 0u; c < KB; c++) {
      let i = min(i0 + c, params.seq - 1u);
      qRow[c] = qBase + i * st.z;
      oRow[c] = oBase + i * os.z;
    }
    var s = array<f32, KB>();
    var dp = array<f32, KB>();
    for (var d = 0u; d < dh; d++) {
      let kd = kr[d];
      let vd = vr[d];
      for (var c = 0u; c < KB; c++) {
        s[c] += kd * f32(qkv[qRow[c] + d * st.w]);
        dp[c] += vd * f32(dout[oRow[c] + d * os.w]);
      }
    }
    var p = array<f32, KB>();
    var ds = array<f32, KB>();
    for (var c = 0u; c < KB; c++) {
      let i = i0 + c;
      if (i < params.seq) {
        let at = (statBase + i) * 2u;
        p[c] = exp2(s[c] - stats[at]);
        ds[c] = p[c] * (dp[c] - stats[at + 1u]);
      }
    }
    for (var d = 0u; d < dh; d++) {
      var a = dv[d];
      var e = dk[d];
      for (var c = 0u; c < KB; c++) {
        a += p[c] * f32(dout[oRow[c] + d * os.w]);
        e += ds[c] * f32(qkv[qRow[c] + d * st.w]);
      }
      dv[d] = a;
      dk[d] = e;
    }
  }

  if (j < params.seq) {
    let kOut = params.offsets.y + head + j * st.z;
    let vOut = params.offsets.z + head + j * st.z;
    for (var d = 0u; d < dh; d++) {
      dqkv[kOut + d * st.w] = T(dk[d] * params.scale);
      dqkv[vOut + d * st.w] = T(dv[d]);
    }
  }
}
