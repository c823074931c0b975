// Images in [-1, 1] -> packed 8-bit texels, laid out for copyBufferToTexture.
//
// Source: images [N, C, H, W] (C = 1 grayscale or 3 RGB), or pixel-space latents that the
// indexing decodes on the fly: [N, C·f², (H + 2·pad)/f, (W + 2·pad)/f], pixel-shuffled by f
// (PyTorch's order: latent channel = (c·f + rowParity)·f + colParity) with `pad` pixels cropped
// from every side. Plain images are the case f = 1, pad = 0.
// Output: one u32 per texel, bytes R, G, B, A (B, G, R, A with swapRedBlue), byte = round(255·
// clamp((v + 1)/2, 0, 1)), alpha 255. Images are tiled `columns` per row; texels of the grid that
// hold no image are transparent black. A row of texels is rowPitch u32 long (256-byte aligned).

struct Params {
  images: u32,
  channels: u32,      // image channels: 1 or 3
  height: u32,        // image height and width (after the crop)
  width: u32,
  factor: u32,        // pixel-shuffle factor f (1: the source is the image itself)
  pad: u32,           // pixels cropped from every side after the shuffle
  sourceHeight: u32,
  sourceWidth: u32,
  columns: u32,       // images per grid row
  outWidth: u32,      // columns · width
  outHeight: u32,     // grid rows · height
  rowPitch: u32,      // u32 per output row
  swapRedBlue: u32,   // 1: B, G, R, A byte order (bgra8unorm textures)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> source: array<T>;
@group(0) @binding(2) var<storage, read_write> texels: array<u32>;

override WG: u32 = 256;

fn value(n: u32, c: u32, y: u32, x: u32) -> f32 {
  let f = params.factor;
  let py = y + params.pad;
  let px = x + params.pad;
  let channel = (c * f + py % f) * f + px % f;
  let sourceChannels = params.channels * f * f;
  return f32(source[((n * sourceChannels + channel) * params.sourceHeight + py / f) * params.sourceWidth + px / f]);
}

fn unorm8(v: f32) -> u32 {
  return u32(floor(clamp(v * 0.5 + 0.5, 0.0, 1.0) * 255.0 + 0.5));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let o = (wg.y * groups.x + wg.x) * WG + lane;
  if (o >= params.outWidth * params.outHeight) { return; }
  let gx = o % params.outWidth;
  let gy = o / params.outWidth;
  let n = (gy / params.height) * params.columns + gx / params.width;
  var texel = 0u;
  if (n < params.images) {
    let y = gy % params.height;
    let x = gx % params.width;
    // Grayscale reads channel 0 three times: the clamped index keeps every read in bounds.
    let last = params.channels - 1u;
    let r = unorm8(value(n, 0u, y, x));
    let g = unorm8(value(n, min(1u, last), y, x));
    let b = unorm8(value(n, min(2u, last), y, x));
    let swap = params.swapRedBlue == 1u;
    texel = select(r, b, swap) | (g << 8u) | (select(b, r, swap) << 16u) | (255u << 24u);
  }
  texels[gy * params.rowPitch + gx] = texel;
}
