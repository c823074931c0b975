/**
 * `ba-webgpu sample`: class-conditional images from a SiT (+ SideNet for BA-solver, + a VAE for
 * SiTs on VAE latents) into a PNG grid, one row per class, with progress and the per-NFE time.
 * Runs through ImageGenerator, the path apps use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../gpu/engine.js';
import { imageGridPng, rgbaGridPng } from '../eval/png.js';
import type { Tensor } from '../gpu/tensor.js';
import { imageShape } from '../model/pixel-latent.js';
import {
  checkWritable, FASHION_CLASS_NAMES, MAX_NFE, vaeImageShape, parseInteger, parseIntList, parseInterval, parseNumber, parseSeed, parseSolver, Progress, requireFile, SHIPPED, sitHeader, UsageError,
} from './common.js';
import { generate, latentsToImages, loadGenerator } from './generate.js';

export const SAMPLE_USAGE = `usage: ba-webgpu sample [options]
  --model FILE        converted SiT (default: the shipped Fashion-MNIST model)
  --sidenet FILE      converted SideNet, for --solver ba / ba-single (default: the shipped one)
  --vae FILE          converted VAE decoder, for SiTs on VAE latents (pixel-space SiTs need none)
  --solver NAME       ba | ba-single | euler | heun | dpm++2m (default ba)
  --nfe N             backbone calls per image (Heun: 2N-1) (default 5)
  --classes LIST      comma-separated class indices (default: every class, up to 10)
  --per-class N       images per class, one grid row per class (default 8)
  --seed S            image i uses noise seed S + i, an integer in [0, 2^32 - 1] (default 0)
  --cfg SCALE         classifier-free guidance scale; 1 = off (default 1)
  --cfg-interval A,B  guide only for REPA times in [A, B], or 'always' (default: the model's)
  --batch N           images per GPU batch (default 80)
  --dtype f32|f16     weights and activations on the GPU (default f32)
  --scale K           pixel magnification of the grid, 1..64 (default 3)
  --out FILE          PNG grid (default out/samples.png)
  --json              print the run's numbers as one JSON line on stdout`;

/** Pixels between grid cells (imageGridPng's default pad), and the largest side of a grid. */
const GRID_PAD = 2;
const MAX_GRID_SIDE = 16_384;

