// In-place accumulation: into[i] += x[i] (e.g. one chain link's parameter gradients added into
// the step's gradient arena in one pass).

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> into: array<T>;
@group(0) @binding(2) var<storage, read> x: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.n) { return; }
  into[i] = T(f32(into[i]) + f32(x[i]));
}
