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
  out[i] = T(select(cos(arg), sin(arg), j >= params.half));
}
