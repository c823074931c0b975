// GroupNorm statistics of channels-first x [N, C, H·W]: for each (image, group) the mean and
// 1 / sqrt(var + eps) over its C/G channels × H·W pixels, which are one contiguous run of
// `groupSize` elements of x. Written to stats [N·G, 2] in f32 whatever the storage type.
// One workgroup per (image, group). Two passes over the run (sum; then squared deviations from
// the mean) so a large mean does not cancel the variance away, as E[x²] − E[x]² would.
// With PARTIAL, x is one row band of the images and each group writes (count, mean, biased
// variance) of its part, 3 floats at group firstGroup + group, for groupnorm_merge.wgsl.

struct Params {
  groupCount: u32,  // N·G
  groupSize: u32,   // (C / G)·H·W
  eps: f32,
  firstGroup: u32,  // where this band's partials start in stats (PARTIAL only)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;

override WG: u32 = 256;  // a power of two (tree reduction)
override PARTIAL: bool = false;

var<workgroup> partial: array<f32, WG>;

// Sum of `value` over the workgroup; every invocation must call it (it has barriers).
fn workgroupSum(lane: u32, value: f32) -> f32 {
  partial[lane] = value;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) { partial[lane] += partial[lane + half]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();  // partial is reused by the next call
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let group = wg.y * groups.x + wg.x;
  // No early return: every invocation must reach the barriers. Groups past the end read nothing.
  let valid = group < params.groupCount;
  let n = select(0u, params.groupSize, valid);
  let base = group * params.groupSize;

  var sum = 0.0;
  for (var j = lane; j < n; j += WG) { sum += f32(x[base + j]); }
  let mean = workgroupSum(lane, sum) / f32(params.groupSize);

  var squares = 0.0;
  for (var j = lane; j < n; j += WG) {
    let d = f32(x[base + j]) - mean;
    squares += d * d;
  }
  let variance = workgroupSum(lane, squares) / f32(params.groupSize);

  if (valid && lane == 0u) {
    if (PARTIAL) {
      let at = 3u * (params.firstGroup + group);
      stats[at] = f32(params.groupSize);
      stats[at + 1u] = mean;
      stats[at + 2u] = variance;
    } else {
      stats[2u * group] = mean;
      stats[2u * group + 1u] = inverseSqrt(variance + params.eps);
    }
  }
}
