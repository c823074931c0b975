// What an app does with the package, the same in Node, on a page and in a Web Worker: load the
// shipped model set, sample, decode into a texture and read its pixels back.
import { Engine, ImageGenerator } from 'ba-webgpu';

export async function render(models, request) {
  const engine = await Engine.create();
  try {
    const generator = await ImageGenerator.load(engine, models);
    const latent = await generator.generate(request);
    const texture = await generator.decodeToTexture(latent);
    const pixels = await generator.readPixels(texture);
    generator.dispose();
    return { pixels, width: texture.width, height: texture.height };
  } finally {
    engine.dispose();
  }
}
