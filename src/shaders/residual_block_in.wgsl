// The first half of the SideNet's residual block in one pass, channels-first, C <= 64 channels:
// p = PW1(DW1(RMSNorm(x))), out[k·B + b] = SiLU(RMSNorm(p)·(1 + scale[k·B + b]) + shift[k·B + b])
// for k < copies (the forward offsets share x and differ only in FiLM: p is computed once).
// x [B, C, H, W], dwWeight [C, 1, 3, 3] (zero padding of the normed input), pwWeight [C, C]
// (out channel major), film [copies·B, filmStride], out [copies·B, C, H, W]. RMSNorm is over the
// channels of one pixel, no weight.
// CPU-adapter body: one invocation per 4 adjacent output pixels of one image row and all C
// channels. The op prepends `const C` (one pipeline per channel count) and appends pointwise(),
// the 1x1 conv unrolled over the input channels (see residual-block.ts). A first pass sums x²
// over the channels of the 3x6 input window, a second streams the channels through the depthwise
// conv into the private dw array; pointwise() reads it with weight loads uniform across the
// workgroup; its output's channel RMS, FiLM and SiLU follow in registers.
// The 3x6 window and the taps come from depthwise_row4.wgsl (prepended by the op).

struct Params {
  height: u32,
  width: u32,
  chunks: u32,   // ceil(width / 4)
  count: u32,    // batch * height * chunks (one invocation each)
  batch: u32,
  copies: u32,
  filmStride: u32,
  scaleOffset: u32,
  shiftOffset: u32,
  eps: f32,
  channels: u32, // C, as a uniform: the epilogue's loop bound (see there)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> dwWeight: array<T>;
@group(0) @binding(3) var<storage, read> pwWeight: array<T>;
@group(0) @binding(4) var<storage, read> film: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

// DW1 of this invocation's 4 pixels, all channels (read by pointwise()).
var<private> dw: array<vec4<f32>, C>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.count) { return; }
  let at = row4(id, params.chunks, params.height);
  let hw = params.height * params.width;
  let imageBase = at.b * C * hw;
  let window = window3x6(at, params.height, params.width);
  let pixel = window.pixel;
  var sumSq = array<f32, 18>();
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    for (var k = 0u; k < 18u; k++) {
      let v = f32(x[plane + pixel[k]]);
      sumSq[k] += v * v;
    }
  }
  // The norm and the padding mask in one factor per window pixel.
  var factor = array<f32, 18>();
  for (var k = 0u; k < 18u; k++) {
    factor[k] = inverseSqrt(sumSq[k] / f32(C) + params.eps) * window.mask[k];
  }

  // DW1 of the normed input, all channels.
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    var values = array<f32, 18>();
    for (var k = 0u; k < 18u; k++) {
      values[k] = f32(x[plane + pixel[k]]) * factor[k];
    }
    var taps = array<f32, 9>();
    for (var k = 0u; k < 9u; k++) { taps[k] = f32(dwWeight[c * 9u + k]); }
    dw[c] = depthwiseRow4(values, taps);
  }

  // PW1, and the sum of squares of its output per pixel.
  var p = array<vec4<f32>, C>();
  var ss = vec4<f32>(0.0);
  for (var co = 0u; co < C; co++) {
    let h = pointwise(co * C);
    p[co] = h;
    ss += h * h;
  }
  let inverseRms = inverseSqrt(ss / f32(C) + params.eps);

  // RMSNorm → FiLM → SiLU per copy.
  let pixelAt = u32(at.y) * params.width + at.x0;
  for (var k = 0u; k < params.copies; k++) {
    let row = k * params.batch + at.b;
    let filmBase = row * params.filmStride;
    let outBase = row * C * hw + pixelAt;
    // A uniform bound, not the const C: lavapipe's LLVM unrolled the const-bounded loop (with its
    // exp and 4 guarded stores per channel) into a shader that took 14 s to compile at C = 32 and
    // ran 25 % slower than this one (3 s).
    for (var co = 0u; co < params.channels; co++) {
      let scale = 1.0 + f32(film[filmBase + params.scaleOffset + co]);
      let shift = f32(film[filmBase + params.shiftOffset + co]);
      let h = p[co] * inverseRms * scale + shift;
      let s = h / (1.0 + exp(-h));
      let o = outBase + co * hw;
      for (var j = 0u; j < 4u; j++) {
        if (at.x0 + j < params.width) { out[o + j] = T(s[j]); }
      }
    }
  }
}
