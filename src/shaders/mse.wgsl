// Mean-squared-error loss and its gradient in one pass over pred and target (n elements):
// grad[i] = gradScale · (pred[i] - target[i]) with gradScale = scale · 2 / n, and partial sums
// of (pred - target)² per invocation: invocation t sums elements t, t + threads, ... (fixed
// order, no atomics). The op sums the partials with reduce.wgsl (alpha = 1 / n).

struct Params {
  n: u32,
  threads: u32,
  gradScale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> pred: array<T>;
@group(0) @binding(2) var<storage, read> targets: array<T>;
@group(0) @binding(3) var<storage, read_write> grad: array<T>;
@group(0) @binding(4) var<storage, read_write> partial: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let t = (wg.y * groups.x + wg.x) * WG + lane;
  if (t >= params.threads) { return; }
  var acc = 0.0;
  for (var i = t; i < params.n; i += params.threads) {
    let d = f32(pred[i]) - f32(targets[i]);
    grad[i] = T(params.gradScale * d);
    acc += d * d;
  }
  partial[t] = T(acc);
}
