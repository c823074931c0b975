/**
 * Headless Chromium for Node tests that drive pages (the demo, the Web Worker test): Debian's
 * Chromium through puppeteer-core, launched as test/browser/run.mjs does (SwiftShader WebGPU,
 * offline flags, a fresh profile that is removed on close).
 *
 * `canvas: true` adds what WebGPU canvases need to be displayed at all in headless Chromium
 * without a GPU: with run.mjs's flags alone the GPU process has no shared-image backing for a
 * WebGPU swap chain ("Could not find SharedImageBackingFactory ... WebgpuSwapChainTexture") and
 * the canvas stays empty; Vulkan compositing on SwiftShader provides one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

export function chromiumPath(): string | undefined {
  return process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(existsSync);
}

/** Gives WebGPU canvases a compositing backing (see above). */
export const WEBGPU_CANVAS_FLAGS = ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader'];

export async function launchChromium(options: { canvas?: boolean } = {}): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: install Debian `chromium` or set CHROMIUM_PATH');
  const userDataDir = mkdtempSync(join(tmpdir(), 'ba-chromium-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir,
    protocolTimeout: 10 * 60_000,
    args: [
      '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
      ...(options.canvas ? WEBGPU_CANVAS_FLAGS : []),
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
