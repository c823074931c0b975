// Strided row copy: dst[dstOffset + r·dstStride + c] = src[srcOffset + r·srcStride + c] for
// r < rows, c < inner. One row is a plain copy of a run; rows with strides concatenate or slice
// along a middle dimension (e.g. channels of [B, C, H, W]) in one dispatch.

struct Params {
  rows: u32,
  inner: u32,
  srcStride: u32,
  srcOffset: u32,
  dstStride: u32,
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
  if (i >= params.rows * params.inner) { return; }
  let r = i / params.inner;
  let c = i - r * params.inner;
  dst[params.dstOffset + r * params.dstStride + c] = src[params.srcOffset + r * params.srcStride + c];
}
