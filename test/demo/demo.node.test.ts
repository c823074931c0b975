/**
 * The demo page in headless Chromium (SwiftShader WebGPU), driven through puppeteer-core: it
 * loads a model set, generates, and the canvas — drawn from the decoded texture by the page's
 * own render pass — must show the image the engine makes in Node (lavapipe) for the same
 * request. Saves a screenshot to out/demo/screenshot.png.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMounts, serveStatic } from '../../demo/serve.js';
import { ImageGenerator, type ModelSources } from '../../src/generator.js';
import { Engine } from '../../src/gpu/engine.js';
import type { SolverName } from '../../src/solver/index.js';
import { tinySideNetFile, tinySitFile, tinyVaeFile } from '../api/tiny-models.js';
import { launchChromium } from '../helpers/chromium.js';

const root = new URL('../../', import.meta.url).pathname;
const out = join(root, 'out/demo');
const testModels = join(out, 'models');
const shipped = { sit: join(root, 'models/fashion-sit.safetensors'), sidenet: join(root, 'models/fashion-sidenet.safetensors') };
const hasShipped = existsSync(shipped.sit) && existsSync(shipped.sidenet);
/** SwiftShader takes seconds per NFE even for the shipped model on these loaded 2-core machines. */
const TEST_TIMEOUT = 600_000;

interface Request {
  label: number;
  solver: SolverName;
  nfe: number;
  guidance: number;
  seed: number;
}

let server: Server;
let origin: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let engine: Engine;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--demo'], { cwd: root, stdio: 'pipe' });
  mkdirSync(testModels, { recursive: true });
  writeFileSync(join(testModels, 'tiny-sit.safetensors'), tinySitFile());
  writeFileSync(join(testModels, 'tiny-sidenet.safetensors'), tinySideNetFile());
  ({ server, origin } = await serveStatic([['/test-models/', testModels], ...demoMounts(root)]));
  chromium = await launchChromium({ canvas: true });
  engine = await Engine.create();
});

afterAll(async () => {
  await chromium?.close();
  server?.close();
  engine?.dispose();
});

async function openDemo(query = ''): Promise<Page> {
  const page = await chromium.browser.newPage();
  page.on('pageerror', (err) => console.error('demo page error:', String(err)));
  await page.goto(`${origin}/index.html${query}`);
  await waitIdle(page);
  return page;
}

/** Waits until the page is ready (models loaded, no run in flight); fails with the page's own error. */
async function waitIdle(page: Page, runs?: number) {
  await page.waitForFunction((n) => window.demo && (window.demo.state === 'error' || (window.demo.state === 'ready' && (n === undefined || window.demo.runs >= n))), { timeout: 300_000, polling: 100 }, runs);
  const error = await page.evaluate(() => window.demo.error);
  if (error) throw new Error(`the demo page failed: ${error}`);
}

async function generateOnPage(page: Page, r: Request) {
  const runs = await page.evaluate(() => window.demo.runs);
  await page.select('#label', String(r.label));
  await page.select('#solver', r.solver);
  // No frame budget: these runs check images (test/demo/frame-budget.node.test.ts checks frames).
  for (const [id, value] of [['#nfe', r.nfe], ['#guidance', r.guidance], ['#seed', r.seed], ['#budget', 0]] as const) {
    await page.$eval(id, (el, v) => ((el as HTMLInputElement).value = String(v)), value);
  }
  await page.click('#generate');
  await waitIdle(page, runs + 1);
}

/**
 * What the canvas shows, as RGBA bytes, one sample per image texel: a screenshot of the canvas
 * element (the composited page, as a user sees it), decoded by the page itself. (drawImage()
 * of a presented WebGPU canvas reads nothing back in headless Chromium.)
 */
async function canvasTexels(page: Page, width: number, height: number): Promise<Uint8Array> {
  // Let the last draw reach the compositor first.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const png = await (await page.$('#canvas'))!.screenshot({ encoding: 'base64' });
  const bytes = await page.evaluate(async (data, w, h) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
    const copy = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const all = ctx.getImageData(0, 0, copy.width, copy.height).data;
    // The image is enlarged by an integer factor: read the centre of each texel's block.
    const texels: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (Math.floor(((y + 0.5) * copy.height) / h) * copy.width + Math.floor(((x + 0.5) * copy.width) / w)) * 4;
        texels.push(all[o], all[o + 1], all[o + 2], all[o + 3]);
      }
    }
    return texels;
  }, png, width, height);
  return Uint8Array.from(bytes);
}

async function nodePixels(sources: ModelSources, r: Request): Promise<{ pixels: Uint8Array; width: number; height: number }> {
  const generator = await ImageGenerator.load(engine, sources, { dtype: 'f32' });
  const latent = await generator.generate({ labels: [r.label], solver: r.solver, nfe: r.nfe, guidance: r.guidance, seed: r.seed });
  const texture = await generator.decodeToTexture(latent);
  const pixels = await generator.readPixels(texture);
  const result = { pixels, width: texture.width, height: texture.height };
  latent.dispose();
  generator.dispose();
  return result;
}

/**
 * SwiftShader (Chromium) and lavapipe (Node) sum in different orders: the latents differ by
 * ~1e-6 relative, which moves a byte by 1 where a value sits at a rounding boundary. Allow
 * ±2 per channel and at most 2 % of channels off at all; a wrong seed, label, solver or
 * layout changes most bytes by far more.
 */
