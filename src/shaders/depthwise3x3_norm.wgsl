// Depthwise 3x3 conv (padding 1, stride 1, no bias) of a channel-RMSNormed input, channels-first:
// out = depthwise3x3(act(RMSNorm(x)), weight), x [B, C, H, W], weight [C, 1, 3, 3], where act is
// an optional FiLM (y·(1 + scale[b, c]) + shift[b, c], read from film [B, filmStride]) then an
// optional SiLU: the SideNet's DW1(RMSNorm(x)) and DW2(SiLU(FiLM(RMSNorm(h)))) in one pass, so
// the normalised tensor is never stored. Zero padding applies to act's output, as when the
// unfused conv pads its input.
// One invocation per 4 output pixels of one image row, for all channels: a first pass over the
// channels sums x² for its 3x6 input window, a second streams the channels through the conv.
// The 3x6 window (clamped offsets and 0/1 padding masks) and the taps come from
// depthwise_row4.wgsl, which the op prepends.
// With copies (count covering copies·images images), output image b reads input image
// b % images and FiLM row b: one image modulated by several FiLM rows without a copy pass.

struct Params {
  channels: u32,
  height: u32,
  width: u32,
  chunks: u32,   // ceil(width / 4)
  count: u32,    // output images * height * chunks (one invocation each)
  filmStride: u32,
  scaleOffset: u32,
  shiftOffset: u32,
  eps: f32,
  images: u32,   // input images
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
@group(0) @binding(3) var<storage, read> film: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override WG: u32 = 64;
override FILM: u32 = 0;  // 0 plain (film is an unused dummy), 1 FiLM after the norm
override SILU: u32 = 0;  // 1: SiLU after the norm (and FiLM)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.count) { return; }
  let at = row4(id, params.chunks, params.height);
  let hw = params.height * params.width;
  let imageBase = (at.b % params.images) * params.channels * hw;
  let outBase = at.b * params.channels * hw;
  let window = window3x6(at, params.height, params.width);
  let pixel = window.pixel;
  var sumSq = array<f32, 18>();
  for (var c = 0u; c < params.channels; c++) {
    let plane = imageBase + c * hw;
    for (var k = 0u; k < 18u; k++) {
      let v = f32(x[plane + pixel[k]]);
      sumSq[k] += v * v;
    }
  }
  var inverseRms = array<f32, 18>();
  for (var k = 0u; k < 18u; k++) {
    inverseRms[k] = inverseSqrt(sumSq[k] / f32(params.channels) + params.eps);
  }

  let filmBase = at.b * params.filmStride;
  for (var c = 0u; c < params.channels; c++) {
    let plane = imageBase + c * hw;
    var scale = 1.0;
    var shift = 0.0;
    if (FILM == 1u) {
      scale = 1.0 + f32(film[filmBase + params.scaleOffset + c]);
      shift = f32(film[filmBase + params.shiftOffset + c]);
    }
    var values = array<f32, 18>();
    for (var k = 0u; k < 18u; k++) {
      var v = f32(x[plane + pixel[k]]) * inverseRms[k] * scale + shift;
      if (SILU == 1u) { v = v / (1.0 + exp(-v)); }
      values[k] = v * window.mask[k];
    }
    var taps = array<f32, 9>();
    for (var k = 0u; k < 9u; k++) { taps[k] = f32(weight[c * 9u + k]); }
    let acc = depthwiseRow4(values, taps);
    let outRow = outBase + c * hw + u32(at.y) * params.width + at.x0;
    for (var j = 0u; j < 4u; j++) {
      if (at.x0 + j < params.width) { out[outRow + j] = T(acc[j]); }
    }
  }
}
