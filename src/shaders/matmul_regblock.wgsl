// Register-blocked matmul body for CPU adapters: each thread computes a 4x4 block of C in
// four vec4 accumulators, reading A and B straight from storage (no workgroup memory, no
// barriers: on lavapipe/SwiftShader barriers cost more than the reuse they buy).
// Lanes run along N so the four A values a thread reads are the same for neighbouring
// lanes (uniform loads on SIMD-over-invocations drivers).

override WG_X: u32 = 16;  // threads along N, 4 columns each
override WG_Y: u32 = 4;   // threads along M, 4 rows each

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let batch = wg.z;
  let col0 = (wg.x * WG_X + lid.x) * 4u;
  let row0 = (wg.y * WG_Y + lid.y) * 4u;
  if (row0 >= M || col0 >= N) { return; }

  // Edge blocks clamp their rows/columns to the last valid one so the K loop needs no
  // bounds checks; the duplicated results are dropped at the store.
  let rows = min(vec4<u32>(row0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(M - 1u));
  let cols = min(vec4<u32>(col0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(N - 1u));
  var aAt = vec4<u32>(batch * params.aBatch) + rows * params.aStrideM;
  var bAt = vec4<u32>(batch * params.bBatch) + cols * params.bStrideN;
  let aStep = vec4<u32>(params.aStrideK);
  let bStep = vec4<u32>(params.bStrideK);

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < params.K; k++) {
    let bv = vec4<f32>(f32(b[bAt.x]), f32(b[bAt.y]), f32(b[bAt.z]), f32(b[bAt.w]));
    acc0 += f32(a[aAt.x]) * bv;
    acc1 += f32(a[aAt.y]) * bv;
    acc2 += f32(a[aAt.z]) * bv;
    acc3 += f32(a[aAt.w]) * bv;
    aAt += aStep;
    bAt += bStep;
  }

  let acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
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
