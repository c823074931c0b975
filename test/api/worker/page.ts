/**
 * The Web Worker test page: runs the same request on the main thread and in a worker, and
 * hands both results to the test (window.runBoth).
 */
import { renderPixels, type WorkerReply, type WorkerRequest } from './protocol.js';

async function onMainThread(message: WorkerRequest) {
  const { pixels, width, height } = await renderPixels(message);
  return { pixels: Array.from(pixels), width, height };
}

function inWorker(message: WorkerRequest): Promise<WorkerReply> {
  const worker = new Worker('./worker.js', { type: 'module' });
  return new Promise<WorkerReply>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerReply>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(`worker failed to start: ${e.message}`));
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

declare global {
  interface Window {
    runBoth(message: WorkerRequest): Promise<unknown>;
  }
}

window.runBoth = async (message) => {
  const worker = await inWorker(message);
  if ('error' in worker) throw new Error(`in the worker: ${worker.error}`);
  const main = await onMainThread(message);
  return { main, worker: { ...worker, pixels: Array.from(worker.pixels) } };
};
