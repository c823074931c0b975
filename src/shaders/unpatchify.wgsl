// Unpatchify: tokens [B, T, p*p*Cout] -> out [B, Ckeep, H, W], T = (H/p)(W/p) row-major.
// Each token's vector is ordered (row-in-patch i, col-in-patch j, channel c), channel
// fastest; only the first Ckeep channels are kept (SiT learn_sigma: Cout 8, keep 4).

struct Params {
  channels: u32,   // Cout, channels per token position
  keep: u32,       // Ckeep <= Cout
  height: u32,
  width: u32,
  p: u32,          // patch size ("patch" is reserved in WGSL)
  total: u32,      // B * Ckeep * H * W
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> tokens: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let o = (wg.y * groups.x + wg.x) * WG + lane;
  if (o >= params.total) { return; }
  let p = params.p;
  let xi = o % params.width;
  let y = (o / params.width) % params.height;
  let c = (o / (params.width * params.height)) % params.keep;
  let b = o / (params.width * params.height * params.keep);
  let tokensX = params.width / p;
  let count = (params.height / p) * tokensX;
  let tok = (y / p) * tokensX + xi / p;
  let e = ((y % p) * p + xi % p) * params.channels + c;
  out[o] = tokens[(b * count + tok) * p * p * params.channels + e];
}
