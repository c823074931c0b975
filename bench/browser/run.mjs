// The browser benchmarks (issues 3 and 6) in one headless Chromium, on its default WebGPU
// adapter (SwiftShader here): the per-NFE latency page (latency.html) and the comparison of
// our SiT forward with onnxruntime-web's WebGPU EP (index.html). Writes a report
// (out/bench/browser-report.json and .md) and prints the tables.
//
//   node bench/browser/run.mjs [--pages=latency,ort] [--sizes=...] [--warmup=1] [--repeats=1]
//     latency page: [--batches=1] [--nfe=2] [--cfg=1] [--ablation] [--euler=0] [--shipped=0] [--models=DIR]
//                   [--frames=12]
//     ORT page:     [--batch=1] [--only=ours|ort] [--profile] [--autotune] [--load=0|1|both]
//     [--report=out/bench/browser-report]
//
// Defaults are small so the whole command takes a few minutes on SwiftShader: latency at
// SiT-S/2, batch 1, N = 2 (plus the shipped model from models/ when present); ORT at S/2.
// --sizes, --warmup and --repeats apply to both pages (--sizes=S,B: about 5 more minutes). For a real GPU, open the
// latency page in desktop Chrome instead: `npm run bench:serve`.
//
// ORT page: exports out/bench/onnx/sit-<size>2-b<batch>.onnx with tools/reference/export_onnx.py
// when missing (needs Debian's python3-torch); for each size a fresh page runs ours and another
// ORT (one GPU device each). --profile: one more forward of ours under the engine's profiler
// (per-kernel table); --autotune: autotuneMatmul() on the backbone's four Linear shapes first.
// Times are wall clock in the page per forward, from inputs on the device side to the output
// read back into JS. --load=1 runs each page beside one competing busy process (bench/cpu-load.mjs,
// started before the page and killed after it); --load=both runs every page
// quiet and then loaded, back to back, and reports each implementation's load/quiet ratio.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { withCpuLoad } from '../cpu-load.mjs';
import { buildPages, root, startServer } from './serve.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, ...v] = a.replace(/^--/, '').split('=');
  return [k, v.join('=')];
}));
const pages = (args.pages || 'latency,ort').split(',');
for (const p of pages) if (!['latency', 'ort'].includes(p)) throw new Error(`--pages: unknown page '${p}' (latency, ort)`);
const reportBase = resolve(root, args.report || 'out/bench/browser-report');

/** Headless Chromium with the offline flags of shared/spec/environment.md. */
async function launchChromium() {
  const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(existsSync);
  if (!executablePath) throw new Error('Chromium not found: install Debian `chromium` or set CHROMIUM_PATH');
  const userDataDir = mkdtempSync(join(tmpdir(), 'ba-bench-chromium-'));
  const browser = await puppeteer.launch({
    executablePath, headless: true, userDataDir, protocolTimeout: 60 * 60_000,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  return { browser, close: async () => { await browser.close(); rmSync(userDataDir, { recursive: true, force: true }); } };
}

const loadModes = { 0: [false], 1: [true], both: [false, true] }[args.load ?? '0'];
if (!loadModes) throw new Error(`--load must be 0, 1 or both, got '${args.load}'`);

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Latency page: the query from the flags; returns the page's report (window.__benchResults). */
async function runLatency(browser, origin) {
  const q = new URLSearchParams({
    sizes: args.sizes || 'S', batches: args.batches || '1', nfe: args.nfe || '2', warmup: args.warmup || '1', repeats: args.repeats || '1',
    cfg: args.cfg || '1', ablation: 'ablation' in args && args.ablation !== '0' ? '1' : '0', shipped: args.shipped ?? '1',
    euler: args.euler ?? '1', ...(args.frames !== undefined ? { frames: args.frames } : {}),
  });
  const page = await browser.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('__BENCH__ ')) console.log(`  [latency] ${text.slice(10)}`);
  });
  page.on('pageerror', (err) => console.error('latency page error:', err.message));
  await page.goto(`${origin}/latency.html?${q}`);
  await page.waitForFunction('window.__benchDone === true', { timeout: 0, polling: 1000 });
  const { error, report } = await page.evaluate(() => ({ error: window.__benchError, report: window.__benchResults }));
  await page.close();
  if (error) throw new Error(`latency page failed: ${error}`);
  return report;
}

