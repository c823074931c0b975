// Attention backward, key side (after attention_backward_query.wgsl, which stored the base-2
// log-sum-exp and Δ_i = Σ_d dO_id O_id of every query in stats [B·H·T, 2]):
//   P_ij = exp2(scale·log2(e) · q_i·k_j - lse_i),  dV_j = Σ_i P_ij dO_i,
//   dK_j = scale · Σ_i P_ij (dO_i·v_j - Δ_i) q_i.
// Each invocation owns QPT key rows (lane, lane + WG, ... of the workgroup's WG·QPT keys of one
// (batch, head)); every invocation of a workgroup reads the same query row at the same time and
// uses it for its QPT keys. No atomics: each dk, dv element is written once. DMAX (head-dim
// bucket) and QPT are prepended by the op; head-dim loops run to DMAX with clamped loads as in
// attention.wgsl.

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
  let dh = params.headDim;
  let st = params.qkvStrides;
  let os = params.oStrides;
  let scale2 = params.scale * LOG2E;
  let first = wg.x * WG * QPT + lane;
  let head = b * st.x + h * st.y;

  var kr: array<array<f32, DMAX>, QPT>;
  var vr: array<array<f32, DMAX>, QPT>;
  var dk = array<array<f32, DMAX>, QPT>();
  var dv = array<array<f32, DMAX>, QPT>();
  for (var r = 0u; r < QPT; r++) {
    let kj = min(first + r * WG, params.seq - 1u);
    for (var d = 0u; d < DMAX; d++) {
      let inside = d < dh;
      let dd = min(d, dh - 1u) * st.w;
      kr[r][d] = select(0.0, f32(qkv[params.offsets.y + head + kj * st.z + dd]) * scale2, inside);
      vr[r][d] = select(0.0, f32(qkv[params.offsets.z + head + kj * st.z + dd]), inside);
    }
  }
  let qBase = params.offsets.x + head;
  let oBase = params.offsets.w + b * os.x + h * os.y;
  let statBase = wg.y * params.seq;

  for (var i0 = 0u; i0 < params.seq; i0 += KB) {
    var qRow = array<u32, KB>();
    var oRow = array<u32, KB>();
    var lse = array<f32, KB>();
    var delta = array<f32, KB>();
    for (var c = 0u; c < KB; c++) {
      let i = min(i0 + c, params.seq - 1u);
      qRow[c] = qBase + i * st.z;
      oRow[c] = oBase + i * os.z;
      lse[c] = stats[(statBase + i) * 2u];
      delta[c] = stats[(statBase + i) * 2u + 1u];
    }
    var s = array<array<f32, KB>, QPT>();
    var dp = array<array<f32, KB>, QPT>();
    for (var d = 0u; d < DMAX; d++) {
      let qd = min(d, dh - 1u) * st.w;
      let od = min(d, dh - 1u) * os.w;
      for (var c = 0u; c < KB; c++) {
        let qv = f32(qkv[qRow[c] + qd]);
        let ov = f32(dout[oRow[c] + od]);
        for (var r = 0u; r < QPT; r++) {
          s[r][c] += kr[r][d] * qv;
          dp[r][c] += vr[r][d] * ov;
        }
      }
    }
    var p = array<array<f32, KB>, QPT>();
    var ds = array<array<f32, KB>, QPT>();
    for (var r = 0u; r < QPT; r++) {
      for (var c = 0u; c < KB; c++) {
        // Queries past the end (last chunk only) re-read the last query and get weight 0.
        let inside = i0 + c < params.seq;
        p[r][c] = select(0.0, exp2(s[r][c] - lse[c]), inside);
        ds[r][c] = select(0.0, p[r][c] * (dp[r][c] - delta[c]), inside);
      }
    }
    for (var d = 0u; d < DMAX; d++) {
      let qd = min(d, dh - 1u) * st.w;
      let od = min(d, dh - 1u) * os.w;
      var a: array<f32, QPT>;
      var e: array<f32, QPT>;
      for (var r = 0u; r < QPT; r++) {
        a[r] = dv[r][d];
        e[r] = dk[r][d];
      }
      for (var c = 0u; c < KB; c++) {
        let ov = f32(dout[oRow[c] + od]);
        let qv = f32(qkv[qRow[c] + qd]);
        for (var r = 0u; r < QPT; r++) {
          a[r] += p[r][c] * ov;
          e[r] += ds[r][c] * qv;
        }
      }
      for (var r = 0u; r < QPT; r++) {
        dv[r][d] = a[r];
        dk[r][d] = e[r];
      }
    }
  }

  for (var r = 0u; r < QPT; r++) {
    let j = first + r * WG;
    if (j < params.seq) {
      // Dims past headDim hold the clamped last dim's values (see attention.wgsl): no per-dim branch.
      let kOut = params.offsets.y + head + j * st.z;
      let vOut = params.offsets.z + head + j * st.z;
      for (var d = 0u; d < DMAX; d++) {
        let dd = min(d, dh - 1u) * st.w;
        dqkv[kOut + dd] = T(dk[r][d] * params.scale);
        dqkv[vOut + dd] = T(dv[r][d]);
      }
    }
  }
}
