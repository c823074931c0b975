/**
 * Latent datasets for SideNet training: an interface, an in-memory implementation, and a
 * parser for MNIST-style IDX files (node.ts reads them from disk, gunzipping .gz).
 *
 * IDX images become latents like this (a documented choice; real training uses VAE latents):
 * pixels scaled to [−1, 1] (p/127.5 − 1); if the image is larger than the latent, it is first
 * average-pooled by the smallest integer factor that makes it fit (28 → 7 for an 8×8 latent);
 * then centred, padded with −1 (background) or cropped, to the latent H × W; the single channel
 * is repeated into each of the model's C latent channels.
 */
import { encodePixels, latentShape, type PixelLatentCodec } from '../model/pixel-latent.js';
import type { Rng } from './rng.js';

export interface LatentDataset {
  /** [C, H, W] of one latent. */
  readonly shape: readonly [number, number, number];
  /** Number of classes (labels are 0..classes−1; the null class is `classes`). */
  readonly classes: number;
  readonly size: number;
  /** Latent i (C·H·W values, REPA latent space) and its label. */
  item(i: number): { latent: Float32Array; label: number };
}

export class InMemoryDataset implements LatentDataset {
  readonly size: number;

  constructor(
    readonly shape: readonly [number, number, number],
    readonly classes: number,
    /** size·C·H·W values, latent after latent. */
    private readonly latents: Float32Array,
    private readonly labels: ArrayLike<number>,
  ) {
    const per = shape[0] * shape[1] * shape[2];
    this.size = labels.length;
    if (latents.length !== per * this.size) throw new Error(`InMemoryDataset: ${latents.length} values for ${this.size} latents of [${shape}]`);
    for (let i = 0; i < this.size; i++) {
      const y = labels[i];
      if (!Number.isInteger(y) || y < 0 || y >= classes) throw new Error(`InMemoryDataset: label ${i} = ${y} is not in 0..${classes - 1}`);
    }
  }

  item(i: number): { latent: Float32Array; label: number } {
    const per = this.shape[0] * this.shape[1] * this.shape[2];
    return { latent: this.latents.subarray(i * per, (i + 1) * per), label: this.labels[i] };
  }
}

/** A batch drawn uniformly with replacement (so resuming needs only the RNG state). */
export function sampleBatch(data: LatentDataset, rng: Rng, batch: number): { x0: Float32Array; labels: number[] } {
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  const x0 = new Float32Array(batch * per);
  const labels: number[] = [];
  for (let b = 0; b < batch; b++) {
    const { latent, label } = data.item(rng.int(data.size));
    x0.set(latent, b * per);
    labels.push(label);
  }
  return { x0, labels };
}

/** Parses an IDX file (big-endian header: 0, 0, type 0x08 = u8, rank; then dims; then data). */
export function parseIdx(bytes: Uint8Array): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error('not an unsigned-byte IDX file (magic 0x0000_08xx)');
  const rank = bytes[3];
  const dims = [...Array(rank).keys()].map((i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < start + count) throw new Error(`IDX file truncated: ${bytes.length - start} of ${count} values`);
  return { dims, data: bytes.subarray(start, start + count) };
}

/**
 * IDX images [N, h, w] + labels [N] as a latent dataset of shape [C, H, W]: through `codec` when
 * the backbone was trained on pixel latents (its metadata says so), else as the file comment says.
 */
export function idxDataset(images: Uint8Array, labels: Uint8Array, shape: readonly [number, number, number], classes = 10, limit = Infinity, codec?: PixelLatentCodec): InMemoryDataset {
  const img = parseIdx(images);
  const lab = parseIdx(labels);
  if (img.dims.length !== 3 || lab.dims.length !== 1 || img.dims[0] !== lab.dims[0]) throw new Error(`IDX: images [${img.dims}] and labels [${lab.dims}] do not match`);
  const [C, H, W] = shape;
  const [n0, h, w] = img.dims;
  const n = Math.min(n0, limit);
  if (codec) {
    const expected = latentShape(codec, h, w);
    if (expected.join() !== shape.join()) throw new Error(`IDX: ${h}×${w} images encode to latents [${expected}], the backbone takes [${shape}]`);
    if (codec.imageChannels !== 1) throw new Error(`IDX images have 1 channel, the latent codec expects ${codec.imageChannels}`);
    const pixels = new Float32Array(n * h * w);
    for (let i = 0; i < pixels.length; i++) pixels[i] = img.data[i] / 127.5 - 1;
    return new InMemoryDataset(shape, classes, encodePixels(codec, pixels, n, h, w), Array.from(lab.data.subarray(0, n)));
  }
  const f = Math.max(1, Math.ceil(Math.max(h / H, w / W)));
  const ph = Math.floor(h / f);
  const pw = Math.floor(w / f);
  const out = new Float32Array(n * C * H * W).fill(-1);
  const top = Math.floor((H - ph) / 2);
  const left = Math.floor((W - pw) / 2);
  for (let i = 0; i < n; i++) {
    const base = i * C * H * W;
    for (let r = 0; r < ph; r++) {
      const R = r + top;
      if (R < 0 || R >= H) continue;
      for (let c = 0; c < pw; c++) {
        const Cc = c + left;
        if (Cc < 0 || Cc >= W) continue;
        let sum = 0;
        for (let dr = 0; dr < f; dr++) for (let dc = 0; dc < f; dc++) sum += img.data[i * h * w + (r * f + dr) * w + c * f + dc];
        const value = sum / (f * f) / 127.5 - 1;
        for (let ch = 0; ch < C; ch++) out[base + ch * H * W + R * W + Cc] = value;
      }
    }
  }
  return new InMemoryDataset(shape, classes, out, Array.from(lab.data.subarray(0, n)));
}
