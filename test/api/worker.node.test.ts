/**
 * The engine inside a Web Worker (headless Chromium, SwiftShader): a worker bundled with
 * esbuild loads the tiny model set, samples, decodes into a texture and posts the pixels back;
 * they must equal the main thread's for the same request, and the engine in Node's.
 */
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { serveStatic } from '../../demo/serve.js';
import { ImageGenerator } from '../../src/generator.js';
import { Engine } from '../../src/gpu/engine.js';
import type { GenerateOptions } from '../../src/generator.js';
import { launchChromium } from '../helpers/chromium.js';
import { tinySideNetFile, tinySitFile } from './tiny-models.js';

const root = new URL('../../', import.meta.url).pathname;
const out = join(root, 'out/worker-test');

async function buildPage() {
  mkdirSync(join(out, 'models'), { recursive: true });
  await build({
    entryPoints: { page: join(root, 'test/api/worker/page.ts'), worker: join(root, 'test/api/worker/worker.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.wgsl': 'text' },
    mainFields: ['module', 'main'],
    alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
    external: ['webgpu', 'node:*'],
    logLevel: 'warning',
    absWorkingDir: root,
  });
  copyFileSync(join(root, 'test/api/worker/index.html'), join(out, 'index.html'));
  writeFileSync(join(out, 'models/sit.safetensors'), tinySitFile());
  writeFileSync(join(out, 'models/sidenet.safetensors'), tinySideNetFile());
}

describe('Web Worker', () => {
  it('a worker samples and decodes to a texture; its pixels equal the main thread\'s exactly and the Node engine\'s', async () => {
    await buildPage();
    const { server, origin } = await serveStatic([['/', out]]);
    const chromium = await launchChromium();
    const request: GenerateOptions = { labels: [3, 8], solver: 'ba', nfe: 4, guidance: 1.5, seed: 77 };
    try {
      const page = await chromium.browser.newPage();
      page.on('pageerror', (err) => console.error('worker test page error:', String(err)));
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => typeof window.runBoth === 'function', { timeout: 60_000 });
      const models = { sit: `${origin}/models/sit.safetensors`, sidenet: `${origin}/models/sidenet.safetensors` };
      const result = (await page.evaluate((m) => window.runBoth(m), { models, request })) as {
        main: { pixels: number[]; width: number; height: number };
        worker: { pixels: number[]; width: number; height: number; isWorker: boolean };
      };
      expect(result.worker.isWorker).toBe(true);
      expect([result.worker.width, result.worker.height]).toEqual([24, 12]);
      expect(result.worker.pixels.length).toBe(24 * 12 * 4);
      expect(result.worker.pixels).toEqual(result.main.pixels);

      // The same request in Node (lavapipe): equal up to a rounding step where adapters differ.
      const engine = await Engine.create();
      const generator = await ImageGenerator.load(engine, { sit: join(out, 'models/sit.safetensors'), sidenet: join(out, 'models/sidenet.safetensors') });
      const latent = await generator.generate(request);
      const node = await generator.readPixels(await generator.decodeToTexture(latent));
      generator.dispose();
      engine.dispose();
      const worst = node.reduce((m, v, i) => Math.max(m, Math.abs(v - result.worker.pixels[i])), 0);
      expect(worst).toBeLessThanOrEqual(2);
    } finally {
      await chromium.close();
      server.close();
    }
  }, 600_000);
});
