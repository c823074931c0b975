// onnxruntime-web comparison (issue 3): our SiT forward against the same SiT exported to ONNX
// and run by onnxruntime-web's native WebGPU execution provider, in one headless Chromium, on
// the same adapter (the page's default: SwiftShader here), batch 1.
//
//   node bench/browser/run.mjs [--sizes=S,B] [--batch=1] [--warmup=1] [--repeats=2] \
//     [--only=ours|ort] [--profile] [--autotune] [--json=out/bench/browser.json]
//
// --profile: after ours' timed runs, one more forward under the engine's profiler (timestamp
// queries, one pass per dispatch); its per-kernel table is printed and kept in the JSON.
// --autotune: before timing ours, autotuneMatmul() on the backbone's four Linear shapes (the
// engine otherwise uses its static per-adapter default).
//
// Steps: exports out/bench/onnx/sit-<size>2-b<batch>.onnx with tools/reference/export_onnx.py
// when missing (needs Debian's python3-torch); bundles bench/browser/page.ts with esbuild into
// dist/bench/browser/; serves that, node_modules/onnxruntime-web/dist (as /ort/) and the ONNX
// files (as /model/) on loopback with COOP/COEP headers (cross-origin isolation: ORT's wasm
// threads need SharedArrayBuffer); then for each size opens a fresh page for ours and another
// for ORT (one GPU device each, released between them). Times are wall clock in the page per
// forward, from inputs already on the device side to the output read back into JS.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import os, { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import puppeteer from 'puppeteer-core';

const root = new URL('../../', import.meta.url).pathname;
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const sizes = (args.sizes ?? 'S,B').split(',');
const batch = Number(args.batch ?? 1);
const warmup = Number(args.warmup ?? 1);
const repeats = Number(args.repeats ?? 2);
const only = args.only;
const profile = 'profile' in args;
const autotune = 'autotune' in args;
const jsonPath = join(root, args.json ?? 'out/bench/browser.json');
const onnxDir = join(root, 'out/bench/onnx');

// 1. ONNX models.
for (const size of sizes) {
  const file = join(onnxDir, `sit-${size}2-b${batch}.onnx`);
  if (only === 'ours' || existsSync(file)) continue;
  console.log(`exporting ${file} ...`);
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [join(root, 'tools/reference/export_onnx.py'), `--size=${size}`, `--batch=${batch}`, `--out=${onnxDir}`], {
    stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' }, cwd: root,
  });
  if (r.status !== 0) throw new Error(`export_onnx.py failed:\n${r.stderr}`);
}

// 2. The page bundle.
const pageDir = join(root, 'dist/bench/browser');
mkdirSync(pageDir, { recursive: true });
await build({
  entryPoints: [join(root, 'bench/browser/page.ts')], outfile: join(pageDir, 'page.js'), bundle: true, format: 'esm', platform: 'browser',
  target: 'es2022', loader: { '.wgsl': 'text' }, mainFields: ['module', 'main'], alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
  external: ['webgpu', 'node:*'], logLevel: 'warning', absWorkingDir: root,
});
copyFileSync(join(root, 'bench/browser/index.html'), join(pageDir, 'index.html'));

// 3. Server with cross-origin isolation.
const mounts = [['/ort/', join(root, 'node_modules/onnxruntime-web/dist/')], ['/model/', onnxDir + '/'], ['/', pageDir + '/']];
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.map': 'application/json' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const [prefix, dir] = mounts.find(([p]) => path.startsWith(p));
  const file = join(dir, path.slice(prefix.length) || 'index.html');
  if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'content-length': statSync(file).size,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
  });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// 4. Chromium.
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(existsSync);
if (!executablePath) throw new Error('Chromium not found: install Debian `chromium` or set CHROMIUM_PATH');
const userDataDir = mkdtempSync(join(tmpdir(), 'ba-bench-chromium-'));
const browser = await puppeteer.launch({
  executablePath, headless: true, userDataDir, protocolTimeout: 60 * 60_000,
  args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
});

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load0 = os.loadavg();
console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs); Chromium ${await browser.version()}`);
const results = [];
try {
  for (const size of sizes) {
    for (const impl of ['ours', 'ort']) {
      if (only && only !== impl) continue;
      const page = await browser.newPage();
      page.on('console', (msg) => {
        const text = msg.text();
        if (text.startsWith('__BENCH__ ')) console.log(`  [${size}] ${text.slice(10)}`);
        else if (/assigned|fallback|not supported|error/i.test(text)) console.log(`  [${size} page] ${text.slice(0, 400)}`);
      });
      page.on('pageerror', (err) => console.error('page error:', err.message));
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction('window.__ready === true', { timeout: 120_000 });
      const loadError = await page.evaluate(() => window.__loadError);
      if (loadError) throw new Error(`page bundle failed to load: ${loadError}`);
      const isolated = await page.evaluate(() => self.crossOriginIsolated);
      const req = { size, batch, warmup, repeats, profile, autotune, model: `/model/sit-${size}2-b${batch}.onnx`, io: `/model/sit-${size}2-b${batch}.io.json` };
      const reply = await page.evaluate((r, which) => (which === 'ours' ? window.benchOurs(r) : window.benchOrt(r)), req, impl);
      results.push({ case: `SiT-${size}/2 b${batch}`, ...reply, crossOriginIsolated: isolated, medianMs: median(reply.timesMs), repeats: reply.timesMs.length });
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
const load1 = os.loadavg();

const cases = [...new Set(results.map((r) => r.case))];
const header = ['case', 'ours ms', 'ort-web ms', 'ort/ours', 'repeats'];
const rows = cases.map((c) => {
  const o = results.find((r) => r.case === c && r.impl === 'ours');
  const w = results.find((r) => r.case === c && r.impl !== 'ours');
  return [c, o ? o.medianMs.toFixed(0) : '-', w ? w.medianMs.toFixed(0) : '-', o && w ? `${(w.medianMs / o.medianMs).toFixed(2)}x` : '-', `${o?.repeats ?? '-'}/${w?.repeats ?? '-'}`];
});
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (cells) => cells.map((x, j) => (j === 0 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ');
console.log(`\nadapter: ${results[0]?.adapter ?? '?'}`);
console.log(`Per-forward wall time in Chromium (median; warm-up ${warmup}):`);
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
console.log(`load average at end: ${load1.map((l) => l.toFixed(2)).join(' ')}`);
const report = { bench: 'browser-ort-web', chromium: 'headless', batch, warmup, repeats, loadavgStart: load0, loadavgEnd: load1, results };
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify(report, null, 2));
console.log(`wrote ${jsonPath}`);
