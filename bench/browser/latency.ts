/**
 * Per-NFE latency of BA-solver in the browser (issue 6), on the page's WebGPU adapter:
 * SiT-S/B/L/XL/2-shaped backbones at 256 px (latent 4×32×32, patch 2, random weights) with the
 * default SideNet of ba-solver.md §3 (bench/random-models.ts), and the shipped model
 * (/models/fashion-sit.safetensors + /models/fashion-sidenet.safetensors) when the server has
 * it, each at the requested batches and NFE. The split into backbone, SideNet and quadrature
 * is bench/sampler-split.ts's, the same code the Node sampler bench runs.
 *
 * Render-loop mode (frames=BUDGET): for each model at the first batch and NFE, the page renders
 * a frame every animation frame on the engine's device while BA-solver generates, once
 * without and once with a frame budget, and reports the gaps between the page's frames (how
 * an app sharing the GPU would stutter), with GPU time per NFE from onStep.
 *
 * Runs on load. Shows a table and an SVG chart, and exposes the report as
 * window.__benchResults (updated after every case; `complete` once done), as a download link,
 * and as `__BENCH__ ` console lines for bench/browser/run.mjs; window.__benchDone turns true
 * at the end (window.__benchError holds a fatal error).
 */
import { Engine, sample, SideNetModel, SitModel } from '../../src/index.js';
import { formatTable, type Sample } from '../core.js';
import { phaseFlops, randomSideNet, randomSit, SIT_CONFIGS, sideNetArch, sitArch, type SitSize } from '../random-models.js';
import { measureSplit, phased, splitSamples, SPLIT_RATIOS, type SplitResult } from '../sampler-split.js';

const HELP = `sizes=S,B,L,XL    random-weight SiT sizes at 256 px; 'none' skips them
                  (default S,B,L,XL on a GPU; S,B headless or on a software adapter)
batches=1,4       batch sizes (default 1,4 on a GPU; 1 headless/software)
nfe=4             NFE values N, comma-separated (default 4)
warmup=1          unmeasured runs per case, at N = 1 (compiles every pipeline; default 1)
repeats=5         timed runs per method, medians reported (default 5 on a GPU; 1 headless/software)
cfg=1             classifier-free guidance scale; 1 = off, > 1 doubles every call's batch
ablation=1        also time runs with the SideNet stubbed out (default 1 on a GPU; 0 headless/software)
euler=1           also time Euler at the same N, interleaved: BA's cost per NFE × Euler's (default 1)
shipped=1         also the shipped model; 0 skips it
sit=/models/fashion-sit.safetensors, sidenet=/models/fashion-sidenet.safetensors
                  the shipped model's weight files
power=high-performance   requestAdapter powerPreference (or low-power)
frames=8          render-loop mode: frame gaps of a page drawing every frame while BA-solver
                  generates, without and with this frame budget in ms (default 8 on a GPU,
                  12 headless/software); 0 skips it`;

interface Settings {
  sizes: SitSize[];
  batches: number[];
  nfes: number[];
  warmup: number;
  repeats: number;
  cfg: number;
  ablation: boolean;
  euler: boolean;
  shipped: boolean;
  sitUrl: string;
  sidenetUrl: string;
  power: GPUPowerPreference;
  /** Render-loop mode's frame budget in ms; 0 = off. */
  frameBudgetMs: number;
}

interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean | null;
  /** The engine's one-line description (with the optional features it uses). */
  engine: string;
  features: string[];
}

interface CaseResult {
  case: string;
  /** Rows with the same model share a chart panel. */
  model: string;
  kind: 'random' | 'shipped';
  batch: number;
  nfe: number;
  cfg: number;
  latent: [number, number, number];
  /** Random models: exact parameter counts. */
  sitParams?: number;
  sideParams?: number;
  /** Shipped model: bytes of the two weight files. */
  weightBytes?: number;
  /** Model generation or download + upload, ms (once per model). */
  setupMs: number;
  /** Arithmetic per NFE (2 FLOP per multiply-add): one backbone call, the SideNet's probes. */
  gflopPerNfe: { backbone: number; sidenet: number };
  /** The headline, ms per NFE: wall = whole sample() unprofiled; gpu = onStep's GPU time; the rest from profiled runs. */
  perNfeMs: { wall: number; gpu: number; backbone: number; sidenet: number; quadrature: number; sidenetAblation?: number; euler?: number };
  split: SplitResult;
}

