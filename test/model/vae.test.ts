import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/gpu/errors.js';
import { VaeDecoder } from '../../src/model/vae.js';
import { WeightFileError } from '../../src/model/weights.js';
import { convert } from '../../tools/convert-weights/index.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const fixtureRoot = 'test/fixtures/vae';
const out = mkdtempSync(join(tmpdir(), 'ba-vae-'));
/**
 * Relative to the images' largest magnitude. The PyTorch reference runs in f64; the f32 engine
 * lands within 3.4e-7 and 5.3e-7 of max|x| on the two fixtures (a float32 torch forward: 7.4e-7).
 * A 1 % wrong scaling factor misses by 5e-3, half the GroupNorm groups by 0.15, an unscaled
 * attention fails all cases.
 */
const TOL = { atol: 0, rtol: 0, scaleTol: 5e-6 };

interface FixtureConfig {
  name: string;
  block_out_channels: number[];
  layers_per_block: number;
  groups: number;
  scaling_factor: number;
  checkpoints: string[];
}

async function loadFixture(name: string, checkpoint?: string) {
  const engine = await testEngine();
  const io = readSafetensorsFile(join(fixtureRoot, name, 'io.safetensors'));
  const config = JSON.parse(io.metadata.config) as FixtureConfig;
  const source = checkpoint ?? config.checkpoints[0];
  const converted = join(out, `${name}-${source}.safetensors`);
  await convert({ input: join(fixtureRoot, name, source), output: converted, groups: config.groups, scalingFactor: config.scaling_factor });
  const decoder = await VaeDecoder.load(engine, converted);
  const latents = io.tensors.get('latents')!;
  const images = io.tensors.get('images')!;
  return { engine, config, decoder, converted, latents: engine.upload(latents.data, latents.shape), images };
}

describe('VAE decoder equals the PyTorch reference (converter → engine)', () => {
  for (const name of readdirSync(fixtureRoot)) {
    const config = JSON.parse(readSafetensorsFile(join(fixtureRoot, name, 'io.safetensors')).metadata.config) as FixtureConfig;
    for (const checkpoint of config.checkpoints) {
      it(`${name} from ${checkpoint}`, async () => {
        const { engine, decoder, latents, images } = await loadFixture(name, checkpoint);
        expect(decoder.arch).toEqual({
          blockOutChannels: config.block_out_channels, layersPerBlock: config.layers_per_block, groups: config.groups,
          latentChannels: 4, outChannels: 3, scalingFactor: config.scaling_factor,
        });
        expect(decoder.upscale).toBe(2 ** (config.block_out_channels.length - 1));
        const liveBefore = engine.poolStats().liveBytes;
        const decoded = decoder.decode(latents);
        const [N, , h, w] = latents.shape;
        expect(decoded.shape).toEqual([N, 3, h * decoder.upscale, w * decoder.upscale]);
        expect(decoded.shape).toEqual(images.shape);
        expect(decoded.dtype).toBe('f32');
        expectClose(await decoded.readFloat32(), images.data, TOL, `${name} images`);
        // Only the returned images stay allocated: every intermediate was released.
        expect(engine.poolStats().liveBytes - liveBefore).toBe(decoded.byteLength);
        decoded.dispose();
        latents.dispose();
        decoder.dispose();
      });
    }
  }

  it('decodes with the mid-block attention in query row blocks (a small score budget) to the same images', async () => {
    // 5×3 latents: 15 tokens, 60-byte score rows. The default budget takes them all at once.
    const { decoder, latents, images } = await loadFixture('diffusers_c8-12-16-16_g4');
    const blocked = decoder.decode(latents, { maxAttentionScoreBytes: 4 * 15 * 4 });
    expectClose(await blocked.readFloat32(), images.data, TOL, 'blocked attention');
    for (const t of [blocked, latents]) t.dispose();
    decoder.dispose();
  });

  it('in f16 storage stays close to the reference (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const { decoder: f32Decoder, converted, latents, images } = await loadFixture('ldm_c8-8-16_g2');
    f32Decoder.dispose();
    const decoder = await VaeDecoder.load(engine, converted, { dtype: 'f16' });
    expect(decoder.dtype).toBe('f16');
    const half = engine.upload(await latents.readFloat32(), latents.shape, 'f16');
    const decoded = decoder.decode(half);
    expect(decoded.dtype).toBe('f16');
    // f16 activations through ~20 layers: about 1e-2 of the images' scale.
    expectClose(await decoded.readFloat32(), images.data, { atol: 0, rtol: 0, scaleTol: 3e-2 }, 'f16 images');
    for (const t of [decoded, half, latents]) t.dispose();
    decoder.dispose();
  });

  it('names wrong latents and a file that is not a VAE', async () => {
    const { engine, decoder, latents } = await loadFixture('ldm_c8-8-16_g2');
    expect(() => decoder.decode(engine.zeros([1, 3, 4, 4]))).toThrow(ShapeError);
    expect(() => decoder.decode(engine.zeros([1, 3, 4, 4]))).toThrow(/VaeDecoder\.decode: latents must be \[N, 4, h, w\], got \[1, 3, 4, 4\]/);
    expect(() => decoder.decode(engine.zeros([4, 4, 4]))).toThrow(/latents must be \[N, 4, h, w\], got \[4, 4, 4\]/);
    // f16 latents are widened, not refused (vae-tiling.test.ts checks the values).
    if (engine.has('shader-f16')) expect(decoder.decode(engine.zeros([1, 4, 4, 4], 'f16')).dtype).toBe('f32');
    latents.dispose();
    decoder.dispose();
    const sidenet = join(out, 'sidenet.safetensors');
    await convert({ input: 'test/fixtures/sidenet/side_c32_e32_l4_8x8/sidenet.pt', output: sidenet, heads: 4 });
    await expect(VaeDecoder.load(engine, sidenet)).rejects.toThrow(WeightFileError);
    await expect(VaeDecoder.load(engine, sidenet)).rejects.toThrow(/expected VAE weights, but the file holds a sidenet/);
  });
});
