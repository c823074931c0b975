/**
 * GPU bench (issue 18): BA-solver on SiT-XL/2-shaped models (random weights, 256 px → latent
 * 4×32×32, patch 2) with the default SideNet, on whatever adapter Node gets. Per (precision,
 * batch): per-NFE latency split into backbone / SideNet / quadrature (bench/sampler-split.ts's
 * measureSplit: methods A and C and the unprofiled wall time), the pool's peak memory, per-kernel
 * GFLOP/s (profiler time per kernel group, FLOPs from the shapes) and their share of the
 * adapter's published non-tensor peak where known, and the SideNet + quadrature share of the
 * per-NFE time (paper: ~6 %).
 *
 *   npm run bench:gpu -- [--quick] [--size=XL] [--dtypes=f16,f32] [--batches=1,4,16] [--nfe=4] \
 *     [--warmup=1] [--repeats=3] [--no-ablation] [--json=out/bench/gpu.json]
 *   node dist/bench/gpu.mjs --merge --ours=gpu.json --peer=torch.json --report=report.json [--note=TEXT]
 *
 * --quick: XL/2 f32 batch 1, N = 1, one repeat, no ablation (a few minutes on lavapipe).
 * f16 runs only where the adapter has shader-f16 (else listed under 'skipped'). One engine per
 * precision, batches ascending, so the pool's high-water mark after a case is that case's peak.
 * The JSON is rewritten after every case, so a run stopped by a timeout still leaves its cases.
 *
 * --merge (no GPU): the device bundle's run.sh joins our JSON and the PyTorch peer's
 * (tools/reference/bench_torch_gpu.py) into one report with per-shape ratios and the targets.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { Engine } from '../src/gpu/engine.js';
import { SideNetModel } from '../src/model/sidenet.js';
import { formatMerged, groupFlops, kernelRates, mergeReports, publishedPeak, type GpuCase, type GpuReport, type Precision } from './gpu-report.js';
import { phaseFlops, randomSit, randomWeights, SIT_CONFIGS, sideNetArch, sideNetShapes, sitArch, type SitSize } from './random-models.js';
import { measureSplit, phased } from './sampler-split.js';

/** `--key=value`, `--key value` and bare `--flag`; repeated keys keep every value. */
function parseArgs(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}' (options are --key=value)`);
    const eq = a.indexOf('=');
    const key = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const value = eq >= 0 ? a.slice(eq + 1) : argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : '';
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const arg = (key: string, fallback: string) => args.get(key)?.at(-1) || fallback;
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1e3).toFixed(0).padStart(4)} s] ${line}`);

if (args.has('merge')) {
  const readJson = (key: string) => {
    const path = args.get(key)?.at(-1);
    if (!path || !existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      console.error(`cannot read --${key} ${path}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const merged = mergeReports(readJson('ours'), readJson('peer'), args.get('note') ?? []);
  const reportPath = arg('report', 'report.json');
  writeFileSync(reportPath, JSON.stringify(merged, null, 2));
  console.log(formatMerged(merged));
  console.log(`wrote ${reportPath}`);
  process.exit(0);
}

