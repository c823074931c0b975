import { describe, expect, it } from 'vitest';
import { acquireDevice } from '../../src/gpu/device.js';
import { Engine } from '../../src/gpu/engine.js';
import { DisposedError } from '../../src/gpu/errors.js';
import { TextureError } from '../../src/gpu/texture.js';
import { ImageGenerator, type ModelLoadProgress } from '../../src/generator.js';
import { SamplingAbortedError, type SolverName } from '../../src/solver/index.js';
import { imagesToTexelsRef, latentsToTexelsRef } from '../reference/image.js';
import { TINY_CODEC, TINY_SIDENET_ARCH, tinySideNetFile, tinySitFile, tinyVaeFile } from './tiny-models.js';
import { testEngine } from '../helpers/engine.js';
import { trackDevice } from './tracking-device.js';

const sit = tinySitFile();
const sidenet = tinySideNetFile();

async function newDevice(): Promise<GPUDevice> {
  return (await acquireDevice()).device;
}

async function tinyGenerator(engine: Engine): Promise<ImageGenerator> {
  return ImageGenerator.load(engine, { sit, sidenet });
}

/** Texels of the codec's images, as bytes; off by one at rounding ties only (none expected here). */
function expectPixels(actual: Uint8Array, expected: Uint8Array, what: string) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  if (worst > 1) throw new Error(`${what}: pixels differ by up to ${worst}`);
}