export async function sampleCommand(argv: string[]): Promise<number> {
  const str = { type: 'string' as const };
  const { values: v } = parseArgs({
    args: argv,
    options: {
      model: str, sidenet: str, vae: str, solver: str, nfe: str, classes: str, 'per-class': str, seed: str, cfg: str, 'cfg-interval': str,
      batch: str, dtype: str, scale: str, out: str, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) {
    console.log(SAMPLE_USAGE);
    return 0;
  }
  // Every option is checked here, before the GPU is touched or a weight file is read whole.
  const solver = parseSolver(v.solver ?? 'ba');
  const nfe = parseInteger(v.nfe, 5, '--nfe', 1, MAX_NFE);
  const perClass = parseInteger(v['per-class'], 8, '--per-class', 1, 10_000);
  const seed = parseSeed(v.seed, 0);
  const cfg = parseNumber(v.cfg, 1, '--cfg', (x) => x >= 0);
  const cfgInterval = parseInterval(v['cfg-interval']);
  const batch = parseInteger(v.batch, 80, '--batch', 1, 100_000);
  const scale = parseInteger(v.scale, 3, '--scale', 1, 64);
  const dtype = v.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new UsageError(`--dtype must be f32 or f16, got '${dtype}'`);
  const requestedClasses = v.classes === undefined ? undefined : parseIntList(v.classes, '--classes');
  const modelPath = requireFile(resolve(v.model ?? SHIPPED.sit), 'SiT weights (--model)');
  const usesSideNet = solver === 'ba' || solver === 'ba-single';
  const sidenetPath = usesSideNet ? requireFile(resolve(v.sidenet ?? SHIPPED.sidenet), 'SideNet weights (--sidenet)') : undefined;
  const out = resolve(v.out ?? 'out/samples.png');
  const header = await sitHeader(modelPath);
  const classes = requestedClasses ?? [...Array(Math.min(header.arch.classes, 10)).keys()];
  const bad = classes.find((c) => c >= header.arch.classes);
  if (bad !== undefined) throw new UsageError(`--classes: ${bad} is not a class of this model (0..${header.arch.classes - 1})`);
  const codec = header.latent_codec;
  if (codec && v.vae) throw new UsageError(`--vae: ${modelPath} works on pixels (its metadata has a latent_codec): it needs no VAE`);
  if (!codec && !v.vae) throw new UsageError(`--vae: ${modelPath} works on VAE latents (no latent_codec in its metadata): pass the converted VAE decoder`);
  const vaePath = v.vae ? requireFile(resolve(v.vae), 'VAE weights (--vae)') : undefined;
  const [imageChannels, imageHeight, imageWidth] = codec
    ? imageShape(codec, header.arch.inChannels, header.arch.inputSize, header.arch.inputSize)
    : await vaeImageShape(vaePath!, header.arch.inputSize);
  if (codec && imageChannels !== 1) throw new UsageError(`--model: PNG grids of ${imageChannels}-channel pixel-space images are not supported`);
  const gridWidth = perClass * (imageWidth * scale + GRID_PAD) + GRID_PAD;
  const gridHeight = classes.length * (imageHeight * scale + GRID_PAD) + GRID_PAD;
  if (gridWidth > MAX_GRID_SIDE || gridHeight > MAX_GRID_SIDE) {
    throw new UsageError(`--scale ${scale}: the grid would be ${gridWidth} × ${gridHeight} pixels, over ${MAX_GRID_SIDE} on a side (lower --scale or --per-class)`);
  }
  checkWritable(out, '--out');

  const engine = await Engine.create();
  const progress = new Progress();
  try {
    const generator = await loadGenerator(engine, { sit: modelPath, sidenet: sidenetPath, vae: vaePath }, dtype);
    const labels = classes.flatMap((c) => Array<number>(perClass).fill(c));
    // VAE models: each batch is decoded on the GPU (as an app's texture) and read back as RGBA.
    const decoded: Uint8Array[] = [];
    const decodeBatch = async (latent: Tensor) => {
      const count = latent.shape[0];
      const texture = await generator.decodeToTexture(latent);
      const rows = await generator.readPixels(texture);
      texture.destroy();
      const rowBytes = count * imageWidth * 4;
      for (let i = 0; i < count; i++) {
        const image = new Uint8Array(imageHeight * imageWidth * 4);
        for (let y = 0; y < imageHeight; y++) image.set(rows.subarray(y * rowBytes + i * imageWidth * 4, y * rowBytes + (i + 1) * imageWidth * 4), y * imageWidth * 4);
        decoded.push(image);
      }
    };
    const started = performance.now();
    const result = await generate(generator, {
      solver, nfe, labels, seed, batch,
      guidance: cfg === 1 ? undefined : { scale: cfg, interval: cfgInterval },
      onStep: (step, of) => progress.update(`sampling ${labels.length} images with ${solver} at ${nfe} NFE: step ${step}/${of}`),
      onBatch: (done, total, ms) => progress.update(`${done}/${total} images (${(ms / nfe).toFixed(1)} ms per NFE for this batch)`, true),
      onLatents: codec ? undefined : decodeBatch,
    });
    const seconds = (performance.now() - started) / 1000;
    mkdirSync(dirname(out), { recursive: true });
    if (codec) {
      const { images, shape } = latentsToImages(generator, result.latents, labels.length);
      writeFileSync(out, imageGridPng(images, labels.length, shape[1], shape[2], perClass, scale));
    } else {
      writeFileSync(out, rgbaGridPng(decoded, imageHeight, imageWidth, perClass, scale, GRID_PAD));
    }
    // Per NFE for one batch: the mean batch time over the backbone calls each image needed.
    const msPerNfe = result.batchMs.reduce((a, b) => a + b, 0) / result.batchMs.length / result.backboneCalls;
    progress.done(`wrote ${out}: ${labels.length} images (${classes.map((c) => FASHION_CLASS_NAMES[c] ?? c).join(', ')}) in ${seconds.toFixed(1)} s; ` +
      `${result.backboneCalls} backbone calls per image; ${msPerNfe.toFixed(1)} ms per NFE at batch ${Math.min(batch, labels.length)}`);
    if (v.json) {
      console.log(JSON.stringify({
        solver, nfe, backboneCalls: result.backboneCalls, images: labels.length, batch, seconds, msPerNfe, batchMs: result.batchMs, out,
        device: engine.describe(),
      }));
    }
    generator.dispose();
    return 0;
  } finally {
    engine.dispose();
  }
}
