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
  let x0 = (id % params.chunks) * 4u;
  let rowId = id / params.chunks;
  let y = i32(rowId % params.height);
  let b = rowId / params.height;
  let hw = params.height * params.width;
  let imageBase = b * C * hw;

  // The 3x6 window: rows y-1..y+1, columns x0-1..x0+4, row-major.
  var pixel = array<u32, 18>();
  var mask = array<f32, 18>();
  for (var k = 0u; k < 18u; k++) {
    let yy = y - 1 + i32(k / 6u);
    let xx = i32(x0) - 1 + i32(k % 6u);
    let inside = (yy >= 0) & (yy < i32(params.height)) & (xx >= 0) & (xx < i32(params.width));
    pixel[k] = u32(clamp(yy, 0, i32(params.height) - 1)) * params.width + u32(clamp(xx, 0, i32(params.width) - 1));
    mask[k] = select(0.0, 1.0, inside);
  }

  // DW2, all channels.
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    var window = array<f32, 18>();
    for (var k = 0u; k < 18u; k++) {
      window[k] = f32(a[plane + pixel[k]]) * mask[k];
    }
    var acc = vec4<f32>(0.0);
    for (var ky = 0u; ky < 3u; ky++) {
      for (var kx = 0u; kx < 3u; kx++) {
        let w = f32(dwWeight[c * 9u + ky * 3u + kx]);
        let at = ky * 6u + kx;
        acc += w * vec4<f32>(window[at], window[at + 1u], window[at + 2u], window[at + 3u]);
      }
    }
    dw[c] = acc;
  }

  // PW2 + bias + residual. Residual loads clamp to the row (values past it are not stored).
  let rowAt = u32(y) * params.width;
  let xv = vec4<u32>(x0) + vec4<u32>(0u, 1u, 2u, 3u);
  let columns = min(xv, vec4<u32>(params.width - 1u));
  var sumSq = vec4<f32>(0.0);
  for (var co = 0u; co < C; co++) {
    let plane = imageBase + co * hw + rowAt;
    let at = columns + vec4<u32>(plane);
    let r = vec4<f32>(f32(residual[at.x]), f32(residual[at.y]), f32(residual[at.z]), f32(residual[at.w]));
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
