/**
 * Runs in a dedicated Web Worker (bundled by worker.node.test.ts): the engine acquires its own
 * device from the worker's navigator.gpu, samples, decodes into a texture and posts the pixels.
 */
import { Engine, ImageGenerator } from '../../../src/index.js';
import type { WorkerRequest, WorkerReply } from './protocol.js';

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { models, request } = event.data;
  try {
    const engine = await Engine.create();
    const generator = await ImageGenerator.load(engine, models);
    const latent = await generator.generate(request);
    const texture = await generator.decodeToTexture(latent);
    const pixels = await generator.readPixels(texture);
    latent.dispose();
    generator.dispose();
    engine.dispose();
    const reply: WorkerReply = { pixels, width: texture.width, height: texture.height, isWorker: typeof document === 'undefined' && 'importScripts' in self };
    postMessage(reply, { transfer: [pixels.buffer] });
  } catch (err) {
    postMessage({ error: String((err as Error)?.stack ?? err) } satisfies WorkerReply);
  }
};