describe('ImageGenerator: load, generate, decode to a texture', () => {
  it('loads SiT + SideNet with per-file progress and reports the pixel codec', async () => {
    const engine = await testEngine();
    const progress: ModelLoadProgress[] = [];
    const generator = await ImageGenerator.load(engine, { sit: sit.slice().buffer, sidenet: new Blob([sidenet.slice().buffer]) }, { onProgress: (p) => progress.push(p) });
    expect(progress[0].model).toBe('sit');
    expect(progress.at(-1)!.model).toBe('sidenet');
    const last = (model: string) => progress.filter((p) => p.model === model).at(-1)!;
    expect(last('sit').loadedBytes).toBe(sit.byteLength);
    expect(last('sidenet').loadedBytes).toBe(sidenet.byteLength);
    expect(generator.decoder).toBe('pixel-codec');
    expect(generator.latentShape).toEqual([4, 8, 8]);
    expect(generator.imageSize).toEqual({ width: 12, height: 12, channels: 1 });
    generator.dispose();
  });

  it('the texture holds the CPU codec\'s images of the generated latents, tiled per row', async () => {
    const engine = await testEngine();
    const generator = await tinyGenerator(engine);
    const latent = await generator.generate({ labels: [1, 4, 7], solver: 'ba', nfe: 3, guidance: 1.5, seed: 5 });
    expect(latent.shape).toEqual([3, 4, 8, 8]);
    const texture = await generator.decodeToTexture(latent, { columns: 2 });
    expect([texture.width, texture.height, texture.format]).toEqual([24, 24, 'rgba8unorm']);
    const expected = latentsToTexelsRef(TINY_CODEC, await latent.read(), latent.shape, 2);
    const pixels = await generator.readPixels(texture);
    expectPixels(pixels, expected.bytes, 'decoded texture');
    // Not a blank image: the random model's pictures use the byte range.
    expect(new Set(pixels.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(50);
    latent.dispose();
    generator.dispose();
  });

  it('a VAE-latent SiT decodes through the VAE: the texture holds the VAE\'s images', async () => {
    const engine = await testEngine();
    const progress = new Set<string>();
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(11, null), sidenet, vae: tinyVaeFile() }, { onProgress: (p) => progress.add(p.model) });
    expect([...progress]).toEqual(['sit', 'sidenet', 'vae']);
    expect(generator.decoder).toBe('vae');
    expect(generator.imageSize).toEqual({ width: 16, height: 16, channels: 3 });
    const latent = await generator.generate({ labels: [3, 9], nfe: 2, seed: 8 });
    const texture = await generator.decodeToTexture(latent, { columns: 1 });
    expect([texture.width, texture.height]).toEqual([16, 32]);
    const images = generator.vae!.decode(latent);
    const expected = imagesToTexelsRef(await images.read(), images.shape, 1);
    const pixels = await generator.readPixels(texture);
    expectPixels(pixels, expected.bytes, 'VAE texture');
    expect(new Set(pixels.filter((_, i) => i % 4 === 1)).size).toBeGreaterThan(50);
    images.dispose();
    latent.dispose();
    generator.dispose();
    await expect(ImageGenerator.load(engine, { sit, vae: tinyVaeFile() })).rejects.toThrow(/this SiT works on pixels .* it needs no VAE/);
  });

  it('image i depends only on seed + i: the same picture in any batch, a new one for a new seed', async () => {
    const engine = await testEngine();
    const generator = await tinyGenerator(engine);
    const read = async (labels: number[], seed: number) => {
      const latent = await generator.generate({ labels, nfe: 2, seed });
      const values = await latent.readFloat32();
      latent.dispose();
      return values;
    };
    const pair = await read([3, 6], 40);
    const second = await read([6], 41);
    const per = 4 * 8 * 8;
    expect(Array.from(pair.subarray(per))).toEqual(Array.from(second));
    const other = await read([3], 41);
    expect(Array.from(other)).not.toEqual(Array.from(pair.subarray(0, per)));
    generator.dispose();
  });

  it('writes into the caller\'s texture (bgra8unorm, at an origin) and names textures that do not fit', async () => {
    const engine = await testEngine();
    const generator = await tinyGenerator(engine);
    const latent = await generator.generate({ labels: [2], nfe: 2, seed: 1 });
    const usage = GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | GPUTextureUsage.TEXTURE_BINDING;
    const target = engine.device.createTexture({ size: [20, 16], format: 'bgra8unorm', usage });
    expect(await generator.decodeToTexture(latent, { texture: target, origin: [8, 4] })).toBe(target);
    const expected = latentsToTexelsRef(TINY_CODEC, await latent.read(), latent.shape, 1, 'bgra');
    expectPixels(await readRegion(generator, target, 8, 4, 12, 12), expected.bytes, 'bgra texture region');

    const small = engine.device.createTexture({ size: [11, 12], format: 'rgba8unorm', usage });
    await expect(generator.decodeToTexture(latent, { texture: small })).rejects.toThrow(TextureError);
    await expect(generator.decodeToTexture(latent, { texture: small })).rejects.toThrow(/texture is 11x12 but the image needs 12x12/);
    const float = engine.device.createTexture({ size: [12, 12], format: 'rgba16float', usage });
    await expect(generator.decodeToTexture(latent, { texture: float })).rejects.toThrow(/texture format 'rgba16float' cannot take 8-bit RGBA texels/);
    const sampledOnly = engine.device.createTexture({ size: [12, 12], format: 'rgba8unorm', usage: GPUTextureUsage.TEXTURE_BINDING });
    await expect(generator.decodeToTexture(latent, { texture: sampledOnly })).rejects.toThrow(/usage lacks COPY_DST/);
    // Rejected textures leave nothing recorded behind.
    expect(engine.pendingDispatches).toBe(0);
    for (const t of [target, small, float, sampledOnly]) t.destroy();
    latent.dispose();
    generator.dispose();
  });

  it('per-step events: one per step, with time since the start', async () => {
    const engine = await testEngine();
    const generator = await tinyGenerator(engine);
    const solvers: [SolverName, number][] = [['ba', 4], ['heun', 7], ['euler', 4]];
    for (const [solver, calls] of solvers) {
      const steps: { step: number; elapsedMs: number; backboneCalls: number; ms: number }[] = [];
      const latent = await generator.generate({ labels: [0], solver, nfe: 4, onStep: (s) => steps.push(s) });
      expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
      expect(steps[3].backboneCalls).toBe(calls);
      for (let i = 1; i < steps.length; i++) expect(steps[i].elapsedMs).toBeGreaterThanOrEqual(steps[i - 1].elapsedMs);
      expect(steps.every((s) => s.ms >= 0 && s.ms <= s.elapsedMs)).toBe(true);
      latent.dispose();
    }
    generator.dispose();
  });

  it('names bad requests', async () => {
    const engine = await testEngine();
    const generator = await tinyGenerator(engine);
    await expect(generator.generate({ labels: [] })).rejects.toThrow(/labels is empty/);
    await expect(generator.generate({ labels: [3, 11] })).rejects.toThrow(/labels\[1\] = 11 is not a class of this model \(0\.\.9, or 10 for unconditional\)/);
    await expect(generator.generate({ labels: [1], seed: 0.5 })).rejects.toThrow(/seed must be an integer/);
    const [rgb, pair] = [engine.zeros([1, 3, 8, 8]), engine.zeros([2, 4, 8, 8])];
    await expect(generator.decodeToTexture(rgb)).rejects.toThrow(/latent must be \[N, 4, H, W\], got \[1, 3, 8, 8\]/);
    await expect(generator.decodeToTexture(pair, { columns: 0 })).rejects.toThrow(/columns must be a positive integer/);
    rgb.dispose();
    pair.dispose();
    generator.dispose();
    await expect(generator.generate({ labels: [1] })).rejects.toThrow(DisposedError);

    const vaeLatentModel = await ImageGenerator.load(engine, { sit: tinySitFile(11, null) });
    expect(vaeLatentModel.decoder).toBe('none');
    const latent = await vaeLatentModel.generate({ labels: [1], nfe: 1 });
    await expect(vaeLatentModel.decodeToTexture(latent)).rejects.toThrow(/no latent_codec in its metadata, so its latents need a VAE/);
    latent.dispose();
    vaeLatentModel.dispose();

    const before = engine.poolStats().liveBytes;
    const misfit = tinySideNetFile(3, { ...TINY_SIDENET_ARCH, classes: 7 });
    await expect(ImageGenerator.load(engine, { sit, sidenet: misfit })).rejects.toThrow(/SideNet \(4 channels, 7 classes\) does not fit the SiT \(4 channels, 10 classes\)/);
    await expect(ImageGenerator.load(engine, { sit, sidenet: sidenet.slice(0, 1000) })).rejects.toThrow(/ended early/);
    // A failed load frees what it had loaded.
    expect(engine.poolStats().liveBytes).toBe(before);
  });
});

