// out = x − h[b]·(v + Σ_k w_k·deltas[k]): the Gauss–Legendre step with v_k = v + Δ_k (Σ w_k = 1).
struct Params {
  n: u32,
  perImage: u32,
  nodes: u32,
  weights: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> v: array<T>;
@group(0) @binding(3) var<storage, read> deltas: array<T>;
@group(0) @binding(4) var<storage, read> h: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.n) { return; }
  var acc = f32(v[i]);
  for (var k = 0u; k < params.nodes; k++) {
    acc += params.weights[k] * f32(deltas[k * params.n + i]);
  }
  out[i] = T(f32(x[i]) - f32(h[i / params.perImage]) * acc);
}
