// The page: renders on the main thread or in a module Web Worker (bundled by esbuild as a second
// entry point, by Vite from the `new URL(..., import.meta.url)` pattern).
import { render } from './render.js';

function inWorker(message) {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => ('error' in event.data ? reject(new Error(`in the worker: ${event.data.error}`)) : resolve(event.data));
    worker.onerror = (event) => reject(new Error(`the worker failed to start: ${event.message}`));
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

window.generate = async (where, models, request) => {
  const { pixels, width, height } = where === 'worker' ? await inWorker({ models, request }) : await render(models, request);
  return { pixels: Array.from(pixels), width, height };
};
window.ready = true;
