import { render } from './render.js';

self.onmessage = async ({ data }) => {
  try {
    const image = await render(data.models, data.request);
    postMessage(image, { transfer: [image.pixels.buffer] });
  } catch (err) {
    postMessage({ error: String(err?.stack ?? err) });
  }
};
