// Embedding backward: dtable[r, d] = Σ over n with ids[n] == r of dy[n, d]; ids [N] (i32),
// dy [N, D], dtable [rows, D]. One invocation per (row, d) scanning all ids in order: every
// row is written (zeros for unused ones), deterministic, no atomics. Ids outside 0..rows-1
// match no row and contribute nothing.

struct Params {
  rows: u32,
  dim: u32,
  count: u32,   // N
  total: u32,   // rows * dim
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
@group(0) @binding(3) var<storage, read_write> dtable: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.total) { return; }
  let r = i32(i / params.dim);
  let d = i % params.dim;
  var acc = 0.0;
  for (var n = 0u; n < params.count; n++) {
    if (ids[n] == r) { acc += f32(dy[n * params.dim + d]); }
  }
  dtable[i] = T(acc);
}
