// Embedding gather: out[n, :] = table[ids[n], :], table [V, D], ids [N] (i32), out [N, D].
// Host ids are range-checked by the op; ids that arrive in a tensor cannot be, so an
// out-of-range id yields a row of NaN (poison that shows up downstream) instead of a
// clamped or zero row that would pass unnoticed.

struct Params {
  rows: u32,      // V
  dim: u32,       // D
  total: u32,     // N * D
  nanBits: u32,   // 0x7fc00000; a uniform because WGSL rejects NaN constants
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> table: array<T>;
@group(0) @binding(2) var<storage, read> ids: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.total) { return; }
  let id = ids[i / params.dim];
  if (id < 0 || u32(id) >= params.rows) {
    out[i] = T(bitcast<f32>(params.nanBits));
    return;
  }
  out[i] = table[u32(id) * params.dim + i % params.dim];
}
