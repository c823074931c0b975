/** The weight-cache test page: loads a model set (window.loadModels), reports where each file's bytes came from and, with `render`, an image's pixels. */
import { Engine, ImageGenerator, type GeneratorLoadOptions, type ModelSources } from '../../../src/index.js';

declare global {
  interface Window {
    loadModels(models: ModelSources, cache: GeneratorLoadOptions['cache'], render: boolean): Promise<{ from: Record<string, string[]>; pixels: number[] }>;
  }
}

window.loadModels = async (models, cache, render) => {
  const engine = await Engine.create();
  const from: Record<string, string[]> = {};
  const generator = await ImageGenerator.load(engine, models, {
    cache,
    onProgress: (p) => (from[p.model] ??= []).includes(p.from) || from[p.model].push(p.from),
  });
  let pixels: number[] = [];
  if (render) {
    const latent = await generator.generate({ labels: [4], solver: 'ba', nfe: 2, seed: 9 });
    pixels = Array.from(await generator.readPixels(await generator.decodeToTexture(latent)));
    latent.dispose();
  }
  generator.dispose();
  engine.dispose();
  return { from, pixels };
};
