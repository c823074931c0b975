// 1x1 convolution, channels-first, with the SideNet's epilogues:
// out[b, co, p] = Σ_ci weight[co, ci] · x[b, ci, p] (+ bias[co]) (+ residual[b, co, p]),
// x [B, Cin, P], weight [Cout, Cin] (a [Cout, Cin, 1, 1] conv weight), P = H·W pixels.
// CPU-adapter body: no workgroup memory. Each thread computes CO output channels x 4·PX4 pixels;
// the channel block comes from the workgroup id, so every weight load is uniform across the
// workgroup (one scalar load and a broadcast on lavapipe, not a gather) and only the 4·PX4 input
// loads per input channel are per-lane. With STRIDED the pixels are WG apart (lane-contiguous
// loads) rather than adjacent.

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
override CO: u32 = 8;        // output channels per thread, <= 16
override PX4: u32 = 1;       // groups of 4 pixels per thread, <= 2 (CO·PX4 <= 32)
override STRIDED: bool = false;
override HAS_BIAS: bool = false;
override RESIDUAL: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let P = params.pixels;
  let b = wg.z;
  let co0 = wg.y * CO;
  // The 4·PX4 pixels of this thread, and their indices clamped into the image (no bounds
  // checks in the loop; duplicates are dropped at the store).
  var first = (wg.x * WG + lane) * 4u * PX4;
  var step = 1u;
  if (STRIDED) {
    first = wg.x * WG * 4u * PX4 + lane;
    step = WG;
  }
  var pix: array<vec4<u32>, 2>;
  var at: array<vec4<u32>, 2>;
  for (var g = 0u; g < PX4; g++) {
    let p0 = first + 4u * g * step;
    pix[g] = vec4<u32>(p0, p0 + step, p0 + 2u * step, p0 + 3u * step);
    at[g] = min(pix[g], vec4<u32>(P - 1u));
  }
  // Output channels past cout read row cout - 1 (clamped) and are not stored.
  var wRow: array<u32, 16>;
  for (var j = 0u; j < CO; j++) { wRow[j] = min(co0 + j, params.cout - 1u) * params.cin; }

  // acc[j * PX4 + g]: output channel co0 + j, pixels pix[g].
  var acc: array<vec4<f32>, 32>;
  var plane = b * params.cin * P;
  for (var ci = 0u; ci < params.cin; ci++) {
    var v: array<vec4<f32>, 2>;
    for (var g = 0u; g < PX4; g++) {
      let a = at[g] + vec4<u32>(plane);
      v[g] = vec4<f32>(f32(x[a.x]), f32(x[a.y]), f32(x[a.z]), f32(x[a.w]));
    }
    for (var j = 0u; j < CO; j++) {
      let w = f32(weight[wRow[j] + ci]);
      for (var g = 0u; g < PX4; g++) { acc[j * PX4 + g] += w * v[g]; }
    }
    plane += P;
  }

  for (var j = 0u; j < CO; j++) {
    let co = co0 + j;
    if (co >= params.cout) { break; }
    var shift = 0.0;
    if (HAS_BIAS) { shift = f32(bias[co]); }
    let row = (b * params.cout + co) * P;
    for (var k = 0u; k < 4u * PX4; k++) {
      let p = pix[k / 4u][k % 4u];
      if (p < P) {
        var value = acc[j * PX4 + k / 4u][k % 4u] + shift;
        if (RESIDUAL) { value += f32(residual[row + p]); }
        out[row + p] = T(value);
      }
    }
  }
}
