// Classifier-free guidance on a batched forward: v holds the conditional half (images 0..B-1)
// then the null-class half (B..2B-1), each [channelsIn, pixels]. For image b, channel c < channels:
//   out = vu + scale * (vc - vu)   when c < guidedChannels and tLo <= t[b] <= tHi
//   out = vc                       otherwise
// REPA guides all 4 channels inside a time interval; original SiT guides 3 channels always.

struct Params {
  images: u32,
  channels: u32,
  channelsIn: u32,
  pixels: u32,
  guidedChannels: u32,
  scale: f32,
  tLo: f32,
  tHi: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> v: array<T>;
@group(0) @binding(2) var<storage, read> t: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  let perImage = params.channels * params.pixels;
  if (i >= params.images * perImage) { return; }
  let b = i / perImage;
  let c = (i % perImage) / params.pixels;
  let p = i % params.pixels;
  let cond = f32(v[(b * params.channelsIn + c) * params.pixels + p]);
  let tb = t[b];
  if (c < params.guidedChannels && tb >= params.tLo && tb <= params.tHi) {
    let uncond = f32(v[((b + params.images) * params.channelsIn + c) * params.pixels + p]);
    out[i] = T(uncond + params.scale * (cond - uncond));
  } else {
    out[i] = T(cond);
  }
}
