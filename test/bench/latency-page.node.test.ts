/**
 * The latency bench page end to end: `bench/browser/serve.mjs` (what `npm run bench:serve`
 * runs) builds and serves the pages with a stand-in for the shipped model in /models/ (the
 * tiny SiT + SideNet pair of test/fixtures/samplers/repa_cfg_8x8, converted here), and headless
 * Chromium (SwiftShader WebGPU) runs latency.html on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../tools/convert-weights/index.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const fixture = 'test/fixtures/samplers/repa_cfg_8x8';
const models = mkdtempSync(join(tmpdir(), 'ba-latency-models-'));
const userDataDir = mkdtempSync(join(tmpdir(), 'ba-latency-chromium-'));
let server: ChildProcess;
let origin: string;
let browser: Browser;

interface PageOutcome {
  error?: string;
  // The page's report (bench/browser/latency.ts, interface Report); checked field by field.
  report?: any;
  chartRects: number;
  download: string | null;
}

async function openLatencyPage(query: string): Promise<PageOutcome> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/latency.html?${query}`);
    await page.waitForFunction('window.__benchDone === true', { timeout: 60_000, polling: 200 });
    return await page.evaluate(() => ({
      error: (window as any).__benchError,
      report: (window as any).__benchResults,
      chartRects: document.querySelectorAll('#chart svg rect').length,
      download: document.querySelector('#download a')?.getAttribute('download') ?? null,
    }));
  } finally {
    await page.close();
  }
}

function rawGet(path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    get(`${origin}${path}`, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, headers: res.headers });
    }).on('error', reject);
  });
}

beforeAll(async () => {
  const config = JSON.parse(readSafetensorsFile(join(fixture, 'trajectories.safetensors')).metadata.config);
  await convert({ input: join(fixture, config.sit.checkpoint), output: join(models, 'fashion-sit.safetensors'), heads: config.sit.heads });
  await convert({ input: join(fixture, config.sidenet.checkpoint), output: join(models, 'fashion-sidenet.safetensors'), heads: config.sidenet.heads });

  server = spawn(process.execPath, ['bench/browser/serve.mjs', '--port=0', `--models=${models}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  origin = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (d) => {
      output += d;
      const m = /(http:\/\/\S+)\/latency\.html\s*$/m.exec(output);
      if (m) resolve(m[1]);
    });
    server.stderr!.on('data', (d) => (output += d));
    server.on('exit', (code) => reject(new Error(`serve.mjs exited (${code}):\n${output}`)));
  });

  const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(existsSync);
  if (!executablePath) throw new Error('Chromium not found: install Debian `chromium` or set CHROMIUM_PATH');
  browser = await puppeteer.launch({
    executablePath, headless: true, userDataDir,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.kill();
  rmSync(models, { recursive: true, force: true });
  rmSync(userDataDir, { recursive: true, force: true });
});

describe('latency bench page (bench/browser/latency.html) in headless Chromium', () => {
  it('serves pages cross-origin isolated, models from --models, and nothing outside the mounts', async () => {
    const page = await rawGet('/latency.html');
    expect(page.status).toBe(200);
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect((await rawGet('/models/fashion-sit.safetensors')).status).toBe(200);
    expect((await rawGet('/models/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(404);
    expect((await rawGet('/..%2fpackage.json')).status).toBe(404);
  });

  it('times the stand-in shipped model: per-NFE split with positive times, adapter info, table, chart, download', async () => {
    const { error, report, chartRects, download } = await openLatencyPage('sizes=none&batches=1,2&nfe=2&warmup=1&repeats=1&ablation=1');
    expect(error).toBeUndefined();
    expect(report.bench).toBe('browser-latency');
    expect(report.complete).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.notes).toEqual([]);
    expect(report.crossOriginIsolated).toBe(true);
    // SwiftShader in headless Chromium: the page says so and picks its small defaults.
    expect(report.adapter.architecture).toMatch(/swiftshader/i);
    expect(report.adapter.engine).toMatch(/via navigator/);
    expect(report.light).toBe(true);
    expect(report.results.map((r: any) => r.case)).toEqual(['shipped fashion-sit b1 N=2', 'shipped fashion-sit b2 N=2']);
    for (const r of report.results) {
      expect(r).toMatchObject({ kind: 'shipped', nfe: 2, cfg: 1, latent: [4, 8, 8] });
      for (const key of ['wall', 'euler', 'backbone', 'sidenet', 'quadrature', 'sidenetAblation']) {
        expect(Number.isFinite(r.perNfeMs[key]), `${r.case} ${key}`).toBe(true);
        if (key !== 'sidenetAblation') expect(r.perNfeMs[key], `${r.case} ${key}`).toBeGreaterThan(0);
      }
      expect(r.gflopPerNfe.backbone).toBeGreaterThan(0);
      expect(r.gflopPerNfe.sidenet).toBeGreaterThan(0);
      expect(r.weightBytes).toBeGreaterThan(400_000);
      // BA-solver at N = 2: 2 backbone calls, 2 forward + 1 backward SideNet probes, 3 fused updates.
      expect(r.split).toMatchObject({ backboneCalls: 2, sidenetCalls: 3, runs: 1 });
      expect(r.split.profiled.dispatches.backbone).toBeGreaterThan(0);
      expect(r.split.profiled.dispatches.sidenet).toBeGreaterThan(0);
      expect(r.split.profiled.dispatches.solver).toBeGreaterThanOrEqual(3);
    }
    expect(report.table).toContain('shipped fashion-sit b2 N=2');
    expect(report.table).toContain('BA/Euler per NFE');
    for (const r of report.results) expect(r.split.euler.baRatio).toBeCloseTo(r.perNfeMs.wall / r.perNfeMs.euler, 6);
    // Legend (3) + backbone, SideNet and quadrature bars per case.
    expect(chartRects).toBe(3 + 3 * 2);
    expect(download).toMatch(/^ba-latency-.*\.json$/);
    for (const r of report.results) expect(r.perNfeMs.gpu, `${r.case} GPU ms per NFE from onStep`).toBeGreaterThan(0);
    // Render-loop mode: frame gaps without and with the (light default) 12 ms budget.
    expect(report.frames).toHaveLength(1);
    const frames = report.frames[0];
    expect(frames).toMatchObject({ case: 'shipped fashion-sit b1 N=2', frameBudgetMs: 12 });
    for (const run of [frames.none, frames.budgeted]) {
      expect(run.frames).toBeGreaterThan(0);
      expect(run.longest).toBeGreaterThanOrEqual(run.median);
    }
    expect(frames.longestDispatchMs).toBeGreaterThan(0);
  });

  it("says 'shipped model not found' for missing files and carries on", async () => {
    const { error, report } = await openLatencyPage('sizes=none&sit=/models/absent-sit.safetensors');
    expect(error).toBeUndefined();
    expect(report.complete).toBe(true);
    expect(report.results).toEqual([]);
    expect(report.notes).toEqual(['shipped model not found: /models/absent-sit.safetensors (HTTP 404)']);
  });

  it('rejects a bad query parameter with a message naming it', async () => {
    expect((await openLatencyPage('sizes=S,Q')).error).toMatch(/query parameter sizes: unknown SiT size 'Q'/);
    expect((await openLatencyPage('nfe=0')).error).toMatch(/query parameter nfe: '0' is not a positive integer/);
    expect((await openLatencyPage('frames=-1')).error).toMatch(/query parameter frames: '-1' is not a frame budget in ms/);
  });
});
