/**
 * Sampler benchmark (issue 4): per-NFE time of BA-solver split into backbone, SideNet and
 * quadrature, for SiT-S/2 and SiT-B/2 at 256 px (latent 4×32×32) with the default SideNet
 * (C = 256, E = 256, L = 4, 4 heads; random weights, output conv non-zero).
 *
 *   npx esbuild bench/sampler.ts --bundle --platform=node --format=esm --loader:.wgsl=text \
 *     --main-fields=module,main --alias:wgsl_reflect=wgsl_reflect/wgsl_reflect.module.js \
 *     --external:webgpu '--external:@tensorflow/*' --outfile=dist/bench/sampler.mjs
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node dist/bench/sampler.mjs \
 *     [--sizes=S,B] [--nfe=4] [--batch=1] [--cfg=1] [--warmup=1] [--repeats=3] \
 *     [--sidenet-graph=fused|unfused|both] [--json=out/bench/sampler.json]
 *
 * Per case it also prints dispatches and submits per NFE (BA-solver's against an Euler sample()
 * of the same N), each phase's achieved GFLOP/s, and the SideNet's time share of backbone +
 * SideNet divided by its arithmetic share (1 = as efficient per FLOP as the backbone; issue 20).
 * --sidenet-graph=both runs every case with the unfused and the fused SideNet graph.
 *
 * Methods A ('profiled': a whole sample() under the profiler, every dispatch attributed to
 * backbone, SideNet or solver), C ('ablation': the SideNet stubbed out, interleaved with full
 * runs) and 'sample wall' come from bench/sampler-split.ts, shared with the Chrome latency page
 * (bench/browser/latency.ts); see there.
 *
 * Method B (cross-check, 'isolated'): each piece recorded and submitted alone, GPU time by
 * timestamp queries: one backbone forward; one forward probe (SideNet, 3 offsets); one
 * backward probe (1 offset); one fused quadrature update; the four interleaved round by
 * round so that load changes on the shared machine hit them alike. Per-NFE costs are
 * weighted by how often Algorithm 1 calls each at N steps (N backbone, N forward probes,
 * N − 1 backward probes, 2N − 1 updates). It needs the solver's internals (SamplerRun), so it
 * stays Node-only here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { biAnchorRule, SamplerRun, timeGrid } from '../src/solver/index.js';
import { median } from './core.js';
import { groupFlops, kernelGroup, type KernelGroup } from './gpu-report.js';
import { countCalls, measureSplit, phased, type SplitResult } from './sampler-split.js';
import { phaseFlops, randomSideNet, randomSit, Rng, sideNetArch, sitArch, type SitSize } from './random-models.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const sizes = (args.sizes ?? 'S,B').split(',') as SitSize[];
const nfe = Number(args.nfe ?? 4);
const batch = Number(args.batch ?? 1);
const cfg = Number(args.cfg ?? 1);
const warmup = Number(args.warmup ?? 1);
const repeats = Number(args.repeats ?? 3);
const jsonPath = args.json ?? 'out/bench/sampler.json';
const graphArg = args['sidenet-graph'] ?? 'fused';
if (!['fused', 'unfused', 'both'].includes(graphArg)) throw new Error(`--sidenet-graph must be fused, unfused or both, got '${graphArg}'`);
const graphs = (graphArg === 'both' ? ['unfused', 'fused'] : [graphArg]) as ('fused' | 'unfused')[];

interface Result {
  case: string;
  size: SitSize;
  batch: number;
  cfg: number;
  nfe: number;
  sitParams: number;
  sideParams: number;
  backboneCalls: number;
  sidenetCalls: number;
  sidenetGraph: 'fused' | 'unfused';
  /** Per backbone call: BA-solver's dispatches by phase and submits, and an Euler sample()'s at the same N. */
  calls: { ba: { dispatches: Record<string, number>; submits: number }; euler: { dispatches: number; submits: number } };
  /** Method A: per-NFE ms per phase (median over runs), per-kernel ms per NFE, dispatches per run. */
  profiled: SplitResult['profiled'];
  /** Method B: per-NFE ms per phase from isolated pieces (GPU time by timestamp queries). */
  isolated: { backbone: number; sidenet: number; solver: number; forwardProbeMs: number; backwardProbeMs: number; updateMs: number; backboneMs: number };
  /** Method C: unprofiled wall / N, full vs SideNet stubbed out; the difference is the SideNet's. */
  ablation: NonNullable<SplitResult['ablation']>;
  /** Whole sample() unprofiled, wall clock / N. */
  sampleWallPerNfe: number;
  runs: number;
}

