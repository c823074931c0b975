// Shared by the per-thread depthwise bodies (depthwise3x3_norm, residual_block_in/out; the ops
// prepend it): one invocation computes 4 adjacent output pixels of one image row for a 3x3
// conv with padding 1, from the 3x6 input window around them (rows y-1..y+1, columns
// x0-1..x0+4, row-major). Window offsets are clamped into the image plane, so loads need no
// branches; mask is 0 where the window leaves the image.

// The invocation's image, row and first column, from its linear id (chunks = ceil(width / 4)).
struct Row4 {
  b: u32,
  y: i32,
  x0: u32,
}

fn row4(id: u32, chunks: u32, height: u32) -> Row4 {
  let rowId = id / chunks;
  return Row4(rowId / height, i32(rowId % height), (id % chunks) * 4u);
}

struct Window3x6 {
  pixel: array<u32, 18>,
  mask: array<f32, 18>,
}

fn window3x6(at: Row4, height: u32, width: u32) -> Window3x6 {
  var w = Window3x6();
  for (var k = 0u; k < 18u; k++) {
    let yy = at.y - 1 + i32(k / 6u);
    let xx = i32(at.x0) - 1 + i32(k % 6u);
    let inside = (yy >= 0) & (yy < i32(height)) & (xx >= 0) & (xx < i32(width));
    w.pixel[k] = u32(clamp(yy, 0, i32(height) - 1)) * width + u32(clamp(xx, 0, i32(width) - 1));
    w.mask[k] = select(0.0, 1.0, inside);
  }
  return w;
}

// The 4 outputs of the 3x3 taps t (row-major) over a window's values v. Written out so every
// index is a constant: SwiftShader keeps a private array indexed by a loop variable in memory
// (the residual-block kernels 9-16 % faster there than with the loop; lavapipe unchanged). The
// callers fill t in a loop: built with constant indices it cost lavapipe's residual_block_in 40 %.
fn depthwiseRow4(v: array<f32, 18>, t: array<f32, 9>) -> vec4<f32> {
  return t[0] * vec4<f32>(v[0], v[1], v[2], v[3]) + t[1] * vec4<f32>(v[1], v[2], v[3], v[4]) + t[2] * vec4<f32>(v[2], v[3], v[4], v[5])
    + t[3] * vec4<f32>(v[6], v[7], v[8], v[9]) + t[4] * vec4<f32>(v[7], v[8], v[9], v[10]) + t[5] * vec4<f32>(v[8], v[9], v[10], v[11])
    + t[6] * vec4<f32>(v[12], v[13], v[14], v[15]) + t[7] * vec4<f32>(v[13], v[14], v[15], v[16]) + t[8] * vec4<f32>(v[14], v[15], v[16], v[17]);
}