const quick = args.has('quick');
const size = arg('size', 'XL') as SitSize;
if (!(size in SIT_CONFIGS)) throw new Error(`--size must be one of ${Object.keys(SIT_CONFIGS).join(', ')}, got '${size}'`);
const dtypes = arg('dtypes', quick ? 'f32' : 'f16,f32').split(',') as Precision[];
for (const d of dtypes) if (d !== 'f16' && d !== 'f32') throw new Error(`--dtypes takes f16 and f32, got '${d}'`);
const batches = arg('batches', quick ? '1' : '1,4,16').split(',').map(Number).sort((a, b) => a - b);
const nfe = Number(arg('nfe', quick ? '1' : '4'));
const warmup = Number(arg('warmup', '1'));
const repeats = Number(arg('repeats', quick ? '1' : '3'));
const ablation = !quick && !args.has('no-ablation');
const jsonPath = arg('json', 'out/bench/gpu.json');
for (const [name, v] of [['batches', Math.min(...batches)], ['nfe', nfe], ['repeats', repeats]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be positive integers`);
}

const sit = sitArch(size);
const side = sideNetArch();
const probe = await Engine.create();
const adapterName = Object.values(probe.adapterInfo).filter(Boolean).join(' ');
const peak = publishedPeak(adapterName);
const report: GpuReport = {
  bench: 'gpu', adapter: probe.describe(), adapterInfo: probe.adapterInfo, features: [...probe.features].sort(), profiler: probe.profiler.mode, peak, quick,
  settings: { size, dtypes, batches, nfe, warmup, repeats, ablation }, loadavgStart: os.loadavg(), cases: [], skipped: [], complete: false,
};
const hasF16 = probe.has('shader-f16');
probe.dispose();
const save = () => {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify(report, null, 2));
};
log(`adapter: ${report.adapter}; profiler: ${report.profiler}`);
log(`published non-tensor peak: ${peak ? `${peak.name}, f32 ${peak.f32} TFLOP/s${peak.f16 ? `, f16 ${peak.f16} TFLOP/s` : ''}` : 'unknown for this adapter (shares omitted)'}`);
log(`SiT-${size}/2 256 px, precisions ${dtypes.join(', ')}, batches ${batches.join(', ')}, BA-solver N = ${nfe}, warm-up ${warmup}, median of ${repeats}${ablation ? ', ablation' : ''}`);

for (const dtype of dtypes) {
  if (dtype === 'f16' && !hasF16) {
    report.skipped.push({ dtype, reason: 'adapter has no shader-f16' });
    log('f16: skipped, the adapter has no shader-f16');
    continue;
  }
  const engine = await Engine.create();
  try {
    const t0 = performance.now();
    const backbone = randomSit(engine, sit, 1, dtype);
    const sideWeights = randomWeights(engine, sideNetShapes(side), 2, dtype);
    const sidenet = new SideNetModel(engine, side, sideWeights.tensors);
    await engine.sync();
    log(`${dtype}: SiT ${(backbone.params / 1e6).toFixed(1)} M + SideNet ${(sideWeights.params / 1e6).toFixed(2)} M random parameters in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
    const { model, sidenet: corrector } = phased(engine, backbone.model, sidenet);
    for (const batch of batches) {
      const name = `SiT-${size}/2 ${dtype} b${batch}`;
      log(`${name}: BA-solver N = ${nfe}`);
      try {
        const labels = Array.from({ length: batch }, (_, i) => (37 * i + 5) % 1000);
        const split = await measureSplit(engine, {
          model, sidenet: corrector, nfe, labels, size: [sit.inputSize, sit.inputSize], dtype, warmup, repeats, ablation, log: (line) => log(`  ${line}`),
        });
        const p = split.profiled;
        const peakTflops = dtype === 'f16' ? peak?.f16 : peak?.f32;
        const kernels = kernelRates(p.kernels, groupFlops(sit, side, batch, nfe, sidenet.fused), peakTflops);
        const flops = phaseFlops(sit, side, batch, nfe, sidenet.fused);
        const result: GpuCase = {
          model: `SiT-${size}/2`, dtype, batch, nfe, wallPerNfe: split.wallPerNfe, profiled: { backbone: p.backbone, sidenet: p.sidenet, solver: p.solver }, ablation: split.ablation,
          sidenetQuadShare: (p.sidenet + p.solver) / (p.backbone + p.sidenet + p.solver), peakBytes: engine.poolStats().peakBytes,
          weightBytes: backbone.bytes + sideWeights.bytes, gflopPerNfe: { backbone: flops.backbone / 1e9, sidenet: flops.sidenet / 1e9 },
          kernels, kernelMs: p.kernels, dispatchesPerRun: p.dispatches,
        };
        report.cases.push(result);
        save();
        log(`${name}: wall ${result.wallPerNfe.toFixed(1)} ms/NFE; profiled backbone ${p.backbone.toFixed(1)}, SideNet ${p.sidenet.toFixed(2)}, quadrature ${p.solver.toFixed(3)} ms/NFE; ` +
          `SideNet + quadrature ${(100 * result.sidenetQuadShare).toFixed(1)} %; peak ${(result.peakBytes / 2 ** 20).toFixed(0)} MiB`);
        log(`${name}: ${kernels.map((k) => `${k.phase} ${k.group} ${k.gflopsPerS.toFixed(0)} GFLOP/s${k.peakShare !== undefined ? ` (${(100 * k.peakShare).toFixed(1)} % of peak)` : ''}`).join(', ')}`);
      } catch (err) {
        // Out of memory or a device limit at a large batch: keep the smaller cases.
        report.skipped.push({ dtype, batch, reason: (err as Error).message });
        save();
        log(`${name}: failed: ${(err as Error).message}`);
      }
    }
    backbone.model.dispose();
    sidenet.dispose();
  } finally {
    engine.dispose();
  }
}

report.loadavgEnd = os.loadavg();
report.complete = true;
save();
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const header = ['case', 'wall ms/NFE', 'backbone', 'SideNet', 'quadrature', 'SideNet+quad %', 'peak MiB', 'matmul GFLOP/s', 'attention GFLOP/s', 'matmul % peak'];
const rows = report.cases.map((c) => {
  const rate = (group: string) => c.kernels.find((k) => k.phase === 'backbone' && k.group === group);
  const share = rate('matmul')?.peakShare;
  return [
    `${c.model} ${c.dtype} b${c.batch}`, ms(c.wallPerNfe), ms(c.profiled.backbone), ms(c.profiled.sidenet), c.profiled.solver.toFixed(3),
    (100 * c.sidenetQuadShare).toFixed(1), (c.peakBytes / 2 ** 20).toFixed(0), rate('matmul')?.gflopsPerS.toFixed(0) ?? '-',
    rate('attention')?.gflopsPerS.toFixed(0) ?? '-', share === undefined ? '-' : (100 * share).toFixed(1),
  ];
});
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
console.log(`\nPer-NFE time (ms per backbone call; profiled split, backbone kernel rates):`);
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
for (const s of report.skipped) console.log(`skipped: ${s.dtype}${s.batch ? ` b${s.batch}` : ''}: ${s.reason}`);
log(`wrote ${jsonPath}`);
process.exit(0);
