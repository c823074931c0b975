/**
 * Runs in a dedicated Web Worker (bundled by worker.node.test.ts): the engine acquires its own
 * device from the worker's navigator.gpu, samples, decodes into a texture and posts the pixels.
 */
import { renderPixels, type WorkerReply, type WorkerRequest } from './protocol.js';

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  try {
    const { pixels, width, height } = await renderPixels(event.data);
    const reply: WorkerReply = { pixels, width, height, isWorker: typeof document === 'undefined' && 'importScripts' in self };
    postMessage(reply, { transfer: [pixels.buffer] });
  } catch (err) {
    postMessage({ error: String((err as Error)?.stack ?? err) } satisfies WorkerReply);
  }
};
