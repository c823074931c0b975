// Depthwise 3x3 convs for GPUs (the GPU kernel profile; depthwise3x3.wgsl and
// depthwise3x3_norm.wgsl are the CPU-adapter bodies), padding 1, stride 1, no bias,
// channels-first: out[b, c] = depthwise3x3(act(x)[b, c], weight[c]), x [B, C, H, W], weight
// [C, 1, 3, 3]. Plain (act = identity; FLIP: the input gradient's spatially flipped weight) or,
// with NORM, act = the channel RMSNorm then the optional FiLM (y·(1 + scale[b, c]) + shift[b, c]
// from film [B, filmStride]) and SiLU of depthwise3x3_norm.wgsl, zero padding after act.
// A workgroup of 16x4 threads computes a 16x16 tile of output pixels, each thread 4 of them
// (rows ly, ly + 4, ly + 8, ly + 12). Per channel the 18x18 input tile (1-pixel halo) is loaded
// cooperatively and coalesced into workgroup memory, activated on the way, then each tile
// value is read by up to 9 threads from there. Plain: one channel per workgroup
// (z = b·C + c). NORM: all channels of image z, after a first pass that sums x² over the
// channels at the tile's 324 pixels (each thread its own pixels, in registers) into 1/RMS.
// NORM with copies: output image z reads input image z % images (its FiLM row is z's own), so
// one image is modulated by several FiLM rows without a copy pass.

struct Params {
  channels: u32,
  height: u32,
  width: u32,
  filmStride: u32,
  scaleOffset: u32,
  shiftOffset: u32,
  eps: f32,
  images: u32,   // input images (NORM: output z reads input z % images)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
// Unread unless FILM: the op binds any read-only tensor there.
@group(0) @binding(3) var<storage, read> film: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;

override NORM: bool = false;
override FILM: bool = false;
override SILU: bool = false;
override FLIP: bool = false;

const TILE = 16u;
const HALO = 18u;
const PLANE = 324u;
const THREADS = 64u;

var<workgroup> tileIn: array<f32, 324>;
var<workgroup> inverseRms: array<f32, 324>;

// Offset in a plane of tile pixel p (clamped into the image) and whether it is inside.
fn tileOffset(p: u32, oy0: u32, ox0: u32) -> u32 {
  let yy = clamp(i32(oy0 + p / HALO) - 1, 0, i32(params.height) - 1);
  let xx = clamp(i32(ox0 + p % HALO) - 1, 0, i32(params.width) - 1);
  return u32(yy) * params.width + u32(xx);
}

fn tileInside(p: u32, oy0: u32, ox0: u32) -> bool {
  let yy = i32(oy0 + p / HALO) - 1;
  let xx = i32(ox0 + p % HALO) - 1;
  return (yy >= 0) & (yy < i32(params.height)) & (xx >= 0) & (xx < i32(params.width));
}

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let ox0 = wg.x * TILE;
  let oy0 = wg.y * TILE;
  let hw = params.height * params.width;
  var b = wg.z;
  var cFirst = 0u;
  var cEnd = params.channels;
  if (!NORM) {
    b = wg.z / params.channels;
    cFirst = wg.z % params.channels;
    cEnd = cFirst + 1u;
  }
  let imageBase = (b % params.images) * params.channels * hw;
  let outBase = b * params.channels * hw;

  if (NORM) {
    var sums: array<f32, 6>;
    for (var c = 0u; c < params.channels; c++) {
      for (var s = 0u; s < 6u; s++) {
        let p = min(lane + s * THREADS, PLANE - 1u);
        let v = f32(x[imageBase + c * hw + tileOffset(p, oy0, ox0)]);
        sums[s] += v * v;
      }
    }
    for (var s = 0u; s < 6u; s++) {
      let p = lane + s * THREADS;
      if (p < PLANE) { inverseRms[p] = inverseSqrt(sums[s] / f32(params.channels) + params.eps); }
    }
    workgroupBarrier();
  }

  let ox = ox0 + lid.x;
  for (var c = cFirst; c < cEnd; c++) {
    let plane = imageBase + c * hw;
    var scale = 1.0;
    var shift = 0.0;
    if (FILM) {
      scale = 1.0 + f32(film[b * params.filmStride + params.scaleOffset + c]);
      shift = f32(film[b * params.filmStride + params.shiftOffset + c]);
    }
    for (var p = lane; p < PLANE; p += THREADS) {
      var v = f32(x[plane + tileOffset(p, oy0, ox0)]);
      if (NORM) {
        v = v * inverseRms[p] * scale + shift;
        if (SILU) { v = v / (1.0 + exp(-v)); }
      }
      tileIn[p] = select(0.0, v, tileInside(p, oy0, ox0));
    }
    workgroupBarrier();
    var w: array<f32, 9>;
    for (var k = 0u; k < 9u; k++) { w[k] = f32(weight[c * 9u + select(k, 8u - k, FLIP)]); }
    for (var i = 0u; i < 4u; i++) {
      let ty = lid.y + 4u * i;
      var acc = 0.0;
      for (var k = 0u; k < 9u; k++) { acc += w[k] * tileIn[(ty + k / 3u) * HALO + lid.x + k % 3u]; }
      let oy = oy0 + ty;
      if ((oy < params.height) & (ox < params.width)) { out[outBase + c * hw + oy * params.width + ox] = T(acc); }
    }
    workgroupBarrier();
  }
}
