/** Plain-TS f64 reference for the matmul kernels and their epilogues (independent of the WGSL). */
import { geluTanh, silu } from './elementwise.js';

export interface MatmulRefArgs {
  /** [batchA or 1, M, K] (or [.., K, M] with transA), flattened. */
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  M: number;
  N: number;
  K: number;
  batch: number;
  /** False: that operand is a single matrix shared by every batch. */
  aBatched?: boolean;
  bBatched?: boolean;
  transA?: boolean;
  transB?: boolean;
  bias?: ArrayLike<number>;
  /** 'col' (default): bias[n]; 'row': bias[m] (per output row within a batch). */
  biasAxis?: 'col' | 'row';
  epilogue?: 'none' | 'bias' | 'gelu' | 'silu' | 'gate-residual' | 'residual';
  gate?: { data: ArrayLike<number>; rowsPerGate: number; stride: number; offset: number };
  residual?: ArrayLike<number>;
}

/** C[b, m, n] = epilogue(sum_k A[b, m, k] B[b, k, n]) in f64, dense [batch, M, N]. */
export function matmulRef(r: MatmulRefArgs): Float64Array {
  const { M, N, K, batch } = r;
  const out = new Float64Array(batch * M * N);
  for (let bi = 0; bi < batch; bi++) {
    const aOff = r.aBatched === false ? 0 : bi * M * K;
    const bOff = r.bBatched === false ? 0 : bi * K * N;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const av = r.a[aOff + (r.transA ? k * M + m : m * K + k)];
          const bv = r.b[bOff + (r.transB ? n * K + k : k * N + n)];
          acc += av * bv;
        }
        const row = bi * M + m;
        const at = row * N + n;
        out[at] = epilogueRef(acc, row, n, at, r);
      }
    }
  }
  return out;
}

function epilogueRef(acc: number, row: number, col: number, at: number, r: MatmulRefArgs): number {
  const x = r.bias ? acc + r.bias[r.biasAxis === 'row' ? row % r.M : col] : acc;
  switch (r.epilogue ?? 'none') {
    case 'residual': return r.residual![at] + x;
    case 'gelu': return geluTanh(x);
    case 'silu': return silu(x);
    case 'gate-residual': {
      const g = r.gate!;
      return r.residual![at] + g.data[Math.floor(row / g.rowsPerGate) * g.stride + g.offset + col] * x;
    }
    default: return x;
  }
}