/** Gaps between the page's animation frames during one generation, ms. */
interface GapStats {
  frames: number;
  median: number;
  p90: number;
  p99: number;
  longest: number;
}

interface FrameResult {
  case: string;
  frameBudgetMs: number;
  none: GapStats;
  budgeted: GapStats;
  /** GPU ms per NFE (onStep) without and with the budget. */
  gpuMsPerNfe: { none: number; budgeted: number };
  longestDispatchMs?: number;
}

interface Report {
  bench: 'browser-latency';
  complete: boolean;
  startedAt: string;
  elapsedMs: number;
  userAgent: string;
  /** Small defaults were used because the page is automated (headless) or the adapter is software. */
  light: boolean;
  crossOriginIsolated: boolean;
  adapter: AdapterReport;
  settings: Settings;
  notes: string[];
  errors: { case: string; message: string }[];
  results: CaseResult[];
  frames: FrameResult[];
  /** formatTable() of the results: ms per NFE. */
  table: string;
}

const $ = (id: string) => document.getElementById(id)!;
const t0 = performance.now();

function log(line: string): void {
  $('log').textContent += line + '\n';
  console.log(`__BENCH__ ${line}`);
}

function status(text: string): void {
  $('status').textContent = text;
}

function list(value: string | null, fallback: string): string[] {
  const v = value ?? fallback;
  return v === '' || v === 'none' ? [] : v.split(',').map((s) => s.trim());
}

function positiveInts(name: string, values: string[]): number[] {
  return values.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`query parameter ${name}: '${s}' is not a positive integer`);
    return n;
  });
}

function parseSettings(q: URLSearchParams, light: boolean): Settings {
  const sizes = list(q.get('sizes'), light ? 'S,B' : 'S,B,L,XL').map((s) => s.toUpperCase());
  for (const s of sizes) if (!(s in SIT_CONFIGS)) throw new Error(`query parameter sizes: unknown SiT size '${s}' (${Object.keys(SIT_CONFIGS).join(', ')})`);
  const cfg = Number(q.get('cfg') ?? 1);
  if (!(cfg >= 1)) throw new Error(`query parameter cfg: '${q.get('cfg')}' is not a guidance scale >= 1`);
  const power = q.get('power') ?? 'high-performance';
  if (power !== 'high-performance' && power !== 'low-power') throw new Error(`query parameter power: '${power}' (high-performance or low-power)`);
  const flag = (name: string, fallback: boolean) => (q.has(name) ? !['0', 'false', 'no'].includes(q.get(name)!) : fallback);
  const [warmup] = q.get('warmup') === '0' ? [0] : positiveInts('warmup', [q.get('warmup') ?? '1']);
  const frameBudgetMs = Number(q.get('frames') ?? (light ? 12 : 8));
  if (!(frameBudgetMs >= 0 && Number.isFinite(frameBudgetMs))) throw new Error(`query parameter frames: '${q.get('frames')}' is not a frame budget in ms (0 skips the render-loop mode)`);
  return {
    sizes: sizes as SitSize[],
    batches: positiveInts('batches', list(q.get('batches'), light ? '1' : '1,4')),
    nfes: positiveInts('nfe', list(q.get('nfe'), '4')),
    warmup,
    repeats: positiveInts('repeats', [q.get('repeats') ?? (light ? '1' : '5')])[0],
    cfg,
    ablation: flag('ablation', !light),
    euler: flag('euler', true),
    shipped: flag('shipped', true),
    sitUrl: q.get('sit') ?? '/models/fashion-sit.safetensors',
    sidenetUrl: q.get('sidenet') ?? '/models/fashion-sidenet.safetensors',
    power,
    frameBudgetMs,
  };
}

