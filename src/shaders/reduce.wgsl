// Sum over the broadcast dimensions of x (the backward of numpy broadcasting), optionally of x²,
// times alpha: out[c, o] = alpha · Σ over chunk c of the reduced coordinates of f(x[o, r]).
// Deterministic without atomics: each invocation sums a fixed range in a fixed order; with
// chunks > 1 the op sums the [chunks, outSize] partials in a second dispatch of this kernel.
//
// OUTER: x is viewed as [redSize, outSize] (the reduced dimensions form a leading block, e.g.
// bias grads [M, N] -> [N], full reductions, the partials of a first pass); chunk c sums rows
// c, c + chunks, ... so neighbouring invocations read neighbouring elements.
// Otherwise (e.g. [B, C, H, W] -> [1, C, 1, 1]) x is 4-D with row-major strides inStrides;
// outShape holds the kept extents (1 where reduced), redShape the reduced ones (1 where kept),
// and chunk c sums the contiguous reduced range [c·chunk, (c+1)·chunk).

struct Params {
  outShape: vec4<u32>,
  redShape: vec4<u32>,
  inStrides: vec4<u32>,
  outSize: u32,
  redSize: u32,
  chunk: u32,     // reduced elements per invocation (generic mode)
  chunks: u32,    // invocations per output element
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override WG: u32 = 256;
override SQUARE: bool = false;
override OUTER: bool = false;

fn term(v: f32) -> f32 {
  if (SQUARE) { return v * v; }
  return v;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let t = (wg.y * groups.x + wg.x) * WG + lane;
  if (t >= params.outSize * params.chunks) { return; }
  let o = t % params.outSize;
  let c = t / params.outSize;
  var acc = 0.0;
  if (OUTER) {
    for (var r = c; r < params.redSize; r += params.chunks) {
      acc += term(f32(x[r * params.outSize + o]));
    }
  } else {
    let os = params.outShape;
    let rs = params.redShape;
    let st = params.inStrides;
    // Kept coordinates of o, then the reduced coordinates of the chunk's first element.
    let o3 = o % os.w;
    let o2 = (o / os.w) % os.z;
    let o1 = (o / (os.w * os.z)) % os.y;
    let o0 = o / (os.w * os.z * os.y);
    let base = o0 * st.x + o1 * st.y + o2 * st.z + o3 * st.w;
    let r0 = c * params.chunk;
    let r1 = min(r0 + params.chunk, params.redSize);
    var c3 = r0 % rs.w;
    var c2 = (r0 / rs.w) % rs.z;
    var c1 = (r0 / (rs.w * rs.z)) % rs.y;
    var c0 = r0 / (rs.w * rs.z * rs.y);
    for (var r = r0; r < r1; r++) {
      acc += term(f32(x[base + c0 * st.x + c1 * st.y + c2 * st.z + c3 * st.w]));
      c3++;
      if (c3 == rs.w) {
        c3 = 0u;
        c2++;
        if (c2 == rs.z) {
          c2 = 0u;
          c1++;
          if (c1 == rs.y) { c1 = 0u; c0++; }
        }
      }
    }
  }
  out[t] = T(params.alpha * acc);
}
