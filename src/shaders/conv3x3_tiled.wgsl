// 3x3 convolution for GPUs (the GPU kernel profile; conv3x3.wgsl is the CPU-adapter body), same
// contract as conv3x3.wgsl: padding 1, stride 1, channels-first, x [B, Cin, H, W] * weight
// [Cout, Cin, 3, 3] (+ bias) -> out [B, Cout, H, W], with the UPSAMPLE (nearest x2 on load),
// TRANSPOSE_FLIP (input gradient) and row-band options.
// A workgroup of 16x4 threads computes a 16x16 tile of output pixels for a block of 8 output
// channels. Per chunk of 8 input channels it stages the 18x18 input tile (1-pixel halo; the
// upsampling and zero padding applied while loading, consecutive threads reading consecutive
// columns) and the chunk's 8x8x9 weights in workgroup memory. Each thread then accumulates 4
// pixels (rows ly, ly + 4, ly + 8, ly + 12 of the tile) x 8 channels in f32 registers: 4
// shared-memory input reads and 2 broadcast vec4 weight reads per 32 FMAs.
// The SideNet's fused convs are options of the same body (the GPU profile of conv3x3_pair.wgsl
// and conv3x3_norm_head.wgsl): PAIR reads input channels >= ca from x2 (the concat [x, x2] is
// never stored) and writes `copies` copies of the output along the batch (out image k·batch + b);
// NORM_SILU first sums x² over all channels at the tile's 18x18 pixels (each thread keeps its
// own pixels' sums in registers) and stages SiLU(x · invRms) instead of x; OUT_SCALE multiplies
// image b's output by outScale[b].

struct Params {
  cin: u32,
  cout: u32,
  height: u32,      // of the whole image, output space
  width: u32,
  rows: u32,        // output rows in out
  rowStart: u32,    // image row of out's first row
  inRows: u32,      // input rows in x
  inRowStart: u32,  // image row (input space) of x's first row
  coBlocks: u32,    // ceil(cout / 8)
  ca: u32,          // input channels read from x (PAIR: the rest from x2), else cin
  batch: u32,       // images per copy (PAIR), else unused
  copies: u32,      // 1 unless PAIR
  eps: f32,         // NORM_SILU
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> weight: array<T>;
// Without HAS_BIAS the op binds any read-only tensor here; it is never read.
@group(0) @binding(3) var<storage, read> bias: array<T>;
@group(0) @binding(4) var<storage, read_write> out: array<T>;
// Unread unless PAIR / OUT_SCALE: the op binds any read-only tensor there.
@group(0) @binding(5) var<storage, read> x2: array<T>;
@group(0) @binding(6) var<storage, read> outScale: array<T>;

override HAS_BIAS: bool = false;
override TRANSPOSE_FLIP: bool = false;
override UPSAMPLE: bool = false;
override PAIR: bool = false;
override NORM_SILU: bool = false;
override OUT_SCALE: bool = false;

const TILE = 16u;
const HALO = 18u;               // TILE + 2
const CHUNK = 8u;               // input channels staged at once
const PLANE = 324u;             // HALO * HALO
const CO_BLOCK = 8u;            // output channels per workgroup (2 vec4 per tap)
const THREADS = 64u;

// [c][row][col] of the chunk's input tile.
var<workgroup> tileIn: array<f32, 2592>;
// [c][tap][co / 4]: the chunk's weights, 8 output channels as 2 vec4 per (channel, tap).
var<workgroup> tileW: array<vec4<f32>, 144>;
// NORM_SILU: 1 / RMS over the channels at each of the 18x18 tile pixels.
var<workgroup> inverseRms: array<f32, 324>;

// Input channel ci (clamped to cin - 1) at element `at` of a plane: from x, or x2 past ca (PAIR).
fn loadInput(b: u32, ci: u32, at: u32, plane: u32) -> f32 {
  let c = min(ci, params.cin - 1u);
  var v: f32;
  if (PAIR & (c >= params.ca)) {
    v = f32(x2[(b * (params.cin - params.ca) + c - params.ca) * plane + at]);
  } else {
    v = f32(x[(b * params.ca + c) * plane + at]);
  }
  return v;
}

// The image row of tile pixel p's row, output space (the tile has a 1-pixel halo).
fn tileRow(p: u32, oy0: u32) -> i32 {
  return i32(params.rowStart + oy0 + p / HALO) - 1;
}

fn tileInside(p: u32, oy0: u32, ox0: u32) -> bool {
  let yy = tileRow(p, oy0);
  let xx = i32(ox0 + p % HALO) - 1;
  return (yy >= 0) & (yy < i32(params.height)) & (xx >= 0) & (xx < i32(params.width));
}

// Offset inside an input plane of tile pixel p (nearest x2 when upsampling), clamped into x's
// rows and columns so padding and past-the-band pixels still index inside it.
fn tileOffset(p: u32, oy0: u32, ox0: u32, up: u32, inWidth: u32) -> u32 {
  let yy = clamp(tileRow(p, oy0), 0, i32(params.height) - 1);
  let xx = clamp(i32(ox0 + p % HALO) - 1, 0, i32(params.width) - 1);
  let inRow = clamp(i32(u32(yy) >> up) - i32(params.inRowStart), 0, i32(params.inRows) - 1);
  return u32(inRow) * inWidth + (u32(xx) >> up);
}

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  // Workgroups: x, y over tiles (oy0: band row of the tile's first output row), z over
  // (image, channel block), so the channel block and image are uniform per workgroup.
  let ox0 = wg.x * TILE;
  let oy0 = wg.y * TILE;
  let co0 = (wg.z % params.coBlocks) * CO_BLOCK;
  let b = wg.z / params.coBlocks;
  let up = select(0u, 1u, UPSAMPLE);
  let inWidth = params.width >> up;
  let plane = params.inRows * inWidth;

