// Copies a contiguous run of elements between tensors: dst[dstOffset + i] = src[srcOffset + i].
// Used to build batches (concat along the first dimension) and to slice them.

struct Params {
  count: u32,
  srcOffset: u32,
  dstOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<T>;
@group(0) @binding(2) var<storage, read_write> dst: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.count) { return; }
  dst[params.dstOffset + i] = src[params.srcOffset + i];
}
