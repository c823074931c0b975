// Sampling health check: if any x[i] is NaN or ±Inf, first_step = min(first_step, step).
// Dispatched after every step into one u32 that is read back once per run, so the first step
// whose state went bad is known without a per-step read-back.
// The exponent bits are tested instead of `v != v`: WGSL lets compilers assume floats are
// finite and fold such comparisons away. f16 widens to f32 exactly, Inf and NaN included.

struct Params {
  n: u32,
  step: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> first_step: array<atomic<u32>>;

override WG: u32 = 256;

var<workgroup> any_bad: atomic<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  // Grid-stride loop: a few workgroups cover any state size.
  let stride = groups.x * groups.y * WG;
  var bad = false;
  for (var i = (wg.y * groups.x + wg.x) * WG + lane; i < params.n; i += stride) {
    bad = bad | ((bitcast<u32>(f32(x[i])) & 0x7f800000u) == 0x7f800000u);
  }
  if (bad) { atomicOr(&any_bad, 1u); }
  // One global atomic per workgroup at most, not one per invocation.
  if (workgroupUniformLoad(&any_bad) != 0u && lane == 0u) {
    atomicMin(&first_step[0], params.step);
  }
}
