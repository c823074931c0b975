// Shared by the fused SideNet convolutions (conv3x3_pair.wgsl, conv3x3_norm_head.wgsl; the op
// prepends it): the register-blocked 3x3 scheme of conv3x3.wgsl, in which a thread computes 8
// consecutive output pixels of one row. Per input channel and kernel row it loads the 10-pixel
// input window x0 - 1 .. x0 + 8 once and applies each value to 3 taps of every output channel
// of its block, instead of loading 9 taps per output pixel.
// Zero padding without branches: clamped columns and rows, and masks (see conv3x3.wgsl).

// Columns x0 - 1 .. x0 + 8 of a row `width` wide, clamped into it, and whether each is inside.
struct Cols10 {
  lo: vec4<u32>,
  mid: vec4<u32>,
  hi: vec2<u32>,
  inLo: vec4<bool>,
  inMid: vec4<bool>,
  inHi: vec2<bool>,
}

// Input values at those columns (or a per-column factor for them).
struct Row10 {
  lo: vec4<f32>,
  mid: vec4<f32>,
  hi: vec2<f32>,
}

// Partial sums of the 8 output pixels x0 .. x0 + 7.
struct Acc8 {
  lo: vec4<f32>,
  hi: vec4<f32>,
}

fn cols10(x0: i32, width: u32) -> Cols10 {
  let last = vec4<i32>(i32(width) - 1);
  let lo = vec4<i32>(x0 - 1) + vec4<i32>(0, 1, 2, 3);
  let mid = vec4<i32>(x0 + 3) + vec4<i32>(0, 1, 2, 3);
  let hi = vec2<i32>(x0 + 7) + vec2<i32>(0, 1);
  return Cols10(
    vec4<u32>(clamp(lo, vec4<i32>(0), last)), vec4<u32>(clamp(mid, vec4<i32>(0), last)), vec2<u32>(clamp(hi, vec2<i32>(0), last.xy)),
    (lo >= vec4<i32>(0)) & (lo <= last), mid <= last, hi <= last.xy,
  );
}

// Input row y of a height-row image: its first element's offset in the plane (clamped) and
// whether it is inside.
fn rowAt(y: i32, height: u32, width: u32) -> u32 {
  return u32(clamp(y, 0, i32(height) - 1)) * width;
}
fn rowInside(y: i32, height: u32) -> bool {
  return (y >= 0) & (y < i32(height));
}

fn addRow10(a: Row10, b: Row10) -> Row10 {
  return Row10(a.lo + b.lo, a.mid + b.mid, a.hi + b.hi);
}
fn mulRow10(a: Row10, b: Row10) -> Row10 {
  return Row10(a.lo * b.lo, a.mid * b.mid, a.hi * b.hi);
}

// acc + one kernel row (taps w for columns x - 1, x, x + 1) applied to the 8 outputs.
fn tapRow8(acc: Acc8, w: vec3<f32>, r: Row10) -> Acc8 {
  return Acc8(
    acc.lo + w.x * r.lo + w.y * vec4<f32>(r.lo.yzw, r.mid.x) + w.z * vec4<f32>(r.lo.zw, r.mid.xy),
    acc.hi + w.x * r.mid + w.y * vec4<f32>(r.mid.yzw, r.hi.x) + w.z * vec4<f32>(r.mid.zw, r.hi),
  );
}
