/**
 * The browser weight cache in headless Chromium: the first page load fetches the weight files
 * and keeps them in the Cache API; after a reload they come from the cache with no weight
 * request to the server (one HEAD per file checks they are current); a changed file (new
 * ETag) replaces its stale entry; `cache: false` and another cache name go to the network.
 */
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { bundlePage, PAGE_HTML, serveFiles } from '../helpers/page-server.js';
import { tinySideNetFile, tinySitFile } from './tiny-models.js';

describe('browser weight cache', () => {
  it('a reloaded page reads the weights from the Cache API (no weight GET), a changed file is fetched again, opt-out and another cache name use the network', async () => {
    const files = new Map<string, Uint8Array | string>([
      ['/index.html', PAGE_HTML],
      ['/page.js', await bundlePage('test/api/weight-cache/page.ts')],
      ['/sit.safetensors', tinySitFile()],
      ['/sidenet.safetensors', tinySideNetFile()],
    ]);
    const { server, origin, requests } = await serveFiles(files);
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