async function benchSize(size: SitSize, graph: 'fused' | 'unfused'): Promise<Result> {
  const engine = await Engine.create();
  const arch = sitArch(size);
  const sit = randomSit(engine, arch, 1);
  const side = randomSideNet(engine, sideNetArch(), 2);
  side.model.fused = graph === 'fused';
  const { model, sidenet } = phased(engine, sit.model, side.model);
  const labels = Array.from({ length: batch }, (_, i) => (37 * i + 5) % 1000);
  const guidance = cfg !== 1 ? { scale: cfg, interval: null } : undefined;
  const name = `SiT-${size}/2 b${batch}${cfg !== 1 ? ` cfg${cfg}` : ''} BA ${nfe} NFE${graphs.length > 1 ? ` (${graph})` : ''}`;
  console.log(`${name}: SiT ${(sit.params / 1e6).toFixed(1)} M params, SideNet ${(side.params / 1e6).toFixed(2)} M params`);
  // Methods A, C and the unprofiled wall time.
  const split = await measureSplit(engine, {
    model, sidenet, nfe, labels, size: [32, 32], guidance, warmup, repeats, ablation: true, log: (line) => console.log(`  ${line}`),
  });
  const ablation = split.ablation!;
  const eulerCalls = await countCalls(engine, { model, solver: 'euler', nfe, labels, noise: 1234, size: [32, 32], guidance });
  const perNfe = (n: number) => n / nfe;
  const calls = {
    ba: { dispatches: Object.fromEntries(Object.entries(split.profiled.dispatches).map(([k, n]) => [k, perNfe(n)])), submits: perNfe(split.profiled.submits) },
    euler: { dispatches: perNfe(Object.values(eulerCalls.dispatches).reduce((a, b) => a + b, 0)), submits: perNfe(eulerCalls.submits) },
  };
  console.log(`  sample wall (unprofiled): ${(split.wallPerNfe * nfe).toFixed(0)} ms per run`);
  console.log(`  ablation: full ${ablation.fullPerNfe.toFixed(0)} ms/NFE, SideNet stubbed ${ablation.noSideNetPerNfe.toFixed(0)} ms/NFE -> SideNet ${ablation.sidenetPerNfe.toFixed(0)} ms/NFE`);

  // Method B: isolated pieces, GPU time.
  const rng = new Rng(11);
  const B = cfg !== 1 ? 2 * batch : batch;
  const latent = (n: number) => engine.upload(rng.uniform(n * 4 * 32 * 32, 1), [n, 4, 32, 32]);
  const x = latent(B);
  const v = latent(B);
  const tB = Array(B).fill(0.6);
  const yB = Array.from({ length: B }, (_, i) => (i < batch ? labels[i] : 1000));
  // Planned like a run's probes: their conditioning is computed once, not in every piece.
  const probePlan = side.model.plan([{ t: tB, offsets: [0.07, 0.18, 0.25] }, { t: tB, offsets: [-0.07] }], yB);
  const fwd = side.model.delta(x, v, tB, [0.07, 0.18, 0.25], yB);
  const bwd = side.model.delta(x, v, tB, [-0.07], yB);
  const noise = latent(batch);
  const run = new SamplerRun(engine, { model, sidenet, labels, noise, times: timeGrid(nfe), guidance });
  const [w0, w1, w2, w3] = biAnchorRule().weights;
  const pieces: Record<'backbone' | 'forwardProbe' | 'backwardProbe' | 'update', () => Tensor> = {
    backbone: () => sit.model.forward(x, tB, yB),
    forwardProbe: () => side.model.delta(x, v, tB, [0.07, 0.18, 0.25], yB),
    backwardProbe: () => side.model.delta(x, v, tB, [-0.07], yB),
    update: () => run.update({
      x, h: 0.25, anchors: [v, v], deltas: [fwd, bwd],
      nodes: [
        { anchor: 0, weight: w0, time: 0.6 }, { anchor: 0, delta: { buffer: 0, slice: 0 }, weight: w1, time: 0.53 },
        { anchor: 1, delta: { buffer: 1, slice: 0 }, weight: w2, time: 0.42 }, { anchor: 1, weight: w3, time: 0.35 },
      ],
    }, false),
  };
  // Each piece alone, in its own submit, GPU time by timestamp queries; the pieces are
  // interleaved round by round so that a change in machine load hits all of them alike.
  const pieceMs: Record<string, number[]> = {};
  for (let round = 0; round < warmup + repeats; round++) {
    for (const [key, f] of Object.entries(pieces)) {
      engine.profiler.reset();
      engine.profiler.enabled = true;
      let out: Tensor;
      try {
        out = f();
        await engine.submit();
      } finally {
        engine.profiler.enabled = false;
      }
      out.dispose();
      if (round >= warmup) (pieceMs[key] ??= []).push(engine.profiler.rows().reduce((a, r) => a + r.totalMs, 0));
    }
  }
  const backboneMs = median(pieceMs.backbone);
  const forwardProbeMs = median(pieceMs.forwardProbe);
  const backwardProbeMs = median(pieceMs.backwardProbe);
  const updateMs = median(pieceMs.update);
  for (const t of [x, v, fwd, bwd, noise]) t.dispose();
  probePlan.dispose();
  const isolated = {
    backbone: backboneMs,
    sidenet: (nfe * forwardProbeMs + (nfe - 1) * backwardProbeMs) / nfe,
    solver: ((2 * nfe - 1) * updateMs) / nfe,
    forwardProbeMs, backwardProbeMs, updateMs, backboneMs,
  };
  sit.model.dispose();
  side.model.dispose();
  engine.dispose();
  return {
    case: name, size, batch, cfg, nfe, sitParams: sit.params, sideParams: side.params,
    backboneCalls: split.backboneCalls, sidenetCalls: split.sidenetCalls, sidenetGraph: graph, calls, profiled: split.profiled, isolated, ablation,
    sampleWallPerNfe: split.wallPerNfe, runs: repeats,
  };
}