/** ORT comparison page: ours and onnxruntime-web per size, each on a fresh page. */
async function runOrt(browser, origin) {
  const sizes = (args.sizes || 'S').split(',');
  const batch = Number(args.batch || 1);
  const warmup = Number(args.warmup || 1);
  const repeats = Number(args.repeats || 1);
  const onnxDir = join(root, 'out/bench/onnx');
  for (const size of sizes) {
    const file = join(onnxDir, `sit-${size}2-b${batch}.onnx`);
    if (args.only === 'ours' || existsSync(file)) continue;
    console.log(`exporting ${file} ...`);
    const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [join(root, 'tools/reference/export_onnx.py'), `--size=${size}`, `--batch=${batch}`, `--out=${onnxDir}`], {
      stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' }, cwd: root,
    });
    if (r.status !== 0) throw new Error(`export_onnx.py failed:\n${r.stderr}`);
  }
  const results = [];
  for (const size of sizes) {
    for (const impl of ['ours', 'ort']) {
      if (args.only && args.only !== impl) continue;
      for (const loaded of loadModes) {
        const measure = () => runOrtPage(browser, origin, size, impl, { batch, warmup, repeats });
        // A loaded page may take several minutes on SwiftShader: the spinner's own bound is 20.
        const reply = await (loaded ? withCpuLoad(measure, 20 * 60_000) : measure());
        results.push({ ...reply, loaded, medianMs: median(reply.timesMs), repeats: reply.timesMs.length });
      }
    }
  }
  const cases = [...new Set(results.map((r) => r.case))];
  const pick = (c, ours, loaded) => results.find((r) => r.case === c && (r.impl === 'ours') === ours && r.loaded === loaded);
  const ms = (r) => (r ? r.medianMs.toFixed(0) : '-');
  const ratio = (a, b) => (a && b ? `${(a.medianMs / b.medianMs).toFixed(2)}x` : '-');
  const [first] = loadModes;
  const rows = cases.map((c) => {
    const [o, w] = [pick(c, true, first), pick(c, false, first)];
    const row = [c, ms(o), ms(w), ratio(w, o), `${o?.repeats ?? '-'}/${w?.repeats ?? '-'}`];
    if (loadModes.length === 2) {
      const [oLoaded, wLoaded] = [pick(c, true, true), pick(c, false, true)];
      row.push(ms(oLoaded), ms(wLoaded), ratio(oLoaded, o), ratio(wLoaded, w));
    }
    return row;
  });
  const header = ['case', `ours ms${first ? ' (loaded)' : ''}`, `ort-web ms${first ? ' (loaded)' : ''}`, 'ort/ours', 'repeats'];
  if (loadModes.length === 2) header.push('ours +load ms', 'ort-web +load ms', 'ours load/quiet', 'ort-web load/quiet');
  return { batch, warmup, repeats, load: args.load ?? '0', adapter: results[0]?.adapter, header, rows, results };
}

/** One fresh page running one implementation's forwards at one size. */
async function runOrtPage(browser, origin, size, impl, { batch, warmup, repeats }) {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('__BENCH__ ')) console.log(`  [ort ${size}] ${text.slice(10)}`);
    else if (/assigned|fallback|not supported|error/i.test(text)) console.log(`  [ort ${size} page] ${text.slice(0, 400)}`);
  });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction('window.__ready === true', { timeout: 120_000 });
  const loadError = await page.evaluate(() => window.__loadError);
  if (loadError) throw new Error(`page bundle failed to load: ${loadError}`);
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  const req = { size, batch, warmup, repeats, profile: 'profile' in args, autotune: 'autotune' in args, model: `/model/sit-${size}2-b${batch}.onnx`, io: `/model/sit-${size}2-b${batch}.io.json` };
  const reply = await page.evaluate((r, which) => (which === 'ours' ? window.benchOurs(r) : window.benchOrt(r)), req, impl);
  await page.close();
  return { case: `SiT-${size}/2 b${batch}`, ...reply, crossOriginIsolated: isolated };
}

