// Shared head of every matmul kernel: bindings, the shape/stride uniform and the fused
// epilogue. The op builds each kernel as operands file + this head + body: the operands file
// (matmul_operands_scalar.wgsl or matmul_operands_vec4.wgsl) declares the element types AElem
// and BElem of the a and b bindings (T, or vec4<T> for vec4 loads) and the quad loaders.
//
// C[b, m, n] = epilogue(sum_k A[b, m, k] * B[b, k, n]), where the operands are addressed
// through element strides, so transposed operands and broadcast batches (batch stride 0)
// need no separate code: A[b, m, k] = a[b * aBatch + m * aStrideM + k * aStrideK].
// C is dense [batch, M, N]; residual has C's layout.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  aStrideM: u32,
  aStrideK: u32,
  bStrideK: u32,
  bStrideN: u32,
  aBatch: u32,
  bBatch: u32,
  // gate-residual: gate[(row / rowsPerGate) * gateStride + gateOffset + col], row = b * M + m
  rowsPerGate: u32,
  gateStride: u32,
  gateOffset: u32,
  // split-K: K elements per split (the last split may be shorter); K when K is not split.
  kSplit: u32,
  // Number of batches (C has batchCount * M rows).
  batchCount: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<AElem>;
@group(0) @binding(2) var<storage, read> b: array<BElem>;
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read> gate: array<T>;
@group(0) @binding(5) var<storage, read> residual: array<T>;
@group(0) @binding(6) var<storage, read_write> out: array<T>;

// 0 none, 1 GELU (tanh approximation), 2 SiLU, 3 gate-residual: residual + gate * x,
// 4 residual: residual + x
override EPILOGUE: u32 = 0;
// Added before the activation / gate: 1 bias[col] (a Linear's), 2 bias[row % M] (a
// channels-first 1x1 conv's per-output-channel bias)
override HAS_BIAS: u32 = 0;

// row = b * M + m (rows of C seen as [batch * M, N]); at = index of C[b, m, col].
fn epilogue(acc: f32, row: u32, col: u32, at: u32) -> f32 {
  var x = acc;
  if (HAS_BIAS == 1u) { x += f32(bias[col]); }
  if (HAS_BIAS == 2u) { x += f32(bias[row % params.M]); }
  switch EPILOGUE {
    case 1u: {
      // tanh(y) via exp(-2|y|) so large |y| saturates instead of overflowing.
      let y = 0.7978845608028654 * (x + 0.044715 * x * x * x);
      let e = exp(-2.0 * abs(y));
      x = 0.5 * x * (1.0 + sign(y) * (1.0 - e) / (1.0 + e));
    }
    case 2u: { x = x / (1.0 + exp(-x)); }
    case 3u: {
      let g = f32(gate[(row / params.rowsPerGate) * params.gateStride + params.gateOffset + col]);
      x = f32(residual[at]) + g * x;
    }
    case 4u: { x = f32(residual[at]) + x; }
    default: {}
  }
  return x;
}
