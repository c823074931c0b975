// GEMV body for small M (a batch of token vectors times a Linear weight: SiT's adaLN and
// time-embedding Linears, M = batch <= 8): C = A [M, K] (K-contiguous) . B, with B stored
// [N, K] (transB, K-contiguous). A 64x64 tile would leave most of its rows empty, and the cost
// is reading B once, so the work is split along K instead of M:
//  - a workgroup of 256 threads owns 32 output columns and ROWS rows of C (workgroup y steps
//    through M in blocks of ROWS; z is the batch);
//  - 8 consecutive threads share a column and split K: thread kl reads quads
//    k = 4 kl + 32 i, so the 8 threads read 128 contiguous bytes of the weight row per step
//    and a warp four such runs (coalesced), with one vec4 load per quad when K % 4 == 0
//    (matmul_operands_vec4.wgsl), and multiply each by the same quad of the ROWS rows of A;
//  - the 8 partial sums of each (row, column) are added in workgroup memory (one barrier),
//    and the epilogue runs once per output.
// Accumulation is f32 for f16 storage too.

// Rows of C per workgroup: 4 or 8 (the host picks the smallest that covers M <= 8).
override ROWS: u32 = 4;
const COLS = 32u;
const KL = 8u;
// red[kl * RED_STRIDE + r * COLS + c]: the padding keeps a warp's stores on distinct banks.
const RED_STRIDE = 260u;
var<workgroup> red: array<f32, 2080>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let batch = wg.z;
  let kl = lane % KL;
  let c = lane / KL;
  let row0 = wg.y * ROWS;
  // Columns and rows past the edge are clamped to the last one; their sums are dropped.
  let bRow = batch * params.bBatch + min(wg.x * COLS + c, N - 1u) * params.bStrideN;
  var aRow: array<u32, 8>;
  for (var r = 0u; r < ROWS; r++) {
    aRow[r] = batch * params.aBatch + min(row0 + r, M - 1u) * params.aStrideM;
  }
  var acc: array<f32, 8>;
  for (var k0 = 0u; k0 < K; k0 += 4u * KL) {
    let k = k0 + 4u * kl;
    let n = select(0u, K - k, k < K);
    let kc = min(k, K - QUAD_CLAMP);
    let w = quadB(bRow + kc, n);
    for (var r = 0u; r < ROWS; r++) {
      acc[r] += dot(quadA(aRow[r] + kc, n), w);
    }
  }
  for (var r = 0u; r < ROWS; r++) {
    red[kl * RED_STRIDE + r * COLS + c] = acc[r];
  }
  workgroupBarrier();

  // Thread o < ROWS * 32 finishes output (row0 + o / 32, column o % 32).
  if (lane >= ROWS * COLS) { return; }
  let r = lane / COLS;
  let cc = lane % COLS;
  var s = 0.0;
  for (var j = 0u; j < KL; j++) {
    s += red[j * RED_STRIDE + r * COLS + cc];
  }
  let row = row0 + r;
  let col = wg.x * COLS + cc;
  if (row >= M || col >= N) { return; }
  let gRow = batch * M + row;
  let at = gRow * N + col;
  out[at] = T(epilogue(s, gRow, col, at));
}