/** Fixed-width text table; the first column left-aligned. */
function textTable(header, rows) {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells) => cells.map((x, j) => (j === 0 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const markdownTable = (header, rows) => [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

const fmtMs = (ms) => (ms === undefined ? '–' : Math.abs(ms) >= 100 ? ms.toFixed(0) : Math.abs(ms) >= 10 ? ms.toFixed(1) : Math.abs(ms) >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const LATENCY_HEADER = ['case', 'wall ms/NFE', 'Euler wall ms/NFE', 'BA × Euler per NFE', 'backbone', 'SideNet', 'quadrature', 'SideNet % of backbone', 'quad % of backbone', 'SideNet (ablation)'];
const latencyRows = (report) => report.results.map((r) => {
  const m = r.perNfeMs;
  return [r.case, fmtMs(m.wall), fmtMs(m.euler), m.euler === undefined ? '–' : `${(m.wall / m.euler).toFixed(2)}×`, fmtMs(m.backbone), fmtMs(m.sidenet), fmtMs(m.quadrature),
    `${((100 * m.sidenet) / m.backbone).toFixed(1)} %`, `${((100 * m.quadrature) / m.backbone).toFixed(2)} %`, fmtMs(m.sidenetAblation)];
});

const modelsDir = args.models ? resolve(args.models) : join(root, 'models');
console.log('building the pages ...');
await buildPages();
const server = await startServer({ modelsDir });
const chromium = await launchChromium();
const load0 = os.loadavg();
const version = await chromium.browser.version();
console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs); ${version}; pages: ${pages.join(', ')}`);
const report = { bench: 'browser', chromium: `${version} headless`, pages: {}, failures: [], loadavgStart: load0 };
const failures = [];
try {
  // A failing page is reported; the other still runs.
  for (const [name, run] of [['latency', runLatency], ['ort', runOrt]]) {
    if (!pages.includes(name)) continue;
    try {
      report.pages[name] = await run(chromium.browser, server.origin);
    } catch (err) {
      failures.push(`${name}: ${err?.stack ?? err}`);
      console.error(`${name} page failed: ${err?.stack ?? err}`);
    }
  }
} finally {
  await chromium.close();
  await server.close();
}
report.loadavgEnd = os.loadavg();
report.failures = failures;

const md = [`# Browser benchmarks`, '', `${report.chromium}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${report.loadavgEnd.map((l) => l.toFixed(2)).join(' ')} at end.`, ''];
const lat = report.pages.latency;
if (lat) {
  const s = lat.settings;
  const about = `adapter: ${lat.adapter.engine}; ` +
    `BA-solver, warm-up ${s.warmup}, median of ${s.repeats}; backbone/SideNet/quadrature from profiled runs (${lat.results[0]?.split.profilerMode ?? '-'}), wall unprofiled`;
  console.log(`\nPer-NFE latency, ms (${about}):\n${textTable(LATENCY_HEADER, latencyRows(lat))}`);
  for (const n of lat.notes) console.log(`note: ${n}`);
  for (const e of lat.errors) console.log(`error: ${e.case}: ${e.message}`);
  md.push('## Per-NFE latency (latency.html)', '', about + '.', '', markdownTable(LATENCY_HEADER, latencyRows(lat)), '',
    ...lat.notes.map((n) => `- note: ${n}`), ...lat.errors.map((e) => `- error: ${e.case}: ${e.message}`), '');
}
const ort = report.pages.ort;
if (ort) {
  const about = `adapter: ${ort.adapter ?? '?'}; batch ${ort.batch}, warm-up ${ort.warmup}, median of ${ort.repeats}; wall clock per forward in the page`;
  console.log(`\nSiT forward, ours vs onnxruntime-web WebGPU EP (${about}):\n${textTable(ort.header, ort.rows)}`);
  md.push('## SiT forward vs onnxruntime-web (index.html)', '', about + '.', '', markdownTable(ort.header, ort.rows), '');
}
console.log(`load average at end: ${report.loadavgEnd.map((l) => l.toFixed(2)).join(' ')}`);
mkdirSync(dirname(reportBase), { recursive: true });
writeFileSync(`${reportBase}.json`, JSON.stringify(report, null, 2));
writeFileSync(`${reportBase}.md`, md.join('\n'));
console.log(`wrote ${reportBase}.json and ${reportBase}.md`);
if (failures.length) {
  console.error(`failed: ${failures.map((f) => f.split('\n')[0]).join('; ')}`);
  process.exit(1);
}
