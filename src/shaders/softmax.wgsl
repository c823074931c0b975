// Numerically stable softmax over the last dimension of [rows, n], one workgroup per row.
// Each invocation keeps a running (max, sum of exp(x - max)) over a strided slice of the row;
// the pairs are merged in a workgroup tree, so the row is read twice (reduce, write), not three times.

struct Params {
  rows: u32,
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override WG: u32 = 64;  // a power of two (tree reduction)

var<workgroup> maxes: array<f32, WG>;
var<workgroup> sums: array<f32, WG>;

// Stands in for -inf: WGSL has no infinity literal.
const NEG_BIG = -3.0e38;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let row = wg.y * groups.x + wg.x;
  // No early return: every invocation must reach the barriers. Rows past the end do no I/O.
  let valid = row < params.rows;
  let n = select(0u, params.n, valid);
  let base = row * params.n;

  var m = NEG_BIG;
  var s = 0.0;
  for (var j = lane; j < n; j += WG) {
    let v = f32(x[base + j]);
    let mNew = max(m, v);
    s = s * exp(m - mNew) + exp(v - mNew);
    m = mNew;
  }
  maxes[lane] = m;
  sums[lane] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      let m2 = maxes[lane + half];
      let mNew = max(m, m2);
      s = s * exp(m - mNew) + sums[lane + half] * exp(m2 - mNew);
      m = mNew;
      maxes[lane] = m;
      sums[lane] = s;
    }
    workgroupBarrier();
  }
  let rowMax = maxes[0];
  let inv = 1.0 / sums[0];
  for (var j = lane; j < n; j += WG) {
    out[base + j] = T(exp(f32(x[base + j]) - rowMax) * inv);
  }
}
