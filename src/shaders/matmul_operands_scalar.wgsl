// Operand access for matmul kernels that read A and B one element at a time: any layout, any
// size. The op prepends this file (or matmul_operands_vec4.wgsl) before matmul_common.wgsl.
alias AElem = T;
alias BElem = T;

// A quad's start index is clamped to at most this far before the end of its contiguous run,
// so a quad past the end still reads valid addresses (its elements are then masked off).
const QUAD_CLAMP = 1u;

// Four consecutive elements x[at], ..., x[at + 3] of a run along an operand's contiguous dim,
// of which the first n exist (n may be 0); missing ones read as 0. `at` is a valid index, and
// so is at + n - 1. Branch-free: clamped indices and select().
fn quadA(at: u32, n: u32) -> vec4<f32> {
  let last = max(n, 1u) - 1u;
  return vec4<f32>(
    select(0.0, f32(a[at]), n > 0u),
    select(0.0, f32(a[at + min(1u, last)]), n > 1u),
    select(0.0, f32(a[at + min(2u, last)]), n > 2u),
    select(0.0, f32(a[at + min(3u, last)]), n > 3u));
}

fn quadB(at: u32, n: u32) -> vec4<f32> {
  let last = max(n, 1u) - 1u;
  return vec4<f32>(
    select(0.0, f32(b[at]), n > 0u),
    select(0.0, f32(b[at + min(1u, last)]), n > 1u),
    select(0.0, f32(b[at + min(2u, last)]), n > 2u),
    select(0.0, f32(b[at + min(3u, last)]), n > 3u));
}
