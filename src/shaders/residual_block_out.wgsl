// The second half of the SideNet's residual block in one pass, channels-first, C <= 64 channels:
// out = residual + bias + PW2(DW2(a)), a and residual [B, C, H, W], dwWeight [C, 1, 3, 3] (zero
// padding of a), pwWeight [C, C] (out channel major), bias [C].
// CPU-adapter body, as residual_block_in.wgsl: one invocation per PX adjacent output pixels of
// one image row and all C channels (C and PX prepended by the op); the depthwise results of all
// channels go to a private array, the 1x1 conv reads it with workgroup-uniform weight loads.

const NV = PX / 4u;
const WX = PX + 2u;
const WN = 3u * WX;

struct Params {
  height: u32,
  width: u32,
  chunks: u32,   // ceil(width / PX)
  count: u32,    // batch * height * chunks
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> dwWeight: array<T>;
@group(0) @binding(3) var<storage, read> pwWeight: array<T>;
@group(0) @binding(4) var<storage, read> bias: array<T>;
@group(0) @binding(5) var<storage, read> residual: array<T>;
@group(0) @binding(6) var<storage, read_write> out: array<T>;

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

  var pixel = array<u32, WN>();
  var mask = array<f32, WN>();
  for (var k = 0u; k < WN; k++) {
    let yy = y - 1 + i32(k / WX);
    let xx = i32(x0) - 1 + i32(k % WX);
    let inside = (yy >= 0) & (yy < i32(params.height)) & (xx >= 0) & (xx < i32(params.width));
    pixel[k] = u32(clamp(yy, 0, i32(params.height) - 1)) * params.width + u32(clamp(xx, 0, i32(params.width) - 1));
    mask[k] = select(0.0, 1.0, inside);
  }

  // DW2, all channels.
  var dw = array<vec4<f32>, C * NV>();
  for (var c = 0u; c < C; c++) {
    let plane = imageBase + c * hw;
    var window = array<f32, WN>();
    for (var k = 0u; k < WN; k++) {
      window[k] = f32(a[plane + pixel[k]]) * mask[k];
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

  // PW2 + bias + residual. Residual loads clamp to the row (values past it are not stored).
  let rowAt = u32(y) * params.width;
  let last = params.width - 1u;
  for (var co = 0u; co < C; co++) {
    let shift = f32(bias[co]);
    var acc = array<vec4<f32>, NV>();
    for (var ci = 0u; ci < C; ci++) {
      let w = f32(pwWeight[co * C + ci]);
      for (var v = 0u; v < NV; v++) { acc[v] += w * dw[ci * NV + v]; }
    }
    let plane = imageBase + co * hw + rowAt;
    for (var v = 0u; v < NV; v++) {
      let xv = vec4<u32>(x0 + 4u * v) + vec4<u32>(0u, 1u, 2u, 3u);
      let at = min(xv, vec4<u32>(last)) + vec4<u32>(plane);
      let r = vec4<f32>(f32(residual[at.x]), f32(residual[at.y]), f32(residual[at.z]), f32(residual[at.w]));
      let value = acc[v] + shift + r;
      for (var j = 0u; j < 4u; j++) {
        if (xv[j] < params.width) { out[plane + xv[j]] = T(value[j]); }
      }
    }
  }
}
