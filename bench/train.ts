/**
 * Training benchmark (issue 5): time per iteration of Algorithm 2 (ba-solver.md §5) on the
 * engine (ChainTrainer + SideNetGraph) against the same iteration in PyTorch on the CPU
 * (tools/reference/train_reference.py driven as a subprocess, in the same run), plus GPU memory
 * and a per-kernel profile of one engine iteration. Random weights on both sides (same shapes,
 * different values).
 *
 *   timeout 120 node scripts/build.mjs --bench
 *   timeout 500 node dist/bench/train.mjs [--depth=4] [--hidden=256] [--heads=4] [--patch=2]
 *     [--size=16] [--channels=64] [--embed=128] [--blocks=4] [--side-heads=4] [--batch=4]
 *     [--chain=8] [--links-per-pass=0] [--warmup=6] [--repeats=5] [--threads=N] [--no-torch] [--no-profile]
 *     [--no-breakdown] [--json=out/bench/train.json]
 *
 * Protocol: both sides run `warmup` unmeasured iterations, then `repeats` measured ones,
 * alternating engine / torch iteration by iteration so both see the same machine load. Six
 * warm-up iterations: the engine's GPU waiter (src/gpu/wait.ts) learns the iteration's GPU
 * time from the first, pipeline-compiling iteration and lowers its sleep by ~7 % per iteration,
 * so the engine reaches its steady state around the sixth (measured: 4.0, 3.1, 2.9, 2.7, 2.5,
 * 2.3, 2.2, 2.1 s).
 * 'ours wall' = ChainTrainer.trainStep() by wall clock, from the CPU-side batch draw to the
 * losses read back (it submits once per link; engine waits sleep before awaiting, so dawn.node's
 * busy-wait does not steal a core from lavapipe). The engine learns the K links in batched
 * passes (ChainConfig.linksPerPass; 0 = automatic, all 8 here; --links-per-pass=1 learns link by
 * link as the PyTorch peer does). 'torch cpu' = the same iteration in PyTorch, wall clock,
 * torch.get_num_threads() threads, OMP_WAIT_POLICY=PASSIVE.
 * GPU memory: the pool's high-water mark (engine.poolStats().peakBytes: backbone weights, the
 * six SideNet arenas — params, grads, Adam m and v, EMA, one pass's gradients — and
 * activations), with the parts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { Engine } from '../src/gpu/engine.js';
import { now } from '../src/gpu/wait.js';
import type { SideNetArch, SitArch } from '../src/model/weights.js';
import { ChainTrainer } from '../src/train/chain.js';
import { InMemoryDataset } from '../src/train/data.js';
import { SideNetGraph } from '../src/train/sidenet-graph.js';
import { Tape } from '../src/train/tape.js';
import * as op from '../src/train/ops.js';
import { formatTable, median, TorchPeer, type Sample } from './core.js';
import { randomSit, Rng, sitFlops } from './random-models.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const num = (k: string, d: number) => Number(args[k] ?? d);
const depth = num('depth', 4);
const hidden = num('hidden', 256);
const heads = num('heads', 4);
const patch = num('patch', 2);
const size = num('size', 16);
const channels = num('channels', 64);
const embed = num('embed', 128);
const blocks = num('blocks', 4);
const sideHeads = num('side-heads', 4);
const batch = num('batch', 4);
const chain = num('chain', 8);
const linksPerPass = num('links-per-pass', 0);
const warmup = num('warmup', 6);
const repeats = num('repeats', 5);
const withTorch = !('no-torch' in args);
const withProfile = !('no-profile' in args);
const withBreakdown = !('no-breakdown' in args);
const jsonPath = args.json ?? 'out/bench/train.json';
const DATA_CLASSES = 10;
const DATASET = 64;

const sitArch: SitArch = {
  depth, hidden, heads, patch, inChannels: 4, outChannels: 4, learnSigma: false, classes: 1000, inputSize: size,
  mlpHidden: 4 * hidden, qkNorm: false,
};
const sideArch: SideNetArch = { channels, embed, blocks, attnBlock: blocks >> 1, heads: sideHeads, classes: 1000, latentChannels: 4 };
const caseName = `SiT d${depth} h${hidden}/${patch} ${size}x${size} + SideNet C${channels} E${embed} L${blocks}, B${batch} K${chain}`;

const threads = num('threads', os.availableParallelism?.() ?? os.cpus().length);
const torch = withTorch ? new TorchPeer('train_reference.py', threads) : undefined;
let torchInfo: Record<string, unknown> | undefined;
try {
  torchInfo = await torch?.call({ op: 'info' });
} catch (err) {
  console.error(`PyTorch peer unavailable (${(err as Error).message}); install tools/reference/install.sh or pass --no-torch`);
  process.exit(1);
}

const load0 = os.loadavg();
console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
if (torchInfo) console.log(`torch peer: ${JSON.stringify(torchInfo)}`);
console.log(`case: ${caseName}; warm-up ${warmup}, median of ${repeats} (alternating ours / torch)`);

// ---- the engine side ------------------------------------------------------------------------
const engine = await Engine.create();
const adapter = engine.describe();
console.log(`adapter: ${adapter}`);
const t0 = now();
const { model: backbone, bytes: backboneBytes, params: backboneParams } = randomSit(engine, sitArch, 1);
const rng = new Rng(7);
const per = 4 * size * size;
const labels = Array.from({ length: DATASET }, (_, i) => i % DATA_CLASSES);
const data = new InMemoryDataset([4, size, size], DATA_CLASSES, rng.uniform(DATASET * per, 1.5), labels);
const net = new SideNetGraph(engine, sideArch);
await net.init(11);
const trainer = new ChainTrainer(engine, backbone, net, data, { batch, chain, seed: 3, linksPerPass });
await engine.sync();
const arenaBytes = 6 * net.arena.total * 4;
console.log(`engine learns ${trainer.linksPerPass} link(s) per pass (${Math.ceil(chain / trainer.linksPerPass)} pass(es) per iteration)`);
console.log(`engine setup ${((now() - t0) / 1e3).toFixed(1)} s: backbone ${(backboneParams / 1e6).toFixed(2)} M params, SideNet ${(net.arena.count / 1e6).toFixed(3)} M params (arenas 6 × ${(net.arena.total * 4 / 2 ** 20).toFixed(2)} MiB)`);

let torchSetup: { backbone_params: number; sidenet_params: number; setup_ms: number } | undefined;
if (torch) {
  torchSetup = await torch.call({
    op: 'setup', batch, chain, size, seed: 0,
    sit: { depth, hidden, heads, patch, classes: 1000 },
    sidenet: { channels, embed, blocks, heads: sideHeads, classes: 1000 },
  });
  console.log(`torch setup ${(torchSetup!.setup_ms / 1e3).toFixed(1)} s: backbone ${(torchSetup!.backbone_params / 1e6).toFixed(2)} M params, SideNet ${(torchSetup!.sidenet_params / 1e6).toFixed(3)} M params`);
}

const oursLosses: number[] = [];
const torchLosses: number[] = [];
let torchRss = 0;
async function oursStep(): Promise<number> {
  const t1 = now();
  const r = await trainer.trainStep();
  const ms = now() - t1;
  if (!Number.isFinite(r.loss)) throw new Error(`engine loss ${r.loss}`);
  oursLosses.push(r.loss);
  return ms;
}
async function torchStep(): Promise<number> {
  const r = await torch!.call({ op: 'step' });
  torchLosses.push(r.loss);
  torchRss = r.maxrss_mib;
  return r.ms;
}

const times: Record<string, number[]> = { 'ours wall': [], ...(torch ? { 'torch cpu': [] } : {}) };
for (let i = 0; i < warmup; i++) {
  const w = await oursStep();
  const tw = torch ? await torchStep() : NaN;
  console.log(`  warm-up ${i + 1}: ours ${w.toFixed(0)} ms${torch ? `, torch ${tw.toFixed(0)} ms` : ''}`);
}
for (let i = 0; i < repeats; i++) {
  times['ours wall'].push(await oursStep());
  if (torch) times['torch cpu'].push(await torchStep());
  console.log(`  iteration ${i + 1}: ours ${times['ours wall'][i].toFixed(0)} ms${torch ? `, torch ${times['torch cpu'][i].toFixed(0)} ms` : ''}  (load ${os.loadavg()[0].toFixed(2)})`);
}
const pool = engine.poolStats();

// ---- one profiled iteration -------------------------------------------------------------------
let profile: { rows: ReturnType<typeof engine.profiler.rows>; table: string; gpuMs: number; dispatches: number; wallMs: number } | undefined;
if (withProfile) {
  engine.profiler.reset();
  engine.profiler.enabled = true;
  const t1 = now();
  try {
    await trainer.trainStep();
  } finally {
    engine.profiler.enabled = false;
  }
  const rows = engine.profiler.rows();
  profile = { rows, table: engine.profiler.table(), gpuMs: rows.reduce((s, r) => s + r.totalMs, 0), dispatches: rows.reduce((s, r) => s + r.calls, 0), wallMs: now() - t1 };
}
// ---- where an iteration's time goes ---------------------------------------------------------
// (a) one unprofiled iteration and the time spent inside engine.submit() (pipeline lookup,
// allocation checks, queue.submit, error scopes); the rest is JS recording (tape, ops,
// uniforms) and the final read-back wait.
// (b) GPU time (timestamp profile) of each component alone: one backbone forward of B, the
// roll-forward SideNet evaluation without gradient (3B), one learning pass (SideNet forward +
// backward of the G links the trainer batches, G·B images). PyTorch learns link by link
// (torchCalls = K forward + backward passes of B).
interface Component { name: string; calls: number; torchCalls: number; gpuMs: number; wallMs: number; torchMs?: number; top: { kernel: string; ms: number; calls: number }[] }
let breakdown: { iterationMs: number; submitMs: number; submits: number; readsMs: number[]; syncedMs: number[]; components: Component[] } | undefined;
if (withBreakdown) {
  const submit = engine.submit.bind(engine);
  let submitMs = 0;
  let submits = 0;
  (engine as { submit: () => Promise<void> }).submit = async () => {
    const s0 = now();
    await submit();
    submitMs += now() - s0;
    submits++;
  };
  const readTensor = engine.readTensor.bind(engine);
  const readsMs: number[] = [];
  (engine as { readTensor: typeof readTensor }).readTensor = async (t) => {
    const r0 = now();
    const r = await readTensor(t);
    readsMs.push(now() - r0);
    return r;
  };
  const it0 = now();
  await trainer.trainStep();
  const iterationMs = now() - it0;
  (engine as { readTensor: typeof readTensor }).readTensor = readTensor;
  // Diagnostic: the same iteration with every submit followed by a sleeping wait for the queue
  // (the engine's GpuWaiter, kind 'link'), so the GPU backlog never builds up and the final
  // loss reads do not spin while lavapipe drains it. Two iterations; the second is reported.
  const waiter = (engine as unknown as { waiter: { wait(kind: string, f: () => Promise<unknown>): Promise<unknown> } }).waiter;
  (engine as { submit: () => Promise<unknown> }).submit = async () => {
    await submit();
    await waiter.wait('link', () => engine.device.queue.onSubmittedWorkDone());
  };
  const syncedMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s0 = now();
    await trainer.trainStep();
    syncedMs.push(now() - s0);
  }
  (engine as { submit: () => Promise<unknown> }).submit = submit;

  const B = batch;
  const x = engine.upload(rng.uniform(B * per, 1.5), [B, 4, size, size]);
  const v = engine.upload(rng.uniform(B * per, 1.5), [B, 4, size, size]);
  const t = Array.from({ length: B }, (_, i) => (i + 0.5) / B);
  const h = t.map((tb) => 0.05 * tb);
  const y = Array.from({ length: B }, (_, i) => i % DATA_CLASSES);
  const offsets = [0.11, 0.5, 0.89].map((c) => h.map((hb) => c * hb));
  const G = trainer.linksPerPass;
  const passes = Math.ceil(chain / G);
  const repeat = <T,>(a: T[]) => Array.from({ length: G }, () => a).flat();
  const xs = engine.upload(rng.uniform(G * B * per, 1.5), [G * B, 4, size, size]);
  const vs = engine.upload(rng.uniform(G * B * per, 1.5), [G * B, 4, size, size]);
  const measure = async (name: string, calls: number, body: () => void, torchCalls = calls): Promise<Component> => {
    body();
    await engine.sync(); // warm
    const w0 = now();
    body();
    await engine.sync();
    const wallMs = now() - w0;
    engine.profiler.reset();
    engine.profiler.enabled = true;
    try {
      body();
      await engine.submit();
    } finally {
      engine.profiler.enabled = false;
    }
    const rows = engine.profiler.rows();
    return { name, calls, torchCalls, wallMs, gpuMs: rows.reduce((s, r) => s + r.totalMs, 0), top: rows.slice(0, 4).map((r) => ({ kernel: r.kernel, ms: r.totalMs, calls: r.calls })) };
  };
  const components: Component[] = [
    await measure(`backbone forward (B=${B})`, chain + 1, () => backbone.forward(x, t, y).dispose()),
    await measure(`SideNet roll-forward, no grad (3B=${3 * B})`, chain, () => net.deltaNoGrad({ x, v, t, y }, offsets).dispose()),
    await measure(`SideNet learning pass, fwd + bwd (${G} links × B=${B})`, passes, () => {
      // As ChainTrainer's first pass: gradients written straight into the gradient arena.
      const tape = new Tape(engine);
      const params = net.params(tape);
      const delta = net.forward(tape, params, { x: xs, v: vs, t: repeat(t), h: repeat(h), y: repeat(y) });
      const loss = tape.keep(op.mse(tape, op.add(tape, tape.leaf(vs), delta), tape.leaf(xs), 1 / chain, G));
      tape.backward(loss);
      loss.tensor.dispose();
      tape.dispose();
    }, chain),
  ];
  if (torch) {
    const tc = await torch.call({ op: 'components' });
    [tc.backbone, tc.roll, tc.learn].forEach((ms: number, i: number) => (components[i].torchMs = ms));
  }
  for (const tensor of [x, v, xs, vs]) tensor.dispose();
  breakdown = { iterationMs, submitMs, submits, readsMs, syncedMs, components };
}

const load1 = os.loadavg();
torch?.close();

// ---- report -----------------------------------------------------------------------------------
const samples: Sample[] = Object.entries(times).map(([impl, ts]) => ({
  case: caseName, impl, medianMs: median(ts), minMs: Math.min(...ts), maxMs: Math.max(...ts), repeats: ts.length,
}));
// FLOPs of the backbone part (K + 1 forwards of B images): the bulk of the iteration.
const backboneGflop = ((chain + 1) * sitFlops(sitArch, batch)) / 1e9;
const mib = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`\nadapter: ${adapter}`);
console.log(`Per-iteration time (median of ${repeats}, ms); ratio = ours / torch (target ≤ 3x):`);
console.log(formatTable(samples, torch ? [{ name: 'ours/torch', faster: 'torch cpu', slower: 'ours wall' }] : []));
const ours = samples.find((s) => s.impl === 'ours wall')!;
const th = samples.find((s) => s.impl === 'torch cpu');
const memRows = [
  ['backbone weights', mib(backboneBytes)],
  ['SideNet arenas (params, grads, m, v, EMA, link grads)', mib(arenaBytes)],
  ['activations + pool slack (peak − the two above)', mib(pool.peakBytes - backboneBytes - arenaBytes)],
  ['pool peak (engine.poolStats().peakBytes)', mib(pool.peakBytes)],
  ['buffers created / reused', `${pool.created} / ${pool.reused}`],
  ...(torch ? [['torch process max RSS (CPU, for scale)', mib(torchRss * 2 ** 20)]] : []),
];
const w0 = Math.max(...memRows.map((r) => r[0].length));
console.log('\nGPU memory (MiB):\n' + memRows.map(([k, v]) => `${k.padEnd(w0)}  ${v.padStart(10)}`).join('\n'));
console.log(`\nbackbone: ${backboneGflop.toFixed(2)} GFLOP per iteration (${chain + 1} forwards) → ours ${(backboneGflop / (ours.medianMs / 1e3)).toFixed(2)} GFLOP/s${th ? `, torch ${(backboneGflop / (th.medianMs / 1e3)).toFixed(2)} GFLOP/s` : ''} (whole-iteration time)`);
console.log(`losses: ours ${oursLosses.map((l) => l.toExponential(2)).join(' ')}${torch ? `; torch ${torchLosses.map((l) => l.toExponential(2)).join(' ')}` : ''}`);
if (profile) {
  console.log(`\nOne profiled engine iteration: ${profile.dispatches} dispatches, GPU ${profile.gpuMs.toFixed(0)} ms (each dispatch in its own timestamped pass, which inflates small kernels; wall ${profile.wallMs.toFixed(0)} ms)`);
  console.log(profile.table.split('\n').slice(0, 2 + 8).join('\n') + `\n  … ${Math.max(0, profile.rows.length - 8)} more kernels`);
}
if (breakdown) {
  console.log(`\nOne iteration (unprofiled) ${breakdown.iterationMs.toFixed(0)} ms, of which ${breakdown.submitMs.toFixed(0)} ms inside ${breakdown.submits} engine.submit() calls and ${breakdown.readsMs.reduce((a, b) => a + b, 0).toFixed(0)} ms in the ${breakdown.readsMs.length} loss reads (${breakdown.readsMs.map((r) => r.toFixed(0)).join(', ')} ms).`);
  console.log(`Diagnostic, same iteration with a sleeping queue wait after every submit (no backlog, no spin at the reads): ${breakdown.syncedMs.map((r) => r.toFixed(0)).join(', ')} ms (median ${median(breakdown.syncedMs).toFixed(0)} ms → ${(median(breakdown.syncedMs) / (th?.medianMs ?? NaN)).toFixed(2)}x torch).`);
  console.log('Components alone (GPU = timestamp sum, one pass per dispatch; wall = record + submit + wait, warm; torch = same part in PyTorch); /it = × calls per iteration:');
  const crow = (c: Component) => [c.name, String(c.calls), c.gpuMs.toFixed(1), c.wallMs.toFixed(1), (c.calls * c.gpuMs).toFixed(0), (c.calls * c.wallMs).toFixed(0), c.torchMs === undefined ? '-' : (c.torchCalls * c.torchMs).toFixed(0), c.torchMs === undefined ? '-' : `${((c.calls * c.wallMs) / (c.torchCalls * c.torchMs)).toFixed(1)}x`, c.top.map((k) => `${k.kernel} ${k.ms.toFixed(1)}`).join(', ')];
  const header = ['component', 'calls', 'GPU ms', 'wall ms', 'GPU ms/it', 'wall ms/it', 'torch ms/it', 'wall/torch per it', 'top kernels (GPU ms)'];
  const rows = breakdown.components.map(crow);
  const widths = header.map((hd, j) => Math.max(hd.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((x, j) => (j === 0 || j === 8 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ');
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}
console.log(`load average at end: ${load1.map((l) => l.toFixed(2)).join(' ')}`);

const report = {
  bench: 'train-iteration', adapter, torch: torchInfo, case: caseName, sit: sitArch, sidenet: sideArch, batch, chain, warmup, repeats,
  loadavgStart: load0, loadavgEnd: load1, cpus: os.cpus().length, samples, times,
  ratio: th ? ours.medianMs / th.medianMs : undefined,
  memory: { poolPeakBytes: pool.peakBytes, backboneWeightBytes: backboneBytes, arenaBytes, created: pool.created, reused: pool.reused, torchMaxRssMiB: torch ? torchRss : undefined },
  params: { backbone: backboneParams, sidenet: net.arena.count, torch: torchSetup },
  backboneGflop, losses: { ours: oursLosses, torch: torchLosses },
  profile: profile && { gpuMs: profile.gpuMs, wallMs: profile.wallMs, dispatches: profile.dispatches, rows: profile.rows },
  breakdown,
};
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify(report, null, 2));
console.log(`\nwrote ${jsonPath}`);
console.log(JSON.stringify({ ...report, profile: profile && { ...report.profile, rows: profile.rows.slice(0, 8) } }));
net.dispose();
backbone.dispose();
engine.dispose();
// Dawn keeps the event loop alive while its instances exist.
process.exit(0);
