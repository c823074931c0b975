import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePixels, encodePixels, FASHION_CODEC, imageShape, latentShape, type PixelLatentCodec } from '../../src/model/pixel-latent.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/pixel-latent.json', import.meta.url), 'utf8')) as {
  codec: PixelLatentCodec; images: number[]; imageShape: number[]; latents: number[]; latentShape: number[];
};

describe('pixel latent codec', () => {
  it("encodes like PyTorch's pad(−1) + pixel_unshuffle (3-channel, non-square fixture)", () => {
    const [n, , h, w] = fixture.imageShape;
    expect(latentShape(fixture.codec, h, w)).toEqual(fixture.latentShape.slice(1));
    const got = encodePixels(fixture.codec, Float32Array.from(fixture.images), n, h, w);
    expect(Array.from(got)).toEqual(Array.from(Float32Array.from(fixture.latents)));
  });

  it('decodes back to the images (the padding cropped off)', () => {
    const [n, , lh, lw] = fixture.latentShape;
    expect(imageShape(fixture.codec, fixture.latentShape[1], lh, lw)).toEqual(fixture.imageShape.slice(1));
    const got = decodePixels(fixture.codec, Float32Array.from(fixture.latents), n, lh, lw);
    expect(Array.from(got)).toEqual(Array.from(Float32Array.from(fixture.images)));
  });

  it('Fashion-MNIST: 28×28 → [4, 16, 16] and back', () => {
    expect(latentShape(FASHION_CODEC, 28, 28)).toEqual([4, 16, 16]);
    const image = Float32Array.from({ length: 28 * 28 }, (_, i) => Math.sin(i));
    const latent = encodePixels(FASHION_CODEC, image, 1, 28, 28);
    expect(Array.from(decodePixels(FASHION_CODEC, latent, 1, 16, 16))).toEqual(Array.from(image));
  });

  it('rejects shapes that do not fit the codec, naming them', () => {
    expect(() => latentShape(FASHION_CODEC, 27, 28)).toThrow(/31×32 is not divisible by 2/);
    expect(() => imageShape(FASHION_CODEC, 3, 16, 16)).toThrow(/3 latent channels, expected 1·2² = 4/);
    expect(() => encodePixels(FASHION_CODEC, new Float32Array(10), 1, 28, 28)).toThrow(/10 values for 1 images/);
  });
});
