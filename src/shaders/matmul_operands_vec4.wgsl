// Operand access with one 16-byte (f32) or 8-byte (f16) load per quad: A and B are bound as
// arrays of vec4. The op picks this file only when both operands' contiguous dims (K or M for
// A, K or N for B) are multiples of 4, so every quad start is a multiple of 4 and a quad lies
// wholly inside or wholly past the end of its run.
alias AElem = vec4<T>;
alias BElem = vec4<T>;

const QUAD_CLAMP = 4u;

// a[at], ..., a[at + 3] as one load; n (0, or >= 4) says whether the quad exists.
fn quadA(at: u32, n: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), vec4<f32>(a[at / 4u]), n >= 4u);
}

fn quadB(at: u32, n: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), vec4<f32>(b[at / 4u]), n >= 4u);
}
