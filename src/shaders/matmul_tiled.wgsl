// Workgroup-tiled matmul body for GPUs (after matmul_tiled_core.wgsl): one 64x64 tile of C per
// workgroup over all of K, then the fused epilogue per element.

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let M = params.M;
  let N = params.N;
  let batch = wg.z;
  let acc = tileProduct(batch, wg.y * TILE, wg.x * TILE, 0u, params.K, lane, lid.x, lid.y);

  let row0 = wg.y * TILE + lid.y * 4u;
  let col0 = wg.x * TILE + lid.x * 4u;
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= M) { break; }
    let gRow = batch * M + row;
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= N) { break; }
      let at = gRow * N + col;
      out[at] = T(epilogue(acc[i][j], gRow, col, at));
    }
  }
}
