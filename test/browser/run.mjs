// Runs the GPU test files in headless Chromium (SwiftShader WebGPU) through puppeteer-core:
// serves dist/test on loopback, opens the page, streams each result, prints a summary line
// and exits non-zero on any failure or if no adapter is found.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import puppeteer from 'puppeteer-core';

const root = new URL('../../dist/test/', import.meta.url).pathname;
const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };
const server = createServer((req, res) => {
  const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html');
  if (!path.startsWith(root) || !existsSync(path)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/index.html`;

const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(existsSync);
if (!executablePath) {
  console.error('Chromium not found: install Debian `chromium` or set CHROMIUM_PATH');
  process.exit(1);
}
const userDataDir = mkdtempSync(join(tmpdir(), 'ba-chromium-'));
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  userDataDir,
  protocolTimeout: 30 * 60_000,
  args: [
    '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
  ],
});
let failed = 0;
let passed = 0;
let skipped = 0;
try {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (!text.startsWith('__TEST__ ')) return;
    const r = JSON.parse(text.slice(9));
    if (r.status === 'passed') passed++;
    else if (r.status === 'skipped') skipped++;
    else failed++;
    const mark = { passed: '✓', failed: '✗', skipped: '↓' }[r.status];
    console.log(`${mark} ${r.name} (${r.ms.toFixed(0)} ms)${r.message ? `\n    ${r.status === 'skipped' ? 'skipped: ' : ''}${r.message.split('\n').join('\n    ')}` : ''}`);
  });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(url);
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter();
    return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : null;
  });
  if (!adapter) throw new Error('Chromium offers no WebGPU adapter (needs --enable-unsafe-webgpu and SwiftShader)');
  console.log(`Chromium WebGPU adapter: ${adapter}`);
  await page.waitForFunction('window.__done === true', { timeout: 30 * 60_000, polling: 500 });
  const loadError = await page.evaluate(() => window.__loadError);
  if (loadError) throw new Error(`test bundle failed to load: ${loadError}`);
} catch (err) {
  console.error(err);
  failed++;
} finally {
  await browser.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`\nbrowser: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed || passed === 0 ? 1 : 0);