async function readRegion(generator: ImageGenerator, texture: GPUTexture, x: number, y: number, width: number, height: number) {
  const all = await generator.readPixels(texture);
  const out = new Uint8Array(width * height * 4);
  for (let r = 0; r < height; r++) out.set(all.subarray(((y + r) * texture.width + x) * 4, ((y + r) * texture.width + x + width) * 4), r * width * 4);
  return out;
}

describe('ImageGenerator: GPU memory, sharing a device, cancellation', () => {
  it('dispose() frees every GPU buffer and texture the generator and its engine made (the host device survives)', async () => {
    const host = await newDevice();
    const tracked = trackDevice(host);
    const engine = await Engine.create({ device: tracked.device });
    const generator = await tinyGenerator(engine);
    const latent = await generator.generate({ labels: [1, 2], nfe: 3, guidance: 2, seed: 3 });
    const made = await generator.decodeToTexture(latent);
    const mine = engine.device.createTexture({ size: [24, 12], format: 'rgba8unorm', usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC });
    await generator.decodeToTexture(latent, { texture: mine });
    await generator.readPixels(made);
    expect(tracked.liveBuffers()).toBeGreaterThan(10);
    expect(tracked.liveTextures()).toBe(2);
    latent.dispose();
    generator.dispose();
    // The weights are back in the pool, the generator's texture is gone, the caller's is not.
    expect(engine.poolStats().liveBytes).toBe(0);
    expect(tracked.liveTextures()).toBe(1);
    engine.dispose();
    expect(tracked.liveBuffers()).toBe(0);
    mine.destroy();
    expect(tracked.liveTextures()).toBe(0);
    // A guest engine never destroys the host's device.
    const probe = host.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_DST });
    host.pushErrorScope('validation');
    host.queue.writeBuffer(probe, 0, new Float32Array(4));
    expect(await host.popErrorScope()).toBe(null);
    probe.destroy();
    host.destroy();
  });

  it('two engines on one device do not interfere: concurrent runs equal solo runs, and disposing one leaves the other working', async () => {
    const device = await newDevice();
    const engineA = await Engine.create({ device });
    const engineB = await Engine.create({ device });
    const a = await tinyGenerator(engineA);
    const b = await tinyGenerator(engineB);
    const run = async (g: ImageGenerator, seed: number) => {
      const latent = await g.generate({ labels: [seed % 10, 9], nfe: 3, guidance: 1.5, seed });
      const texture = await g.decodeToTexture(latent);
      const pixels = await g.readPixels(texture);
      latent.dispose();
      texture.destroy();
      return pixels;
    };
    const soloA = await run(a, 1);
    const soloB = await run(b, 2);
    for (let round = 0; round < 3; round++) {
      const [pa, pb] = await Promise.all([run(a, 1), run(b, 2)]);
      expect(Array.from(pa)).toEqual(Array.from(soloA));
      expect(Array.from(pb)).toEqual(Array.from(soloB));
    }
    a.dispose();
    engineA.dispose();
    expect(Array.from(await run(b, 2))).toEqual(Array.from(soloB));
    b.dispose();
    engineB.dispose();
    device.destroy();
  });

  it('cancellation: an abort between steps rejects with an AbortError, frees the run, and the generator keeps working', async () => {
    const engine = await testEngine();
    const generator = await tinyGenerator(engine);
    const reference = await generator.generate({ labels: [5], nfe: 5, seed: 9 });
    const expected = await reference.readFloat32();
    reference.dispose();
    await engine.sync();
    const live = engine.poolStats().liveBytes;

    const controller = new AbortController();
    const steps: number[] = [];
    const run = generator.generate({ labels: [5], nfe: 5, seed: 9, signal: controller.signal, onStep: (s) => (steps.push(s.step), s.step === 2 && controller.abort()) });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamplingAbortedError);
    expect((err as Error).name).toBe('AbortError');
    expect((err as Error).message).toMatch(/aborted before step 3 of 5/);
    expect(steps).toEqual([1, 2]);
    expect(engine.poolStats().liveBytes).toBe(live);
    expect(engine.pendingDispatches).toBe(0);

    // Already aborted: rejected before any GPU work.
    const created = engine.poolStats().created;
    await expect(generator.generate({ labels: [5], nfe: 5, signal: controller.signal })).rejects.toThrow(/aborted before step 1 of 5/);
    expect(engine.poolStats().created).toBe(created);
    expect(engine.poolStats().liveBytes).toBe(live);

    const again = await generator.generate({ labels: [5], nfe: 5, seed: 9 });
    expect(Array.from(await again.readFloat32())).toEqual(Array.from(expected));
    again.dispose();
    generator.dispose();
  });
});
