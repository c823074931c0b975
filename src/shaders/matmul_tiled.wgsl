// Workgroup-tiled matmul body for GPUs: a 16x16 workgroup computes a 64x64 tile of C, each
// thread a 4x4 block, staging 64x16 panels of A and B in workgroup memory (f32) per K step.
// Panel loads are mapped so that neighbouring threads read neighbouring addresses for
// either operand layout (transposed or not): coalesced on GPUs.

const BK = 16u;
// [BK][64] panels stored as vec4 along M (As) and N (Bs).
var<workgroup> As: array<vec4<f32>, 256>;
var<workgroup> Bs: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let batch = wg.z;
  let tileRow = wg.y * 64u;
  let tileCol = wg.x * 64u;
  let aBase = batch * params.aBatch;
  let bBase = batch * params.bBatch;
  let aContigK = params.aStrideK == 1u;
  let bContigN = params.bStrideN == 1u;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < K; k0 += BK) {
    for (var i = 0u; i < 4u; i++) {
      let e = lane + i * 256u;
      // A panel element (m, kk): walk k fastest when A is K-contiguous, else m.
      let am = select(e % 64u, e / BK, aContigK);
      let ak = select(e / 64u, e % BK, aContigK);
      let gm = tileRow + am;
      let gk = k0 + ak;
      var av = 0.0;
      if (gm < M && gk < K) { av = f32(a[aBase + gm * params.aStrideM + gk * params.aStrideK]); }
      As[ak * 16u + am / 4u][am % 4u] = av;
      // B panel element (kk, n): walk n fastest when B is N-contiguous, else k.
      let bn = select(e / BK, e % 64u, bContigN);
      let bk = select(e % BK, e / 64u, bContigN);
      let gn = tileCol + bn;
      let gk2 = k0 + bk;
      var bv = 0.0;
      if (gn < N && gk2 < K) { bv = f32(b[bBase + gk2 * params.bStrideK + gn * params.bStrideN]); }
      Bs[bk * 16u + bn / 4u][bn % 4u] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let av = As[kk * 16u + lid.y];
      let bv = Bs[kk * 16u + lid.x];
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
    workgroupBarrier();
  }

  let acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  let row0 = tileRow + lid.y * 4u;
  let col0 = tileCol + lid.x * 4u;
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