const load0 = os.loadavg();
const engineInfo = await Engine.create();
const adapter = engineInfo.describe();
const profilerMode = engineInfo.profiler.mode;
engineInfo.dispose();
console.log(`adapter: ${adapter}; profiler: ${profilerMode}`);
console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
console.log(`BA-solver (Gauss–Lobatto), N = ${nfe}, batch ${batch}, CFG ${cfg === 1 ? 'off' : cfg}; warm-up ${warmup}, median of ${repeats}`);
const results: Result[] = [];
for (const size of sizes) for (const graph of graphs) results.push(await benchSize(size, graph));
const load1 = os.loadavg();

/** Arithmetic per NFE of a result (phaseFlops: B' = 2B images per call with CFG). */
function flopsPerNfe(r: Result): { backbone: number; sidenet: number } {
  return phaseFlops(sitArch(r.size), sideNetArch(), r.cfg !== 1 ? 2 * r.batch : r.batch, r.nfe, r.sidenetGraph === 'fused');
}
/** FLOPs per NFE by kernel group for a result's shapes and SideNet graph (bench/gpu-report.ts). */
function resultGroupFlops(r: Result): ReturnType<typeof groupFlops> {
  return groupFlops(sitArch(r.size), sideNetArch(), r.cfg !== 1 ? 2 * r.batch : r.batch, r.nfe, r.sidenetGraph === 'fused');
}

/** "group GFLOP/s (ms)" for every group with kernels, from per-kernel ms per NFE. */
function groupRates(kernels: Record<string, number>, flops: Partial<Record<KernelGroup, number>>): string {
  const ms: Partial<Record<KernelGroup, number>> = {};
  for (const [label, t] of Object.entries(kernels)) ms[kernelGroup(label)] = (ms[kernelGroup(label)] ?? 0) + t;
  return Object.entries(ms).map(([g, t]) => {
    const f = flops[g as KernelGroup];
    return `${g} ${f ? `${(f / 1e6 / t).toFixed(1)} GFLOP/s` : '–'} (${t.toFixed(1)} ms)`;
  }).join(', ');
}

