// Workgroup-tiled matmul core for GPUs (used by matmul_tiled.wgsl and matmul_splitk.wgsl): a
// 16x16 workgroup computes a 64x64 tile of C, each thread a 4x4 block in four vec4<f32>
// accumulators (f32 for f16 storage too), staging 16-deep K panels of A and B in workgroup
// memory.
//
// Global loads: every thread fetches one quad of A and one of B per panel, four consecutive
// elements along the operand's contiguous dim (K for A = [M, K] and B = [N, K]; M for
// A = [K, M]; N for B = [K, N]): one vec4 load with matmul_operands_vec4.wgsl, four scalar
// loads otherwise. Four neighbouring threads read one contiguous 64-byte run (or 16 threads
// one 256-byte run), so loads coalesce for either layout. The layout is a uniform branch on
// the strides, not a variant.
//
// Panels: As[k][m / 4] and Bs[k][n / 4], vec4 along M and N, so the inner loop reads one vec4
// of each per k (the thread's 4 rows and 4 columns) for 16 FMAs. A K-contiguous quad lands in
// four panel rows at one m: with plain [k][m] rows 64 words apart, the 4 quads of one row's K
// panel would hit one bank. The vec4 column index is XOR-swizzled per group of 4 panel rows
// (slot()), so a warp's 32 scalar stores hit 32 distinct banks; vec4 stores along M/N and the
// inner loop's reads (one panel row, a permutation of its 16 vec4) stay conflict-free.

const TILE = 64u;
const BK = 16u;
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;

// Panel row k (0..BK-1), vec4 column q (0..15) -> slot. The XOR flips bits 1-2 of q by k / 4.
fn slot(k: u32, q: u32) -> u32 {
  return k * 16u + (q ^ ((k >> 1u) & 6u));
}

// Stages A[tileRow.., k0..k0+BK) into As; t = local_invocation_index (0..255).
fn stageA(aBase: u32, tileRow: u32, k0: u32, t: u32) {
  let M = params.M;
  let K = params.K;
  if (params.aStrideK == 1u) {
    // A is K-contiguous: thread t loads row r = t / 4, k = k0 + 4 (t % 4) .. + 3.
    let r = t >> 2u;
    let kq = (t & 3u) * 4u;
    let gm = tileRow + r;
    let gk = k0 + kq;
    let n = select(0u, K - gk, (gk < K) & (gm < M));
    let v = quadA(aBase + min(gm, M - 1u) * params.aStrideM + min(gk, K - QUAD_CLAMP), n);
    let q = r >> 2u;
    let c = r & 3u;
    As[slot(kq, q)][c] = v.x;
    As[slot(kq + 1u, q)][c] = v.y;
    As[slot(kq + 2u, q)][c] = v.z;
    As[slot(kq + 3u, q)][c] = v.w;
  } else {
    // A is M-contiguous ([K, M]): thread t loads k = k0 + t / 16, rows 4 (t % 16) .. + 3.
    let kk = t >> 4u;
    let q = t & 15u;
    let gk = k0 + kk;
    let gm = tileRow + q * 4u;
    let n = select(0u, M - gm, (gk < K) & (gm < M));
    As[slot(kk, q)] = quadA(aBase + min(gk, K - 1u) * params.aStrideK + min(gm, M - QUAD_CLAMP), n);
  }
}

// Stages B[k0..k0+BK), tileCol..) into Bs.
fn stageB(bBase: u32, tileCol: u32, k0: u32, t: u32) {
  let N = params.N;
  let K = params.K;
  if (params.bStrideK == 1u) {
    // B is K-contiguous ([N, K], a Linear weight): thread t loads column r = t / 4, 4 k.
    let r = t >> 2u;
    let kq = (t & 3u) * 4u;
    let gn = tileCol + r;
    let gk = k0 + kq;
    let n = select(0u, K - gk, (gk < K) & (gn < N));
    let v = quadB(bBase + min(gn, N - 1u) * params.bStrideN + min(gk, K - QUAD_CLAMP), n);
    let q = r >> 2u;
    let c = r & 3u;
    Bs[slot(kq, q)][c] = v.x;
    Bs[slot(kq + 1u, q)][c] = v.y;
    Bs[slot(kq + 2u, q)][c] = v.z;
    Bs[slot(kq + 3u, q)][c] = v.w;
  } else {
    // B is N-contiguous ([K, N]): thread t loads k = k0 + t / 16, columns 4 (t % 16) .. + 3.
    let kk = t >> 4u;
    let q = t & 15u;
    let gk = k0 + kk;
    let gn = tileCol + q * 4u;
    let n = select(0u, N - gn, (gk < K) & (gn < N));
    Bs[slot(kk, q)] = quadB(bBase + min(gk, K - 1u) * params.bStrideK + min(gn, N - QUAD_CLAMP), n);
  }
}

// The thread's 4x4 block of op(A) op(B) over k in [kBegin, kEnd) (kBegin a multiple of BK):
// rows tileRow + 4 ty .. + 3, columns tileCol + 4 tx .. + 3; acc[i][j] = row i, column j.
fn tileProduct(batch: u32, tileRow: u32, tileCol: u32, kBegin: u32, kEnd: u32, t: u32, tx: u32, ty: u32) -> array<vec4<f32>, 4> {
  let aBase = batch * params.aBatch;
  let bBase = batch * params.bBatch;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = kBegin; k0 < kEnd; k0 += BK) {
    stageA(aBase, tileRow, k0, t);
    stageB(bBase, tileCol, k0, t);
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let av = As[slot(kk, ty)];
      let bv = Bs[slot(kk, tx)];
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
    workgroupBarrier();
  }
  return array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
}
