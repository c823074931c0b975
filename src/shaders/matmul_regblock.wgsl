// Register-blocked matmul body for CPU adapters: each thread computes a TM x (4*TN4) block of
// C in vec4 accumulators, reading A and B straight from storage (no workgroup memory, no
// barriers). On lavapipe every per-thread load is a gather across the SIMD lanes, and
// gathers, not FMAs, bound the speed: a bigger block means fewer gathers per FMA. Measured
// at 1024^3 on lavapipe: 4x4 ~12 GFLOP/s, 8x8 ~22, 16x16 ~37; beyond 16x16 the compiler
// stops keeping the block in registers and speed collapses.

override TM: u32 = 4;    // rows per thread, <= 16
override TN4: u32 = 1;   // vec4 column groups per thread, <= 4
override WG_X: u32 = 16; // threads along N
override WG_Y: u32 = 4;  // threads along M

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let batch = wg.z;
  let col0 = (wg.x * WG_X + lid.x) * 4u * TN4;
  let row0 = (wg.y * WG_Y + lid.y) * TM;
  if (row0 >= M || col0 >= N) { return; }

  // Edge blocks clamp their rows/columns to the last valid one so the K loop needs no
  // bounds checks; the duplicated results are dropped at the store.
  var aAt: array<u32, 16>;
  for (var i = 0u; i < TM; i++) {
    aAt[i] = batch * params.aBatch + min(row0 + i, M - 1u) * params.aStrideM;
  }
  var bAt: array<vec4<u32>, 4>;
  for (var j = 0u; j < TN4; j++) {
    let cols = min(vec4<u32>(col0 + 4u * j) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(N - 1u));
    bAt[j] = vec4<u32>(batch * params.bBatch) + cols * params.bStrideN;
  }

  // acc[i * TN4 + j] holds row i, columns 4j..4j+3 of the block.
  var acc: array<vec4<f32>, 64>;
  var ak = 0u;
  var bk = 0u;
  for (var k = 0u; k < params.K; k++) {
    var bv: array<vec4<f32>, 4>;
    for (var j = 0u; j < TN4; j++) {
      let at = bAt[j] + vec4<u32>(bk);
      bv[j] = vec4<f32>(f32(b[at.x]), f32(b[at.y]), f32(b[at.z]), f32(b[at.w]));
    }
    for (var i = 0u; i < TM; i++) {
      let av = f32(a[aAt[i] + ak]);
      for (var j = 0u; j < TN4; j++) {
        acc[i * TN4 + j] += av * bv[j];
      }
    }
    ak += params.aStrideK;
    bk += params.bStrideK;
  }

  for (var i = 0u; i < TM; i++) {
    let row = row0 + i;
    if (row >= M) { break; }
    let gRow = batch * M + row;
    for (var j = 0u; j < 4u * TN4; j++) {
      let col = col0 + j;
      if (col >= N) { break; }
      let at = gRow * N + col;
      out[at] = T(epilogue(acc[i * TN4 + j / 4u][j % 4u], gRow, col, at));
    }
  }
}