  var acc: array<vec4<f32>, 8>;   // acc[2i + h]: tile row ly + 4i, output channels co0 + 4h .. + 3

  if (NORM_SILU) {
    // Each thread sums x² over all channels at tile pixels lane, lane + 64, ... (6 at most).
    var sums: array<f32, 6>;
    for (var c = 0u; c < params.cin; c++) {
      for (var s = 0u; s < 6u; s++) {
        let p = min(lane + s * THREADS, PLANE - 1u);
        let v = loadInput(b, c, tileOffset(p, oy0, ox0, up, inWidth), plane);
        sums[s] += v * v;
      }
    }
    for (var s = 0u; s < 6u; s++) {
      let p = lane + s * THREADS;
      if (p < PLANE) { inverseRms[p] = inverseSqrt(sums[s] / f32(params.cin) + params.eps); }
    }
    workgroupBarrier();
  }

  for (var ci0 = 0u; ci0 < params.cin; ci0 += CHUNK) {
    for (var i = lane; i < CHUNK * PLANE; i += THREADS) {
      let c = i / PLANE;
      let p = i % PLANE;
      var v = loadInput(b, ci0 + c, tileOffset(p, oy0, ox0, up, inWidth), plane);
      if (NORM_SILU) {
        v *= inverseRms[p];
        v = v / (1.0 + exp(-v));
      }
      tileIn[i] = select(0.0, v, (ci0 + c < params.cin) & tileInside(p, oy0, ox0));
    }
    for (var i = lane; i < CHUNK * 9u * CO_BLOCK; i += THREADS) {
      let co = i % CO_BLOCK;
      let k = (i / CO_BLOCK) % 9u;
      let c = i / (9u * CO_BLOCK);
      let ci = min(ci0 + c, params.cin - 1u);
      let o = min(co0 + co, params.cout - 1u);
      var at = (o * params.cin + ci) * 9u + k;
      // Input gradient: the forward weight [cin, cout, 3, 3] read transposed and flipped.
      if (TRANSPOSE_FLIP) { at = (ci * params.cout + o) * 9u + 8u - k; }
      let valid = (ci0 + c < params.cin) & (co0 + co < params.cout);
      tileW[i / 4u][i % 4u] = select(0.0, f32(weight[at]), valid);
    }
    workgroupBarrier();
    for (var c = 0u; c < CHUNK; c++) {
      for (var k = 0u; k < 9u; k++) {
        let w0 = tileW[(c * 9u + k) * 2u];
        let w1 = tileW[(c * 9u + k) * 2u + 1u];
        let base = c * PLANE + (lid.y + k / 3u) * HALO + lid.x + k % 3u;
        for (var i = 0u; i < 4u; i++) {
          let v = tileIn[base + 4u * i * HALO];
          acc[2u * i] += v * w0;
          acc[2u * i + 1u] += v * w1;
        }
      }
    }
    workgroupBarrier();
  }

  let ox = ox0 + lid.x;
  var scale = 1.0;
  if (OUT_SCALE) { scale = f32(outScale[b]); }
  for (var i = 0u; i < 4u; i++) {
    let oy = oy0 + lid.y + 4u * i;
    if ((oy < params.rows) & (ox < params.width)) {
      for (var j = 0u; j < CO_BLOCK; j++) {
        let o = co0 + j;
        if (o < params.cout) {
          var value = acc[2u * i + j / 4u][j % 4u];
          if (HAS_BIAS) { value += f32(bias[o]); }
          value *= scale;
          for (var k = 0u; k < params.copies; k++) {
            out[(((k * params.batch + b) * params.cout + o) * params.rows + oy) * params.width + ox] = T(value);
          }
        }
      }
    }
  }
}
