// Patchify: x [B, C, H, W] -> out [B, T, C*p*p], T = (H/p)(W/p) patches in row-major order,
// each row ordered (c, i, j) like a flattened conv weight [D, C, p, p], so that the patch
// embedding (a stride-p conv) is this gather followed by a matmul with weight [D, C*p*p].

struct Params {
  channels: u32,
  height: u32,
  width: u32,
  p: u32,         // patch size ("patch" is reserved in WGSL)
  total: u32,     // B * C * H * W
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  // One thread per output element, so the writes are contiguous.
  let o = (wg.y * groups.x + wg.x) * WG + lane;
  if (o >= params.total) { return; }
  let p = params.p;
  let rowLen = params.channels * p * p;
  let tokensX = params.width / p;
  let tokens = (params.height / p) * tokensX;
  let e = o % rowLen;
  let tok = (o / rowLen) % tokens;
  let b = o / (rowLen * tokens);
  let c = e / (p * p);
  let y = (tok / tokensX) * p + (e / p) % p;
  let xi = (tok % tokensX) * p + e % p;
  out[o] = x[((b * params.channels + c) * params.height + y) * params.width + xi];
}