function expectSameImage(canvas: Uint8Array, node: Uint8Array, what: string) {
  expect(canvas.length).toBe(node.length);
  let worst = 0;
  let differing = 0;
  for (let i = 0; i < node.length; i++) {
    const d = Math.abs(canvas[i] - node[i]);
    worst = Math.max(worst, d);
    if (d) differing++;
  }
  console.log(`${what}: ${differing} of ${node.length} channels differ, by at most ${worst}`);
  expect(worst).toBeLessThanOrEqual(2);
  expect(differing).toBeLessThanOrEqual(node.length * 0.02);
}

describe('demo page (headless Chromium, SwiftShader) against the engine in Node', () => {
  it('loads the tiny model set from URL parameters, generates, and the canvas equals the Node image for the same seed; per-NFE latency is shown; cancel works', async () => {
    const page = await openDemo('?sit=/test-models/tiny-sit.safetensors&sidenet=/test-models/tiny-sidenet.safetensors');
    const request: Request = { label: 7, solver: 'ba', nfe: 4, guidance: 1.5, seed: 1234 };
    await generateOnPage(page, request);
    const run = await page.evaluate(() => window.demo.lastRun!);
    expect(run).toMatchObject({ ...request, backboneCalls: 4, width: 12, height: 12 });
    expect(await page.$eval('#latency', (el) => el.textContent)).toMatch(/^\d+\.\d ms of GPU time per NFE, \d+ ms in total; longest frame gap \d+ ms \(no frame budget\)$/);
    const node = await nodePixels({ sit: join(testModels, 'tiny-sit.safetensors'), sidenet: join(testModels, 'tiny-sidenet.safetensors') }, request);
    expectSameImage(await canvasTexels(page, 12, 12), node.pixels, 'tiny model, ba');

    // A second request reuses the texture (the caller-texture path) and still matches.
    const second: Request = { label: 2, solver: 'dpm++2m', nfe: 3, guidance: 1, seed: 99 };
    await generateOnPage(page, second);
    expectSameImage(await canvasTexels(page, 12, 12), (await nodePixels({ sit: join(testModels, 'tiny-sit.safetensors'), sidenet: join(testModels, 'tiny-sidenet.safetensors') }, second)).pixels, 'tiny model, dpm++2m');
    if (!hasShipped) await page.screenshot({ path: join(out, 'screenshot.png') });

    // Cancel: pressing Cancel while a long run is in progress stops it at the next step boundary.
    await page.$eval('#nfe', (el) => ((el as HTMLInputElement).value = '100'));
    const stoppedAt = page.evaluate(() => new Promise<string>((done) => {
      const status = document.getElementById('status')!;
      new MutationObserver((_, observer) => {
        if (status.textContent!.startsWith('Step 1 of 100:')) document.getElementById('cancel')!.click();
        if (status.textContent === 'Cancelled.' || status.textContent!.startsWith('Done')) {
          observer.disconnect();
          done(status.textContent!);
        }
      }).observe(status, { childList: true, characterData: true, subtree: true });
      document.getElementById('generate')!.click();
    }));
    expect(await stoppedAt).toBe('Cancelled.');
    await waitIdle(page);
    await page.close();
  }, TEST_TIMEOUT);

  it('the file pickers load a SiT + SideNet + VAE set as streamed Files; the VAE-decoded RGB canvas equals Node\'s', async () => {
    const page = await openDemo('?sit=/test-models/tiny-sit.safetensors&sidenet=/test-models/tiny-sidenet.safetensors');
    // A latent-space SiT (no pixel codec) with its VAE, different weights from the page's first set.
    const picked = { sit: join(testModels, 'picked-sit.safetensors'), sidenet: join(testModels, 'picked-sidenet.safetensors'), vae: join(testModels, 'picked-vae.safetensors') };
    writeFileSync(picked.sit, tinySitFile(21, null));
    writeFileSync(picked.sidenet, tinySideNetFile(22));
    writeFileSync(picked.vae, tinyVaeFile(23));
    for (const [input, path] of [['input#sit-file', picked.sit], ['input#sidenet-file', picked.sidenet], ['input#vae-file', picked.vae]] as const) {
      await (await page.$(input))!.uploadFile(path);
    }
    await page.click('#load-files');
    await page.waitForFunction(() => /^Ready: picked-sit\.safetensors/.test(document.getElementById('status')!.textContent ?? ''), { timeout: 60_000, polling: 50 });
    expect(await page.$eval('#status', (el) => el.textContent)).toMatch(/16×16 images, with SideNet, VAE decoder/);
    await waitIdle(page);
    const request: Request = { label: 10, solver: 'ba', nfe: 3, guidance: 1, seed: 5 };
    await generateOnPage(page, request);
    const node = await nodePixels(picked, request);
    expect([node.width, node.height]).toEqual([16, 16]);
    expectSameImage(await canvasTexels(page, 16, 16), node.pixels, 'picked files with a VAE');
    await page.close();
  }, TEST_TIMEOUT);

  it(hasShipped
    ? 'the default page loads the shipped Fashion-MNIST model, generates a 28×28 image equal to Node\'s, and saves out/demo/screenshot.png'
    : 'the default page with the shipped Fashion-MNIST model — skipped: models/fashion-sit.safetensors and fashion-sidenet.safetensors are not in this checkout', async (ctx) => {
    if (!hasShipped) return ctx.skip('models/fashion-*.safetensors not present');
    const page = await openDemo();
    const request: Request = { label: 0, solver: 'ba', nfe: 6, guidance: 1.5, seed: 42 };
    await generateOnPage(page, request);
    const run = await page.evaluate(() => window.demo.lastRun!);
    expect([run.width, run.height]).toEqual([28, 28]);
    const node = await nodePixels(shipped, request);
    expectSameImage(await canvasTexels(page, 28, 28), node.pixels, 'shipped model');
    await page.screenshot({ path: join(out, 'screenshot.png') });
    await page.close();
  }, TEST_TIMEOUT);
});
