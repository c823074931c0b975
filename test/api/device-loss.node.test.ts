/**
 * Device loss: the device is destroyed while step 2 of a generation runs. The generation
 * rejects with DeviceLostError; a generator that owns its device recovers on its own, a guest
 * on the app's device after reload(newDevice); either way the next generation equals a fresh
 * generator's bit for bit and nothing of the lost device is kept. In Node (weights from paths,
 * bytes and Blobs) and in headless Chromium (weights from URLs, reloaded from the Cache API).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../../src/gpu/device.js';
import { Engine } from '../../src/gpu/engine.js';
import { DeviceLostError } from '../../src/gpu/errors.js';
import { DeviceLostEvent, GeneratorError, ImageGenerator } from '../../src/generator.js';
import { launchChromium } from '../helpers/chromium.js';
import { bundlePage, PAGE_HTML, serveFiles } from '../helpers/page-server.js';
import { guestLoss, LOST_AT_STEP, ownerLoss, REQUEST, type GuestLossReport, type LossReport } from './device-loss/scenarios.js';
import { tinySideNetFile, tinySitFile } from './tiny-models.js';

const sit = tinySitFile();
const sidenet = tinySideNetFile();

const dir = mkdtempSync(join(tmpdir(), 'ba-device-loss-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectRecovered(report: LossReport, willRecover: boolean) {
  expect(report.inFlightError).toBe('DeviceLostError');
  expect(report.stepsBeforeLoss).toBe(LOST_AT_STEP);
  expect(report.events).toEqual([{ type: 'devicelost', willRecover, error: 'DeviceLostError' }]);
  expect(report.engineReplaced).toBe(true);
  expect(report.oldEngineDisposed).toBe(true);
  expect(report.after.latentBits).toEqual(report.fresh.latentBits);
  expect(report.after.pixels).toEqual(report.fresh.pixels);
  // The new engine made and holds exactly what a fresh one does for the same work: nothing of the lost run came along.
  expect(report.pool).toEqual(report.fresh.pool);
}

function expectGuestRecovered(report: GuestLossReport) {
  expectRecovered(report, false);
  expect(report.beforeReloadError).toBe('DeviceLostError');
  expect(report.oldDevice).toEqual({ buffers: 0, textures: 0 });
  expect(report.newDeviceBuffers).toBe(report.freshDeviceBuffers);
}

describe('device loss in Node', () => {
  it('ImageGenerator.create: the generation in flight rejects, the next one reloads the files from their paths onto a new device', async () => {
    const paths = { sit: join(dir, 'sit.safetensors'), sidenet: join(dir, 'sidenet.safetensors') };
    writeFileSync(paths.sit, sit);
    writeFileSync(paths.sidenet, sidenet);
    const report = await ownerLoss(paths, 'create');
    expectRecovered(report, true);
    expect(report.reloadedFrom).toEqual(['local']);
  });

  it('loaded onto Engine.create(): recovers from the bytes and the Blob it was given', async () => {
    expectRecovered(await ownerLoss({ sit: sit.slice(), sidenet: new Blob([sidenet.slice().buffer]) }, 'load'), true);
  });

  it('a guest on the app\'s device: devicelost, calls reject until reload(newDevice), then the lost device holds nothing', async () => {
    expectGuestRecovered(await guestLoss({ sit: sit.slice().buffer, sidenet: sidenet.slice().buffer }));
  });

  it('a generator loaded from a ReadableStream cannot recover and says why', async () => {
    const stream = (bytes: Uint8Array) => new Blob([bytes.slice().buffer]).stream();
    const generator = await ImageGenerator.create({ sit: stream(sit), sidenet: stream(sidenet) });
    const events: DeviceLostEvent[] = [];
    generator.addEventListener('devicelost', (e) => events.push(e));
    generator.engine.device.destroy();
    await expect(generator.generate(REQUEST)).rejects.toThrow(GeneratorError);
    await expect(generator.generate(REQUEST)).rejects.toThrow(/sources\.sit is a ReadableStream/);
    expect(events.map((e) => [e.willRecover, e.error instanceof DeviceLostError])).toEqual([[false, true]]);
    generator.dispose();
  });

  it('disposing is not a loss: no event, and create()\'s generator disposes the engine it made', async () => {
    const created = await ImageGenerator.create({ sit, sidenet });
    const callerEngine = await Engine.create();
    const loaded = await ImageGenerator.load(callerEngine, { sit, sidenet });
    const events: string[] = [];
    for (const g of [created, loaded]) g.addEventListener('devicelost', (e) => events.push(e.type));
    const createdEngine = created.engine;
    created.dispose();
    callerEngine.dispose(); // destroys the device it made
    await Promise.all([createdEngine.device.lost, callerEngine.device.lost]);
    expect(createdEngine.isDisposed).toBe(true);
    expect(events).toEqual([]);
    loaded.dispose();
  });

  it('a guest whose app disposes its engine in its own device.lost handler (which runs first) still hears of the loss and reloads', async () => {
    const device = (await acquireDevice()).device;
    const engine = await Engine.create({ device });
    void device.lost.then(() => engine.dispose());
    const generator = await ImageGenerator.load(engine, { sit, sidenet });
    const lost = new Promise<DeviceLostEvent>((resolve) => generator.addEventListener('devicelost', resolve));
    device.destroy();
    expect((await lost).willRecover).toBe(false);
    await expect(generator.generate(REQUEST)).rejects.toThrow(DeviceLostError);
    const next = (await acquireDevice()).device;
    await generator.reload(next);
    const latent = await generator.generate(REQUEST);
    expect(latent.shape).toEqual([REQUEST.labels.length, ...generator.latentShape]);
    latent.dispose();
    generator.dispose();
    next.destroy();
  });
});

describe('device loss in Chromium', () => {
  it('owner and guest recover from a loss in the middle of a generation; the weights come back from the Cache API', async () => {
    const files = new Map<string, Uint8Array | string>([
      ['/index.html', PAGE_HTML],
      ['/page.js', await bundlePage('test/api/device-loss/page.ts')],
      ['/sit.safetensors', sit],
      ['/sidenet.safetensors', sidenet],
    ]);
    // ETags let the weight cache trust its copy after a HEAD request.
    const { server, origin } = await serveFiles(files);
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      page.on('pageerror', (err) => console.error('device loss page error:', String(err)));
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => typeof window.deviceLoss === 'function', { timeout: 60_000 });
      const models = { sit: `${origin}/sit.safetensors`, sidenet: `${origin}/sidenet.safetensors` };
      const { owner, guest } = await page.evaluate((m) => window.deviceLoss(m), models);
      expectRecovered(owner, true);
      expectGuestRecovered(guest);
      expect(owner.reloadedFrom).toEqual(['cache']);
      expect(guest.reloadedFrom).toEqual(['cache']);
    } finally {
      await chromium.close();
      server.close();
    }
  }, 600_000);
});
