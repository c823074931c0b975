/** Messages between the Web Worker test page and its worker, and the work both sides do. */
import { Engine, ImageGenerator, type GenerateOptions, type ModelSources } from '../../../src/index.js';

export interface WorkerRequest {
  models: ModelSources;
  request: GenerateOptions;
}

export type WorkerReply = { pixels: Uint8Array; width: number; height: number; isWorker: boolean } | { error: string };

/** One request on a fresh engine: sample, decode into a texture, read its pixels, free everything. */
export async function renderPixels({ models, request }: WorkerRequest): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const engine = await Engine.create();
  const generator = await ImageGenerator.load(engine, models);
  const latent = await generator.generate(request);
  const texture = await generator.decodeToTexture(latent);
  const pixels = await generator.readPixels(texture);
  latent.dispose();
  generator.dispose();
  engine.dispose();
  return { pixels, width: texture.width, height: texture.height };
}
