// The 3x3 neighbourhood of pixel (py, px) in a height x width plane: each tap's index, clamped
// into the image, and a mask of 0 for taps outside it (zero padding), 1 inside. Prepended by
// the op to the fused SideNet convolutions (conv3x3_pair.wgsl, conv3x3_norm_head.wgsl).

struct Taps3x3 {
  pixel: array<u32, 9>,
  mask: array<f32, 9>,
}

fn taps3x3(py: i32, px: i32, height: u32, width: u32) -> Taps3x3 {
  var taps: Taps3x3;
  for (var k = 0u; k < 9u; k++) {
    let yy = py - 1 + i32(k / 3u);
    let xx = px - 1 + i32(k % 3u);
    let inside = (yy >= 0) & (yy < i32(height)) & (xx >= 0) & (xx < i32(width));
    taps.pixel[k] = u32(clamp(yy, 0, i32(height) - 1)) * width + u32(clamp(xx, 0, i32(width) - 1));
    taps.mask[k] = select(0.0, 1.0, inside);
  }
  return taps;
}

