import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { VaeDecoder } from '../../src/model/vae.js';
import type { VaeArch } from '../../src/model/weights.js';
import { tinyVaeFile } from '../api/tiny-models.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';

/**
 * Narrow and deep: 4 channels everywhere, ×32 upscaling, so the latents stay small enough for
 * the mid-block attention (64×129 = 8,256 tokens) while each full-resolution activation,
 * 4 × 2048 × 4128 × 4 bytes = 129 MiB, passes WebGPU's default 128 MiB binding limit.
 */
const ARCH: VaeArch = { blockOutChannels: [4, 4, 4, 4, 4, 4], layersPerBlock: 0, groups: 2, latentChannels: 4, outChannels: 3, scalingFactor: 0.18215 };
const LATENT_SHAPE = [1, 4, 64, 129];
const DEFAULT_BINDING_LIMIT = 128 * 2 ** 20;

let defaultDevice: GPUDevice | undefined;
// Dawn tears its instance down when it is collected, even under a live device: keep it.
let dawnInstance: GPU | undefined;

afterAll(() => defaultDevice?.destroy());

describe('VaeDecoder on a device with WebGPU\'s default limits', () => {
  it('decodes latents whose full-resolution activations exceed 128 MiB (bands), as a decode in other bands does', async () => {
    await testEngine(); // loads Dawn and chooses the Vulkan driver, as every GPU test does
    const { create } = await import('webgpu');
    dawnInstance = create([]);
    const adapter = await dawnInstance.requestAdapter();
    // No requiredLimits: WebGPU's defaults.
    defaultDevice = await adapter!.requestDevice();
    const engine = await Engine.create({ device: defaultDevice });
    expect(engine.limits.maxStorageBufferBindingSize).toBe(DEFAULT_BINDING_LIMIT);
    expect(engine.limits.maxBufferSize).toBe(2 * DEFAULT_BINDING_LIMIT);

    const decoder = await VaeDecoder.load(engine, tinyVaeFile(41, ARCH));
    const [, , h, w] = LATENT_SHAPE;
    const [height, width] = [h * decoder.upscale, w * decoder.upscale];
    // The premise: one untiled activation does not fit a binding.
    expect(4 * height * width * 4).toBeGreaterThan(DEFAULT_BINDING_LIMIT);
    const latents = engine.upload(new Rng(42).normals(LATENT_SHAPE.reduce((a, b) => a * b)), LATENT_SHAPE);

    let start = performance.now();
    const decoded = decoder.decode(latents);
    const images = await decoded.readFloat32();
    const seconds = (performance.now() - start) / 1000;
    expect(decoded.shape).toEqual([1, 3, height, width]);
    decoded.dispose();
    expect(images.every(Number.isFinite)).toBe(true);

    // The full-resolution level in 3 bands of 683 rows instead of 2 of 1024: other halos, other
    // GroupNorm merges. As in vae-tiling.test.ts, only f32 rounding of the statistics differs.
    start = performance.now();
    const rebanded = decoder.decode(latents, { maxBindingBytes: 48 * 2 ** 20 });
    const other = await rebanded.readFloat32();
    const otherSeconds = (performance.now() - start) / 1000;
    rebanded.dispose();
    expectClose(images, other, { atol: 0, rtol: 0, scaleTol: 2e-6 }, 'default-limit bands vs 48 MiB bands');
    console.log(`decoded [${LATENT_SHAPE}] -> ${height}×${width} on default limits in ${seconds.toFixed(1)} s (48 MiB bands: ${otherSeconds.toFixed(1)} s)`);
    latents.dispose();
    decoder.dispose();
    engine.dispose();
  }, 600_000);
});
