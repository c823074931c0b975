/**
 * The browser weight cache in headless Chromium: the first page load fetches the weight files
 * and keeps them in the Cache API; after a reload they come from the cache with no weight
 * request to the server (one HEAD per file checks they are current); a changed file (new
 * ETag) replaces its stale entry; `cache: false` and another cache name go to the network.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { tinySideNetFile, tinySitFile } from './tiny-models.js';

const root = new URL('../../', import.meta.url).pathname;
const out = join(root, 'out/weight-cache-test');

/** Serves the page and the weight files from memory; counts requests per method and path. */
function weightServer(files: Map<string, Uint8Array | string>): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(`${req.method} ${path}`);
    const body = files.get(path);
    if (body === undefined) return void res.writeHead(404).end();
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const type = path.endsWith('.js') ? 'text/javascript' : path.endsWith('.html') ? 'text/html' : 'application/octet-stream';
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`;
    res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, etag, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, requests });
  }));
}

describe('browser weight cache', () => {
  it('a reloaded page reads the weights from the Cache API (no weight GET), a changed file is fetched again, opt-out and another cache name use the network', async () => {
    mkdirSync(out, { recursive: true });
    const bundle = await build({
      entryPoints: [join(root, 'test/api/weight-cache/page.ts')], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
      loader: { '.wgsl': 'text' }, mainFields: ['module', 'main'], alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
      external: ['webgpu', 'node:*'], logLevel: 'warning', absWorkingDir: root,
    });
    const files = new Map<string, Uint8Array | string>([
      ['/index.html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>'],
      ['/page.js', bundle.outputFiles[0].text],
      ['/sit.safetensors', tinySitFile()],
      ['/sidenet.safetensors', tinySideNetFile()],
    ]);
    const { server, origin, requests } = await weightServer(files);
    const chromium = await launchChromium();
    const models = { sit: `${origin}/sit.safetensors`, sidenet: `${origin}/sidenet.safetensors` };
    const page = await chromium.browser.newPage();
    page.on('pageerror', (err) => console.error('weight cache page error:', String(err)));
    /** Loads the page afresh and the model set on it; returns where each file came from and the requests it made for weights. */
    const loadPage = async (cache: unknown, render = false) => {
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => typeof window.loadModels === 'function', { timeout: 60_000 });
      const before = requests.length;
      const result = await page.evaluate((m, c, r) => window.loadModels(m, c as false, r), models, cache, render);
      return { ...result, weightRequests: requests.slice(before).filter((r) => r.includes('.safetensors')).sort() };
    };
    try {
      const first = await loadPage(undefined, true);
      expect(first.from).toEqual({ sit: ['network'], sidenet: ['network'] });
      expect(first.weightRequests).toEqual(['GET /sidenet.safetensors', 'GET /sit.safetensors']);

      const second = await loadPage(undefined, true);
      expect(second.from).toEqual({ sit: ['cache'], sidenet: ['cache'] });
      expect(second.weightRequests).toEqual(['HEAD /sidenet.safetensors', 'HEAD /sit.safetensors']);
      expect(second.pixels).toEqual(first.pixels);

      // A new SideNet on the server: its ETag changes, so only it is downloaded again.
      files.set('/sidenet.safetensors', tinySideNetFile(99));
      const changed = await loadPage(undefined, true);
      expect(changed.from).toEqual({ sit: ['cache'], sidenet: ['network'] });
      expect(changed.weightRequests).toEqual(['GET /sidenet.safetensors', 'HEAD /sidenet.safetensors', 'HEAD /sit.safetensors']);
      expect(changed.pixels).not.toEqual(first.pixels);
      const refreshed = await loadPage(undefined, true);
      expect(refreshed.from).toEqual({ sit: ['cache'], sidenet: ['cache'] });
      expect(refreshed.pixels).toEqual(changed.pixels);

      // Trusting the cache skips the check; opting out and another cache name go to the network.
      expect((await loadPage({ revalidate: false })).weightRequests).toEqual([]);
      const optedOut = await loadPage(false);
      expect(optedOut.from).toEqual({ sit: ['network'], sidenet: ['network'] });
      expect(optedOut.weightRequests).toEqual(['GET /sidenet.safetensors', 'GET /sit.safetensors']);
      expect((await loadPage({ name: 'another-app' })).from).toEqual({ sit: ['network'], sidenet: ['network'] });
      expect((await loadPage({ name: 'another-app' })).from).toEqual({ sit: ['cache'], sidenet: ['cache'] });
    } finally {
      await chromium.close();
      server.close();
    }
  }, 600_000);
});