const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)} %`;
const header = ['case', 'method', 'backbone ms', 'SideNet ms', 'quadrature ms', 'SideNet %', 'quad %', 'SideNet+quad %', 'sample wall ms'];
const rows: string[][] = [];
for (const r of results) {
  for (const [method, m] of [['profiled', r.profiled], ['isolated', r.isolated]] as const) {
    rows.push([
      r.case, method, m.backbone.toFixed(1), m.sidenet.toFixed(2), m.solver.toFixed(3), pct(m.sidenet, m.backbone), pct(m.solver, m.backbone),
      pct(m.sidenet + m.solver, m.backbone), method === 'profiled' ? r.sampleWallPerNfe.toFixed(1) : '',
    ]);
  }
  // Ablation: backbone + solver = the stubbed run (the solver's share is the isolated one).
  const a = r.ablation;
  const solver = r.isolated.solver;
  rows.push([
    r.case, 'ablation', (a.noSideNetPerNfe - solver).toFixed(1), a.sidenetPerNfe.toFixed(2), solver.toFixed(3), pct(a.sidenetPerNfe, a.noSideNetPerNfe - solver),
    pct(solver, a.noSideNetPerNfe - solver), pct(a.sidenetPerNfe + solver, a.noSideNetPerNfe - solver), a.fullPerNfe.toFixed(1),
  ]);
}
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (cells: string[]) => cells.map((x, j) => (j < 2 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ');
console.log('\nPer-NFE time (ms per backbone call; median):');
console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
for (const r of results) {
  console.log(`${r.case}: ${r.backboneCalls} backbone calls, ${r.sidenetCalls} SideNet calls; dispatches per run ${JSON.stringify(r.profiled.dispatches)}; ` +
    `solver kernels per NFE ${Object.entries(r.profiled.kernels.solver).map(([k, ms]) => `${k} ${ms.toFixed(3)} ms`).join(', ')}; ` +
    `backbone ${(flopsPerNfe(r).backbone / 1e9).toFixed(1)} GFLOP per call, SideNet ${(flopsPerNfe(r).sidenet / 1e9).toFixed(1)} GFLOP per NFE ` +
    `(${pct(flopsPerNfe(r).sidenet, flopsPerNfe(r).backbone)} of the backbone by arithmetic alone)`);
}
for (const r of results) {
  // Efficiency per FLOP from the profiled split: GFLOP/s per phase, and the SideNet's share of
  // backbone + SideNet time over its share of their arithmetic.
  const flops = flopsPerNfe(r);
  const gflops = (f: number, ms: number) => (f / 1e6 / ms).toFixed(1);
  const timeShare = r.profiled.sidenet / (r.profiled.backbone + r.profiled.sidenet);
  const flopShare = flops.sidenet / (flops.backbone + flops.sidenet);
  const total = (d: Record<string, number>) => Object.values(d).reduce((a, b) => a + b, 0);
  console.log(`${r.case}: per NFE BA ${total(r.calls.ba.dispatches).toFixed(1)} dispatches (SideNet ${r.calls.ba.dispatches.sidenet.toFixed(1)}, backbone ${r.calls.ba.dispatches.backbone.toFixed(1)}), ` +
    `${r.calls.ba.submits.toFixed(2)} submits; Euler ${r.calls.euler.dispatches.toFixed(1)} dispatches, ${r.calls.euler.submits.toFixed(2)} submits`);
  console.log(`${r.case}: backbone ${gflops(flops.backbone, r.profiled.backbone)} GFLOP/s, SideNet ${gflops(flops.sidenet, r.profiled.sidenet)} GFLOP/s; ` +
    `SideNet time share ${(100 * timeShare).toFixed(1)} % / arithmetic share ${(100 * flopShare).toFixed(1)} % = ${(timeShare / flopShare).toFixed(2)}`);
  const perGroup = resultGroupFlops(r);
  console.log(`${r.case} backbone kernels per NFE: ${groupRates(r.profiled.kernels.backbone, perGroup.backbone)}`);
  console.log(`${r.case} SideNet kernels per NFE: ${groupRates(r.profiled.kernels.sidenet, perGroup.sidenet)}`);
}
for (const r of results) {
  console.log(`${r.case} SideNet kernels per NFE: ${Object.entries(r.profiled.kernels.sidenet).map(([k, ms]) => `${k} ${ms.toFixed(1)} ms`).join(', ')}`);
}
console.log(`load average at end: ${load1.map((l) => l.toFixed(2)).join(' ')}`);
const report = { bench: 'sampler-split', flopsPerNfe: Object.fromEntries(results.map((r) => [r.case, flopsPerNfe(r)])), adapter, profiler: profilerMode, nfe, batch, cfg, warmup, repeats, loadavgStart: load0, loadavgEnd: load1, results };
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify(report, null, 2));
console.log(`\nwrote ${jsonPath}`);
console.log(JSON.stringify(report));
process.exit(0);