function isSoftware(info: GPUAdapterInfo): boolean {
  return info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|microsoft basic render|software/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/** ms with about three significant digits. */
function fmtMs(ms: number): string {
  const a = Math.abs(ms);
  return a >= 100 ? ms.toFixed(0) : a >= 10 ? ms.toFixed(1) : a >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

const sig3 = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 2 : 1)} %`;

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function renderFrames(frames: FrameResult[]): void {
  if (!frames.length) return;
  const stats = (g: GapStats) => `${fmtMs(g.median)} / ${fmtMs(g.p90)} / ${fmtMs(g.p99)} / ${fmtMs(g.longest)}`;
  const head = ['render loop (b1)', 'frame gaps, no budget: median / p90 / p99 / longest ms', 'with budget', 'budget ms', 'longest dispatch ms', 'GPU ms/NFE no budget / budget'];
  const rows = frames.map((f) => [f.case, stats(f.none), stats(f.budgeted), String(f.frameBudgetMs), f.longestDispatchMs === undefined ? '–' : fmtMs(f.longestDispatchMs), `${fmtMs(f.gpuMsPerNfe.none)} / ${fmtMs(f.gpuMsPerNfe.budgeted)}`]);
  $('frames').innerHTML = `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function renderTable(results: CaseResult[]): void {
  const head = ['case', 'wall ms/NFE', 'Euler wall ms/NFE', '× Euler', 'GPU ms/NFE (onStep)', 'backbone', 'SideNet', 'quadrature', 'SideNet %', 'quad %', 'SideNet (ablation)', 'GFLOP/NFE', 'backbone GFLOP/s'];
  const rows = results.map((r) => {
    const m = r.perNfeMs;
    return [
      r.case, fmtMs(m.wall), m.euler === undefined ? '–' : fmtMs(m.euler), m.euler === undefined ? '–' : `${(m.wall / m.euler).toFixed(2)}×`, fmtMs(m.gpu), fmtMs(m.backbone), fmtMs(m.sidenet), fmtMs(m.quadrature), pct(m.sidenet, m.backbone), pct(m.quadrature, m.backbone),
      m.sidenetAblation === undefined ? '–' : fmtMs(m.sidenetAblation),
      sig3(r.gflopPerNfe.backbone + r.gflopPerNfe.sidenet), sig3(r.gflopPerNfe.backbone / (m.backbone / 1e3)),
    ];
  });
  $('table').innerHTML = `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const COLORS = { backbone: '#4e79a7', sidenet: '#f28e2b', quadrature: '#e15759' } as const;

/** One panel per model (its own scale): a stacked bar per batch/NFE, the wall time as a tick. */
function renderChart(results: CaseResult[]): void {
  const models = [...new Set(results.map((r) => r.model))];
  const labelW = 110, barW = 520, valueW = 230, rowH = 22, titleH = 26, legendH = 26;
  const width = labelW + barW + valueW;
  let y = legendH;
  const parts: string[] = [];
  let lx = 0;
  for (const [name, color] of [['backbone', COLORS.backbone], ['SideNet', COLORS.sidenet], ['quadrature', COLORS.quadrature]] as const) {
    parts.push(`<rect x="${lx}" y="6" width="12" height="12" fill="${color}"/><text x="${lx + 16}" y="16">${name}</text>`);
    lx += 110;
  }
  parts.push(`<line x1="${lx}" y1="4" x2="${lx}" y2="20" stroke="#000" stroke-width="2"/><text x="${lx + 6}" y="16">wall (unprofiled)</text>`);
  for (const model of models) {
    const rows = results.filter((r) => r.model === model);
    const max = Math.max(...rows.map((r) => Math.max(r.perNfeMs.wall, r.perNfeMs.backbone + r.perNfeMs.sidenet + r.perNfeMs.quadrature)));
    const scale = barW / max;
    parts.push(`<text x="0" y="${y + 18}" font-weight="bold">${escapeXml(model)} — ms per NFE (0–${fmtMs(max)})</text>`);
    y += titleH;
    for (const r of rows) {
      const m = r.perNfeMs;
      let x = labelW;
      parts.push(`<text x="0" y="${y + 15}">${escapeXml(`b${r.batch} N=${r.nfe}${r.cfg !== 1 ? ` cfg${r.cfg}` : ''}`)}</text>`);
      for (const key of ['backbone', 'sidenet', 'quadrature'] as const) {
        const w = m[key] * scale;
        parts.push(`<rect x="${x}" y="${y + 3}" width="${Math.max(w, 0)}" height="${rowH - 6}" fill="${COLORS[key]}"><title>${key} ${fmtMs(m[key])} ms/NFE</title></rect>`);
        x += w;
      }
      const wx = labelW + m.wall * scale;
      parts.push(`<line x1="${wx}" y1="${y + 1}" x2="${wx}" y2="${y + rowH - 1}" stroke="#000" stroke-width="2"/>`);
      parts.push(`<text x="${labelW + barW + 8}" y="${y + 15}">${fmtMs(m.backbone)} + ${fmtMs(m.sidenet)} + ${fmtMs(m.quadrature)}; wall ${fmtMs(m.wall)}</text>`);
      y += rowH;
    }
    y += 8;
  }
  $('chart').innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-size="12" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}

let downloadUrl: string | undefined;

function publish(report: Report): void {
  report.elapsedMs = performance.now() - t0;
  const samples: Sample[] = report.results.flatMap((r) => splitSamples(r.case, r.split));
  report.table = samples.length ? formatTable(samples, SPLIT_RATIOS) : '';
  (window as unknown as { __benchResults: Report }).__benchResults = report;
  renderTable(report.results);
  renderChart(report.results);
  renderFrames(report.frames);
  $('notes').innerHTML = [
    ...report.notes.map((n) => `<p class="note">${escapeXml(n)}</p>`),
    ...report.errors.map((e) => `<p class="error">${escapeXml(`${e.case}: ${e.message}`)}</p>`),
  ].join('');
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(report, null, 2)], { type: 'application/json' }));
  const file = `ba-latency-${(report.adapter.architecture || report.adapter.vendor || 'gpu').replace(/[^\w-]+/g, '_')}.json`;
  $('download').innerHTML = `<a href="${downloadUrl}" download="${file}">Download the results as JSON</a>${report.complete ? '' : ' (partial)'}`;
}

interface ModelPair {
  name: string;
  kind: CaseResult['kind'];
  sit: SitModel;
  sidenet: SideNetModel;
  labelsFor: (batch: number) => number[];
  setupMs: number;
  extra: Pick<CaseResult, 'sitParams' | 'sideParams' | 'weightBytes'>;
}

async function runCases(engine: Engine, pair: ModelPair, settings: Settings, report: Report): Promise<void> {
  const { model, sidenet } = phased(engine, pair.sit, pair.sidenet);
  const H = pair.sit.arch.inputSize;
  const latent: [number, number, number] = [pair.sit.channels, H, H];
  for (const batch of settings.batches) {
    for (const nfe of settings.nfes) {
      const name = `${pair.name} b${batch} N=${nfe}${settings.cfg !== 1 ? ` cfg${settings.cfg}` : ''}`;
      status(`running ${name} …`);
      log(`${name}:`);
      try {
        const split = await measureSplit(engine, {
          model, sidenet, nfe, labels: pair.labelsFor(batch), size: [H, H], warmup: settings.warmup, repeats: settings.repeats, ablation: settings.ablation, euler: settings.euler,
          guidance: settings.cfg !== 1 ? { scale: settings.cfg } : undefined, log: (line) => log(`  ${line}`),
        });
        // GPU time per NFE as an app sees it: onStep, which fires once the GPU finished each step.
        let gpuMs = 0;
        const timed = await sample(engine, {
          model: pair.sit, sidenet: pair.sidenet, solver: 'ba', nfe, labels: pair.labelsFor(batch), noise: 11, size: [H, H],
          guidance: settings.cfg !== 1 ? { scale: settings.cfg } : undefined, onStep: (s) => void (gpuMs += s.gpuMs),
        });
        timed.latent.dispose();
        const images = settings.cfg !== 1 ? 2 * batch : batch;
        const flops = phaseFlops(pair.sit.arch, pair.sidenet.arch, images, nfe, pair.sidenet.fused);
        report.results.push({
          case: name, model: pair.name, kind: pair.kind, batch, nfe, cfg: settings.cfg, latent, ...pair.extra, setupMs: pair.setupMs,
          gflopPerNfe: { backbone: flops.backbone / 1e9, sidenet: flops.sidenet / 1e9 },
          perNfeMs: {
            wall: split.wallPerNfe, gpu: gpuMs / nfe, backbone: split.profiled.backbone, sidenet: split.profiled.sidenet, quadrature: split.profiled.solver,
            sidenetAblation: split.ablation?.sidenetPerNfe, euler: split.euler?.perNfe,
          },
          split,
        });
        log(`  -> wall ${fmtMs(split.wallPerNfe)} ms/NFE${split.euler ? ` (${split.euler.baRatio.toFixed(2)}× Euler's ${fmtMs(split.euler.perNfe)})` : ''}; backbone ${fmtMs(split.profiled.backbone)}, SideNet ${fmtMs(split.profiled.sidenet)}, quadrature ${fmtMs(split.profiled.solver)} ms/NFE (${split.profilerMode})`);
      } catch (err) {
        report.errors.push({ case: name, message: errorText(err) });
        log(`  failed: ${errorText(err)}`);
      }
      publish(report);
    }
  }
}

function gapStats(gaps: number[]): GapStats {
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { frames: gaps.length, median: at(0.5), p90: at(0.9), p99: at(0.99), longest: sorted.at(-1) ?? 0 };
}

/**
 * The page as an app: a frame rendered on the engine's device every animation frame (a render
 * pass into the app's own texture, queued like any app's frame) while BA-solver generates
 * (batch 1, the first NFE), without and with the frame budget. A texture rather than a canvas:
 * headless Chromium without a GPU cannot present WebGPU canvases with the bench's flags.
 */
async function measureFrames(engine: Engine, pair: ModelPair, settings: Settings, report: Report): Promise<void> {
  const target = engine.device.createTexture({ size: [256, 256], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT });
  let gaps: number[] | undefined;
  let last = performance.now();
  let running = true;
  const frame = (now: number) => {
    gaps?.push(now - last);
    last = now;
    const encoder = engine.device.createCommandEncoder();
    const shade = (now / 1000) % 1;
    encoder.beginRenderPass({ colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [shade, 0.3, 1 - shade, 1] }] }).end();
    engine.device.queue.submit([encoder.finish()]);
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const nfe = settings.nfes[0];
  const H = pair.sit.arch.inputSize;
  const run = async (frameBudgetMs: number | undefined) => {
    let gpuMs = 0;
    gaps = [];
    const { latent } = await sample(engine, {
      model: pair.sit, sidenet: pair.sidenet, solver: 'ba', nfe, labels: pair.labelsFor(1), noise: 12, size: [H, H], frameBudgetMs,
      onStep: (s) => void (gpuMs += s.gpuMs),
    });
    latent.dispose();
    const measured = gaps;
    gaps = undefined;
    return { gaps: measured, gpuMsPerNfe: gpuMs / nfe };
  };
  try {
    status(`render loop: ${pair.name} …`);
    const none = await run(undefined);
    const budgeted = await run(settings.frameBudgetMs);
    const result: FrameResult = {
      case: `${pair.name} b1 N=${nfe}`, frameBudgetMs: settings.frameBudgetMs, none: gapStats(none.gaps), budgeted: gapStats(budgeted.gaps),
      gpuMsPerNfe: { none: none.gpuMsPerNfe, budgeted: budgeted.gpuMsPerNfe }, longestDispatchMs: engine.longestDispatchMs,
    };
    report.frames.push(result);
    log(`render loop ${result.case}: longest frame gap ${fmtMs(result.none.longest)} ms without a budget, ${fmtMs(result.budgeted.longest)} ms with ${settings.frameBudgetMs} ms`);
  } finally {
    running = false;
    target.destroy();
  }
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

async function randomPair(engine: Engine, size: SitSize): Promise<ModelPair> {
  const start = performance.now();
  const sit = randomSit(engine, sitArch(size), 1);
  const side = randomSideNet(engine, sideNetArch(), 2);
  await engine.sync();
  return {
    name: `SiT-${size}/2`, kind: 'random', sit: sit.model, sidenet: side.model, setupMs: performance.now() - start,
    labelsFor: (batch) => Array.from({ length: batch }, (_, i) => (37 * i + 5) % 1000),
    extra: { sitParams: sit.params, sideParams: side.params },
  };
}

/** The shipped model, or a note saying which file the server lacks. */
async function shippedPair(engine: Engine, settings: Settings, report: Report): Promise<ModelPair | undefined> {
  const urls = [settings.sitUrl, settings.sidenetUrl];
  const heads = await Promise.all(urls.map((url) => fetch(url, { method: 'HEAD' }).catch(() => undefined)));
  const missing = urls.flatMap((url, i) => (heads[i]?.ok ? [] : [`${url} (${heads[i] ? `HTTP ${heads[i]!.status}` : 'unreachable'})`]));
  if (missing.length) {
    report.notes.push(`shipped model not found: ${missing.join(', ')}`);
    log(`note: ${report.notes.at(-1)}`);
    return undefined;
  }
  const start = performance.now();
  const fileBytes = new Map<string, number>();
  const progress = (what: string) => (p: { loadedBytes: number; totalBytes: number }) => {
    status(`loading ${what}: ${(p.loadedBytes / 2 ** 20).toFixed(1)} / ${(p.totalBytes / 2 ** 20).toFixed(1)} MiB`);
    fileBytes.set(what, p.totalBytes);
  };
  const sit = await SitModel.load(engine, settings.sitUrl, { onProgress: progress(settings.sitUrl) });
  const sidenet = await SideNetModel.load(engine, settings.sidenetUrl, { onProgress: progress(settings.sidenetUrl) }).catch((err) => {
    sit.dispose();
    throw err;
  });
  await engine.sync();
  const classes = Math.min(sit.arch.classes, sidenet.arch.classes);
  const name = `shipped ${settings.sitUrl.split('/').pop()!.replace(/\.safetensors$/, '')}`;
  log(`${name}: depth ${sit.arch.depth}, width ${sit.arch.hidden}, patch ${sit.arch.patch}, latent ${sit.channels}×${sit.arch.inputSize}×${sit.arch.inputSize}, ${sit.convention} convention; SideNet C = ${sidenet.arch.channels}`);
  return {
    name, kind: 'shipped', sit, sidenet, setupMs: performance.now() - start, extra: { weightBytes: [...fileBytes.values()].reduce((a, b) => a + b, 0) },
    labelsFor: (batch) => Array.from({ length: batch }, (_, i) => (3 * i + 1) % classes),
  };
}

async function main(): Promise<void> {
  $('help').textContent = HELP;
  if (!navigator.gpu) throw new Error('this browser offers no WebGPU (navigator.gpu is missing; plain http works only on localhost)');
  const query = new URLSearchParams(location.search);
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: query.get('power') === 'low-power' ? 'low-power' : 'high-performance' });
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned no adapter');
  const info = adapter.info;
  const light = navigator.webdriver || isSoftware(info);
  const settings = parseSettings(query, light);
  const report: Report = {
    bench: 'browser-latency', complete: false, startedAt: new Date().toISOString(), elapsedMs: 0, userAgent: navigator.userAgent, light,
    crossOriginIsolated: self.crossOriginIsolated,
    adapter: {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      isFallbackAdapter: typeof info.isFallbackAdapter === 'boolean' ? info.isFallbackAdapter : null, engine: '', features: [...adapter.features].sort(),
    },
    settings, notes: [], errors: [], results: [], frames: [], table: '',
  };
  $('settings').textContent = `sizes ${settings.sizes.join(',') || 'none'}; batches ${settings.batches.join(',')}; NFE ${settings.nfes.join(',')}; ` +
    `warm-up ${settings.warmup}, repeats ${settings.repeats}; CFG ${settings.cfg === 1 ? 'off' : settings.cfg}; ablation ${settings.ablation ? 'on' : 'off'}; ` +
    `shipped ${settings.shipped ? 'on' : 'off'}${light ? ' (small defaults: headless or software adapter)' : ''}`;

  const jobs: { label: string; make: (engine: Engine) => Promise<ModelPair | undefined> }[] = [
    ...settings.sizes.map((size) => ({ label: `SiT-${size}/2`, make: (engine: Engine) => randomPair(engine, size) })),
    ...(settings.shipped ? [{ label: 'shipped model', make: (engine: Engine) => shippedPair(engine, settings, report) }] : []),
  ];
  for (const job of jobs) {
    status(`preparing ${job.label} …`);
    // A fresh device per model, so that one model's memory is gone before the next one loads.
    const engine = await Engine.create({ powerPreference: settings.power });
    if (!report.adapter.engine) {
      report.adapter.engine = engine.describe();
      $('adapter').textContent = `adapter: ${engine.describe()}; ${navigator.userAgent}`;
    }
    let pair: ModelPair | undefined;
    try {
      pair = await job.make(engine);
      if (pair) {
        log(`${pair.name} ready in ${(pair.setupMs / 1e3).toFixed(1)} s`);
        await runCases(engine, pair, settings, report);
        if (settings.frameBudgetMs > 0) await measureFrames(engine, pair, settings, report);
      }
    } catch (err) {
      report.errors.push({ case: job.label, message: errorText(err) });
      log(`${job.label} failed: ${errorText(err)}`);
    } finally {
      pair?.sit.dispose();
      pair?.sidenet.dispose();
      engine.dispose();
    }
    publish(report);
  }
  report.complete = true;
  publish(report);
  log(`done in ${(report.elapsedMs / 1e3).toFixed(1)} s`);
  if (report.table) log(`\nms per NFE (median; backbone/SideNet/quadrature from profiled runs, ${report.results[0]?.split.profilerMode ?? ''}):\n${report.table}`);
  status(`done: ${report.results.length} cases${report.errors.length ? `, ${report.errors.length} failed` : ''} in ${(report.elapsedMs / 1e3).toFixed(0)} s`);
}

try {
  await main();
} catch (err) {
  const text = errorText(err);
  (window as unknown as { __benchError: string }).__benchError = text;
  status(`failed: ${text}`);
  log(`failed: ${text}`);
} finally {
  (window as unknown as { __benchDone: boolean }).__benchDone = true;
}
