// GroupNorm statistics of images held as row bands: merges each group's per-band partials
// (count, mean, biased variance; groupnorm_stats.wgsl with PARTIAL) into the mean and
// 1 / sqrt(var + eps) of the whole image, the stats layout groupnorm.wgsl reads. Chan et al.'s
// pairwise update: M2 += M2_b + δ²·n·n_b / (n + n_b), δ = mean_b − mean, so no band's sums
// cancel against another's.

struct Params {
  groupCount: u32,  // N·G
  bands: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;  // [bands, groupCount, 3]
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;  // [groupCount, 2]

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let group = (wg.y * groups.x + wg.x) * WG + lane;
  if (group >= params.groupCount) { return; }
  var count = 0.0;
  var mean = 0.0;
  var m2 = 0.0;
  for (var b = 0u; b < params.bands; b++) {
    let at = 3u * (b * params.groupCount + group);
    let n = partials[at];
    let delta = partials[at + 1u] - mean;
    let total = count + n;
    mean += delta * (n / total);
    m2 += partials[at + 2u] * n + delta * delta * (count * n / total);
    count = total;
  }
  stats[2u * group] = mean;
  stats[2u * group + 1u] = inverseSqrt(m2 / count + params.eps);
}
