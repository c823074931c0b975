// 1x1 convolution, channels-first, with the SideNet's epilogues:
// out[b, co, p] = Σ_ci weight[co, ci] · x[b, ci, p] (+ bias[co]) (+ residual[b, co, p]),
// x [B, Cin, P], weight [Cout, Cin] (a [Cout, Cin, 1, 1] conv weight), P = H·W pixels.
// CPU-adapter body (no workgroup memory): each thread computes CO output channels x 4 adjacent
// pixels. The channel block comes from the workgroup id, so every weight load is uniform across
// the workgroup and only the 4 input loads per input channel are per-lane gathers. Measured on
// lavapipe at the SideNet's shapes (Cin = Cout = 32, 48 images of 16x16): ~20 % less time than
// the 4x4 register-blocked matmul; blocks of 16 channels or 8 pixels were no faster.

struct Params {
  cin: u32,
  cout: u32,
  pixels: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
// Unread without HAS_BIAS / RESIDUAL: the op binds any read-only tensor there.
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read> residual: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
override CO: u32 = 8;  // output channels per thread, <= 16
override HAS_BIAS: bool = false;
override RESIDUAL: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let P = params.pixels;
  let b = wg.z;
  let co0 = wg.y * CO;
  // This thread's 4 pixels, and their indices clamped into the image (no bounds checks in the
  // loop; duplicates are dropped at the store).
  let p0 = (wg.x * WG + lane) * 4u;
  let pix = vec4<u32>(p0) + vec4<u32>(0u, 1u, 2u, 3u);
  let at = min(pix, vec4<u32>(P - 1u));
  // Output channels past cout read row cout - 1 (clamped) and are not stored.
  var wRow: array<u32, 16>;
  for (var j = 0u; j < CO; j++) { wRow[j] = min(co0 + j, params.cout - 1u) * params.cin; }

  var acc: array<vec4<f32>, 16>;
  var plane = b * params.cin * P;
  for (var ci = 0u; ci < params.cin; ci++) {
    let a = at + vec4<u32>(plane);
    let v = vec4<f32>(f32(x[a.x]), f32(x[a.y]), f32(x[a.z]), f32(x[a.w]));
    for (var j = 0u; j < CO; j++) {
      acc[j] += f32(weight[wRow[j] + ci]) * v;
    }
    plane += P;
  }

  for (var j = 0u; j < CO; j++) {
    let co = co0 + j;
    if (co >= params.cout) { break; }
    var shift = 0.0;
    if (HAS_BIAS) { shift = f32(bias[co]); }
    let row = (b * params.cout + co) * P;
    for (var k = 0u; k < 4u; k++) {
      if (pix[k] < P) {
        var value = acc[j][k] + shift;
        if (RESIDUAL) { value += f32(residual[row + pix[k]]); }
        out[row + pix[k]] = T(value);
      }
    }
  }
}
