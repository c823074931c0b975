// The second half of the SideNet's residual block in one pass, channels-first, C <= 64 channels:
// out = residual + bias + PW2(DW2(a)), a and residual [B, C, H, W], dwWeight [C, 1, 3, 3] (zero
// padding of a), pwWeight [C, C] (out channel major), bias [C].
// CPU-adapter body, as residual_block_in.wgsl (the op prepends `const C` and appends
// pointwise()): one invocation per 4 adjacent output pixels of one image row and all C channels;
// the depthwise results of all channels go to the private dw array, pointwise() reads it with
// workgroup-uniform weight loads.
// HEAD_ACT (the SideNet's last block): out = SiLU(RMSNorm(that sum)) over the channels, the head's
// activation computed once per pixel here instead of per tap in the head's conv.

struct Params {
  height: u32,
  width: u32,
  chunks: u32,   // ceil(width / 4)
  count: u32,    // batch * height * chunks
  eps: f32,      // HEAD_ACT's RMSNorm
  channels: u32, // C, as a uniform: HEAD_ACT's loop bound (a const bound gets unrolled: slow compiles)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> dwWeight: array<T>;
@group(0) @binding(3) var<storage, read> pwWeight: array<T>;
@group(0) @binding(4) var<storage, read> bias: array<T>;
@group(0) @binding(5) var<storage, read> residual: array<T>;
@group(0) @binding(6) var<storage, read_write> out: array<T>;

// DW2 of this invocation's 4 pixels, all channels (read by pointwise()).
var<private> dw: array<vec4<f32>, C>;
// HEAD_ACT: the block's output, all channels, until their RMS is known.
var<private> sums: array<vec4<f32>, C>;

override WG: u32 = 64;
override HEAD_ACT: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let id = (wg.y * groups.x + wg.x) * WG + lane;
  if (id >= params.count) { return; }
  let at = row4(id, params.chunks, params.height);
  let hw = params.height * params.width;
  let imageBase = at.b * C * hw;
  let window = window3x6(at, params.height, params.width);

  // DW2, all channels.
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    var values = array<f32, 18>();
    for (var k = 0u; k < 18u; k++) {
      values[k] = f32(a[plane + window.pixel[k]]) * window.mask[k];
    }
    var taps = array<f32, 9>();
    for (var k = 0u; k < 9u; k++) { taps[k] = f32(dwWeight[c * 9u + k]); }
    dw[c] = depthwiseRow4(values, taps);
  }

  // PW2 + bias + residual. Residual loads clamp to the row (values past it are not stored).
  let rowAt = u32(at.y) * params.width;
  let xv = vec4<u32>(at.x0) + vec4<u32>(0u, 1u, 2u, 3u);
  let columns = min(xv, vec4<u32>(params.width - 1u));
  var sumSq = vec4<f32>(0.0);
  for (var co = 0u; co < C; co++) {
    let plane = imageBase + co * hw + rowAt;
    let ra = columns + vec4<u32>(plane);
    let r = vec4<f32>(f32(residual[ra.x]), f32(residual[ra.y]), f32(residual[ra.z]), f32(residual[ra.w]));
    let value = pointwise(co * C) + f32(bias[co]) + r;
    if (HEAD_ACT) {
      sums[co] = value;
      sumSq += value * value;
    } else {
      for (var j = 0u; j < 4u; j++) {
        if (xv[j] < params.width) { out[plane + xv[j]] = T(value[j]); }
      }
    }
  }
  if (HEAD_ACT) {
    let inverseRms = inverseSqrt(sumSq / f32(C) + params.eps);
    for (var co = 0u; co < params.channels; co++) {
      let plane = imageBase + co * hw + rowAt;
      let v = sums[co] * inverseRms;
      let value = v / (1.0 + exp(-v));
      for (var j = 0u; j < 4u; j++) {
        if (xv[j] < params.width) { out[plane + xv[j]] = T(value[j]); }
      }
    }
  }
}
