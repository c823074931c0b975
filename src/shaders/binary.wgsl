// Elementwise binary op with numpy broadcasting over up to 4 dimensions:
// out[i] = alpha * a[ia] (op) beta * b[ib], where ia and ib come from the output
// coordinate and per-operand strides (stride 0 on a broadcast dimension). With DENSE (both
// operands have the output's shape) ia = ib = i: no index arithmetic, whose integer divisions
// cost CPU adapters more than the op itself.

struct Params {
  shape: vec4<u32>,     // output shape, padded with leading 1s
  aStrides: vec4<u32>,
  bStrides: vec4<u32>,
  n: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<T>;
@group(0) @binding(2) var<storage, read> b: array<T>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

// 0 add, 1 multiply, 2 maximum
override OP: u32 = 0;
override WG: u32 = 256;
override DENSE: u32 = 0;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.n) { return; }
  var ia = i;
  var ib = i;
  if (DENSE == 0u) {
    let s = params.shape;
    let c3 = i % s.w;
    let c2 = (i / s.w) % s.z;
    let c1 = (i / (s.w * s.z)) % s.y;
    let c0 = i / (s.w * s.z * s.y);
    let coord = vec4<u32>(c0, c1, c2, c3);
    ia = dot(coord, params.aStrides);
    ib = dot(coord, params.bStrides);
  }
  let x = params.alpha * f32(a[ia]);
  let y = params.beta * f32(b[ib]);
  var r: f32;
  switch OP {
    case 1u: { r = x * y; }
    case 2u: { r = max(x, y); }
    default: { r = x + y; }
  }
  out[i] = T(r);
}
