// Naive matmul body: one output per thread, straight from global memory. Kept as the
// benchmark baseline and as a simple cross-check of the fast kernels.

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col = gid.x;
  let row = gid.y;
  let batch = gid.z;
  if (row >= params.M || col >= params.N) { return; }
  let aBase = batch * params.aBatch + row * params.aStrideM;
  let bBase = batch * params.bBatch + col * params.bStrideN;
  var acc = 0.0;
  for (var k = 0u; k < params.K; k++) {
    acc += f32(a[aBase + k * params.aStrideK]) * f32(b[bBase + k * params.bStrideK]);
  }
  let at = (batch * params.M + row) * params.N + col;
  out[at] = T(epilogue(acc, batch * params.M + row, col, at));
}
