// Split-K partial body (after matmul_tiled_core.wgsl): for K much larger than M and N, too
// few 64x64 tiles fill a GPU, so the K range is cut into S = ceil(K / kSplit) splits and
// workgroup z = batch * S + split computes one tile over one split. Partial sums go, in f32
// and without the epilogue, to partial[split, batch * M + row, col]; matmul_splitk_reduce.wgsl
// adds the splits and applies the epilogue. `out` is bound but not written here.

@group(0) @binding(7) var<storage, read_write> partial: array<f32>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let M = params.M;
  let N = params.N;
  let splits = max((params.K + params.kSplit - 1u) / params.kSplit, 1u);
  let batch = wg.z / splits;
  let split = wg.z % splits;
  let rows = params.batchCount * M;
  let kBegin = split * params.kSplit;
  let kEnd = min(kBegin + params.kSplit, params.K);
  let acc = tileProduct(batch, wg.y * TILE, wg.x * TILE, kBegin, kEnd, lane, lid.x, lid.y);

  let row0 = wg.y * TILE + lid.y * 4u;
  let col0 = wg.x * TILE + lid.x * 4u;
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= M) { break; }
    let at = (split * rows + batch * M + row) * N;
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= N) { break; }
      partial[at + col] = acc[i][j];
    }
  }
}
