// Mean-squared-error loss of each of `groups` consecutive runs of groupSize elements (one
// group: the whole tensor) and its gradient, in one pass over pred and target:
// grad[i] = gradScale · (pred[i] - target[i]) with gradScale = scale · 2 / groupSize, and
// partial sums of (pred - target)² per invocation: invocation t works for group
// g = t / threadsPerGroup and sums its elements j, j + threadsPerGroup, ... with
// j = t % threadsPerGroup (fixed order, no atomics). The op sums each group's partials with
// reduce.wgsl (alpha = 1 / groupSize).

struct Params {
  groupSize: u32,
  threadsPerGroup: u32,
  threads: u32,       // groups · threadsPerGroup
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
  let g = t / params.threadsPerGroup;
  let base = g * params.groupSize;
  var acc = 0.0;
  for (var j = t - g * params.threadsPerGroup; j < params.groupSize; j += params.threadsPerGroup) {
    let i = base + j;
    let d = f32(pred[i]) - f32(targets[i]);
    grad[i] = T(params.gradScale * d);
    acc += d * d;
  }
  partial[t] = T(acc);
}
