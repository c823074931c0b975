// The first half of the SideNet's residual block in one pass, channels-first, C <= 64 channels:
// p = PW1(DW1(RMSNorm(x))), out[k·B + b] = SiLU(RMSNorm(p)·(1 + scale[k·B + b]) + shift[k·B + b])
// for k < copies (the forward offsets share x and differ only in FiLM: p is computed once).
// x [B, C, H, W], dwWeight [C, 1, 3, 3] (zero padding of the normed input), pwWeight [C, C]
// (out channel major), film [copies·B, filmStride], out [copies·B, C, H, W]. RMSNorm is over the
// channels of one pixel, no weight.
// CPU-adapter body: one invocation per PX adjacent output pixels of one image row and all C
// channels (C and PX are consts prepended by the op, one pipeline per value). A first pass sums x²
// over the channels of the 3x(PX+2) input window, a second streams the channels through the
// depthwise conv into a private array; the 1x1 conv then reads that array with weight loads
// uniform across the workgroup, and its output's channel RMS, FiLM and SiLU follow in registers.
// Padding without branches on the loads: clamped index, then a 0/1 mask.

const NV = PX / 4u;         // vec4s per channel
const WX = PX + 2u;         // window columns
const WN = 3u * WX;         // window pixels

struct Params {
  height: u32,
  width: u32,
  chunks: u32,   // ceil(width / PX)
  count: u32,    // batch * height * chunks (one invocation each)
  batch: u32,
  copies: u32,
  filmStride: u32,
  scaleOffset: u32,
  shiftOffset: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> dwWeight: array<T>;
@group(0) @binding(3) var<storage, read> pwWeight: array<T>;
@group(0) @binding(4) var<storage, read> film: array<T>;
@group(0) @binding(5) var<storage, read_write> out: array<T>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.count) { return; }
  let x0 = (id % params.chunks) * PX;
  let rowId = id / params.chunks;
  let y = i32(rowId % params.height);
  let b = rowId / params.height;
  let hw = params.height * params.width;
  let imageBase = b * C * hw;

  // The 3 x WX window: rows y-1..y+1, columns x0-1..x0+PX, row-major.
  var pixel = array<u32, WN>();
  var mask = array<f32, WN>();
  for (var k = 0u; k < WN; k++) {
    let yy = y - 1 + i32(k / WX);
    let xx = i32(x0) - 1 + i32(k % WX);
    let inside = (yy >= 0) & (yy < i32(params.height)) & (xx >= 0) & (xx < i32(params.width));
    pixel[k] = u32(clamp(yy, 0, i32(params.height) - 1)) * params.width + u32(clamp(xx, 0, i32(params.width) - 1));
    mask[k] = select(0.0, 1.0, inside);
  }
  var sumSq = array<f32, WN>();
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    for (var k = 0u; k < WN; k++) {
      let v = f32(x[plane + pixel[k]]);
      sumSq[k] += v * v;
    }
  }
  // The norm and the padding mask in one factor per window pixel.
  var factor = array<f32, WN>();
  for (var k = 0u; k < WN; k++) {
    factor[k] = inverseSqrt(sumSq[k] / f32(C) + params.eps) * mask[k];
  }

  // DW1 of the normed input, all channels.
  var dw = array<vec4<f32>, C * NV>();
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    var window = array<f32, WN>();
    for (var k = 0u; k < WN; k++) {
      window[k] = f32(x[plane + pixel[k]]) * factor[k];
    }
    for (var v = 0u; v < NV; v++) {
      var acc = vec4<f32>(0.0);
      for (var ky = 0u; ky < 3u; ky++) {
        for (var kx = 0u; kx < 3u; kx++) {
          let w = f32(dwWeight[c * 9u + ky * 3u + kx]);
          let at = ky * WX + kx + 4u * v;
          acc += w * vec4<f32>(window[at], window[at + 1u], window[at + 2u], window[at + 3u]);
        }
      }
      dw[c * NV + v] = acc;
    }
  }

  // PW1, and the sum of squares of its output per pixel.
  var p = array<vec4<f32>, C * NV>();
  var ss = array<vec4<f32>, NV>();
  for (var co = 0u; co < C; co++) {
    var acc = array<vec4<f32>, NV>();
    for (var ci = 0u; ci < C; ci++) {
      let w = f32(pwWeight[co * C + ci]);
      for (var v = 0u; v < NV; v++) { acc[v] += w * dw[ci * NV + v]; }
    }
    for (var v = 0u; v < NV; v++) {
      p[co * NV + v] = acc[v];
      ss[v] += acc[v] * acc[v];
    }
  }
  var inverseRms = array<vec4<f32>, NV>();
  for (var v = 0u; v < NV; v++) { inverseRms[v] = inverseSqrt(ss[v] / f32(C) + params.eps); }

  // RMSNorm → FiLM → SiLU per copy.
  let pixelAt = u32(y) * params.width + x0;
  for (var k = 0u; k < params.copies; k++) {
    let row = k * params.batch + b;
    let filmBase = row * params.filmStride;
    let outBase = row * C * hw + pixelAt;
    for (var co = 0u; co < C; co++) {
      let scale = 1.0 + f32(film[filmBase + params.scaleOffset + co]);
      let shift = f32(film[filmBase + params.shiftOffset + co]);
      let at = outBase + co * hw;
      for (var v = 0u; v < NV; v++) {
        let h = p[co * NV + v] * inverseRms[v] * scale + shift;
        let s = h / (1.0 + exp(-h));
        for (var j = 0u; j < 4u; j++) {
          if (x0 + 4u * v + j < params.width) { out[at + 4u * v + j] = T(s[j]); }
        }
      }
    }
  }
}
