// A TypeScript app using every subpath; tsc checks it (and the package's declarations, with
// skipLibCheck off) under moduleResolution bundler and node16.
import { Engine, GpuUnavailableError, ImageGenerator, sample, SitModel, type GenerateOptions } from 'ba-webgpu';
import { encodePng, metricTable } from 'ba-webgpu/eval';
import { ChainTrainer, DEFAULT_CHAIN_CONFIG, type ChainConfig } from 'ba-webgpu/train';
import { loadIdxFiles, saveCheckpoint } from 'ba-webgpu/node';

export async function draw(device: GPUDevice): Promise<Uint8Array> {
  const engine = await Engine.create({ device });
  const generator = await ImageGenerator.load(engine, { sit: '/models/fashion-sit.safetensors', sidenet: '/models/fashion-sidenet.safetensors' });
  const request: GenerateOptions = { labels: [1], solver: 'ba', nfe: 5, seed: 1 };
  const texture: GPUTexture = await generator.decodeToTexture(await generator.generate(request));
  return encodePng(texture.width, texture.height, 4, await generator.readPixels(texture));
}

export const config: ChainConfig = { ...DEFAULT_CHAIN_CONFIG, batch: 8 };
export const isGpuMissing = (err: unknown): boolean => err instanceof GpuUnavailableError;
export { ChainTrainer, loadIdxFiles, metricTable, sample, saveCheckpoint, SitModel };

// The declarations are real types, not `any`: a wrong option must not compile.
// @ts-expect-error nfe is a number
export const wrong: GenerateOptions = { labels: [1], nfe: 'five' };
