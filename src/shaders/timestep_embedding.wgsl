// Sinusoidal timestep embedding (SiT/DiT TimestepEmbedder, also used for the SideNet's h):
// out[n, k] = cos(t[n] * f_k), out[n, half + k] = sin(t[n] * f_k),
// f_k = exp(-ln(maxPeriod) * k / half), k < half = dim / 2. Cos first.
// Times stay f32 whatever T is: f16 would quantise small offsets h before the sinusoid.

struct Params {
  total: u32,           // N * dim
  dim: u32,
  half: u32,
  logMaxPeriod: f32,    // ln(10000) for SiT
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> t: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.total) { return; }
  let j = i % params.dim;
  let k = select(j, j - params.half, j >= params.half);
  let freq = exp(-params.logMaxPeriod * f32(k) / f32(params.half));
  let arg = t[i / params.dim] * freq;
  let sc = sinCos(arg);
  out[i] = T(select(sc.y, sc.x, j >= params.half));
}

// (sin a, cos a) to a few ulp for |a| < 2^15. WGSL's builtin sin/cos only promise 2^-11 absolute
// error, and SwiftShader is that coarse (2e-4 off here). Cody-Waite reduction by π/2 (the first
// part has 8 significant bits, so q·part is exact), then Cephes' sinf/cosf polynomials on
// [-π/4, π/4] and the quadrant, without branches.
fn sinCos(a: f32) -> vec2<f32> {
  let q = round(a * 0.63661977236758134);
  let r = ((a - q * 1.5703125) - q * 4.8375129699707031e-4) - q * 7.5497899548918821e-8;
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  let n = i32(q) & 3;
  let swapped = (n & 1) == 1;
  let sinA = select(s, c, swapped) * select(1.0, -1.0, n >= 2);
  let cosA = select(c, s, swapped) * select(1.0, -1.0, (n == 1) | (n == 2));
  return vec2<f32>(sinA, cosA);
}
