/**
 * SiT forward benchmark (issue 3): per-forward latency of SiT-S/2, B/2, L/2, XL/2 at 256 px
 * (latent 4×32×32, T = 256 tokens), batch 1 and 4, random weights, f32, against the same
 * forward in PyTorch on the CPU (tools/reference/bench_torch.py driven as a subprocess, in the
 * same run, with the same warm-up/repeat protocol), plus peak GPU memory.
 *
 *   npx esbuild bench/sit.ts --bundle --platform=node --format=esm --loader:.wgsl=text \
 *     --main-fields=module,main --alias:wgsl_reflect=wgsl_reflect/wgsl_reflect.module.js \
 *     --external:webgpu '--external:@tensorflow/*' --outfile=dist/bench/sit.mjs
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node dist/bench/sit.mjs \
 *     [--sizes=S,B,L,XL] [--batches=1,4] [--warmup=1] [--repeats=3] [--slow-repeats=2] \
 *     [--threads=N] [--no-torch] [--gpu] [--load=0|1|both] [--ort] [--ort-sizes=S,B]
 *     [--json=out/bench/sit.json]
 *
 * Columns: 'ours wall' = record the forward + submit + wait until the queue is idle, wall
 * clock, with dawn.node's device polling throttled to a timer during the wait (see
 * src/gpu/wait.ts: its busy-wait would steal a core from the software adapter); 'torch cpu' = the reference SiT forward in
 * torch.inference_mode(), wall clock, `threads` threads, OMP_WAIT_POLICY=PASSIVE. '--gpu' adds
 * 'ours gpu': the sum of per-dispatch timestamp queries (each dispatch in its own pass).
 * L/2 and XL/2 use --slow-repeats (default 2) repeats. Every (size, batch) case runs on a
 * fresh Engine so its peak pool bytes belong to that case alone: peak = weights + the
 * activations' high-water mark (the pool's live + idle + pending bytes, weights included).
 *
 * '--load' (issue 20): 0 quiet only, 1 under load only, both (default) each implementation
 * quiet and then with one competing busy process beside it (bench/cpu-load.mjs), columns
 * suffixed '+load', and the slowdown loaded/quiet per implementation; the implementations then
 * run round-robin, one repeat each per round. '--ort' adds
 * onnxruntime-node's WebGPU EP (bench/ort-peer.ts, its own Dawn on the same adapter) as
 * 'ort webgpu' for the sizes in --ort-sizes (default S,B).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import os from 'node:os';
import { Engine } from '../src/gpu/engine.js';
import { now } from '../src/gpu/wait.js';
import { withCpuLoad } from './cpu-load.mjs';
import { formatTable, JsonLinePeer, measureAll, TorchPeer, type BenchCase, type Impl, type Ratio } from './core.js';
import { Rng, randomSit, SIT_CONFIGS, sitArch, sitFlops, type SitSize } from './random-models.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const sizes = (args.sizes ?? 'S,B,L,XL').split(',') as SitSize[];
const batches = (args.batches ?? '1,4').split(',').map(Number);
const warmup = Number(args.warmup ?? 1);
const repeats = Number(args.repeats ?? 3);
const slowRepeats = Number(args['slow-repeats'] ?? 2);
const jsonPath = args.json ?? 'out/bench/sit.json';
const withTorch = !('no-torch' in args);
const withGpu = 'gpu' in args;
const loadMode = args.load ?? 'both';
if (!['0', '1', 'both'].includes(loadMode)) throw new Error(`--load must be 0, 1 or both, got ${loadMode}`);
const ortSizes = 'ort' in args ? (args['ort-sizes'] ?? 'S,B').split(',') : [];
for (const s of sizes) if (!(s in SIT_CONFIGS)) throw new Error(`unknown size ${s} (S, B, L, XL)`);

const threads = Number(args.threads ?? os.availableParallelism?.() ?? os.cpus().length);
const torch = withTorch ? new TorchPeer('bench_torch.py', threads) : undefined;
let torchInfo: Record<string, unknown> | undefined;
try {
  torchInfo = await torch?.call({ op: 'info' });
} catch (err) {
  console.error(`PyTorch peer unavailable (${(err as Error).message}); install tools/reference/install.sh or pass --no-torch`);
  process.exit(1);
}
const ort = ortSizes.length ? new JsonLinePeer('ort-peer', process.execPath, [new URL('./ort-peer.mjs', import.meta.url).pathname]) : undefined;
let ortInfo: Record<string, unknown> | undefined;
try {
  ortInfo = await ort?.call({ op: 'info' });
} catch (err) {
  console.error(`onnxruntime-node peer unavailable (${(err as Error).message}); \`npm install --no-save onnxruntime-node\` or drop --ort`);
  process.exit(1);
}

/** The implementation quiet, under one competing busy process, or both, per --load. */
function withLoadModes(impl: Impl): Impl[] {
  const loaded: Impl = { ...impl, name: `${impl.name} +load`, run: () => withCpuLoad(impl.run) };
  return loadMode === '0' ? [impl] : loadMode === '1' ? [loaded] : [impl, loaded];
}

interface CaseInfo {
  case: string;
  size: SitSize;
  batch: number;
  params: number;
  weightBytes: number;
  peakBytes: number;
  gflop: number;
  repeats: number;
  adapter: string;
}
const infos: CaseInfo[] = [];
let adapter = '';

function sitCase(size: SitSize, batch: number): BenchCase {
  const arch = sitArch(size);
  const name = `SiT-${size}/2 b${batch}`;
  const slow = size === 'L' || size === 'XL';
  const caseRepeats = slow ? Math.min(repeats, slowRepeats) : repeats;
  return {
    name,
    async setup() {
      const engine = await Engine.create();
      adapter = engine.describe();
      const t0 = now();
      const { model, bytes, params } = randomSit(engine, arch, 1);
      const rng = new Rng(7);
      const x = engine.upload(rng.uniform(batch * 4 * 32 * 32, 1.7), [batch, 4, 32, 32]);
      const t = Array.from({ length: batch }, (_, i) => (i + 0.5) / batch);
      const y = Array.from({ length: batch }, (_, i) => (17 * i + 3) % 1000);
      await engine.sync();
      console.log(`${name}: ${(params / 1e6).toFixed(1)} M params, weights ${(bytes / 2 ** 20).toFixed(0)} MiB generated in ${((now() - t0) / 1e3).toFixed(1)} s`);
      const info: CaseInfo = { case: name, size, batch, params, weightBytes: bytes, peakBytes: 0, gflop: sitFlops(arch, batch) / 1e9, repeats: caseRepeats, adapter };
      infos.push(info);
      const forwardWall = async () => {
        const t1 = now();
        const out = model.forward(x, t, y);
        await engine.sync();
        const ms = now() - t1;
        out.dispose();
        info.peakBytes = engine.poolStats().peakBytes;
        return ms;
      };
      const forwardGpu = async () => {
        engine.profiler.reset();
        engine.profiler.enabled = true;
        try {
          model.forward(x, t, y).dispose();
          await engine.submit();
        } finally {
          engine.profiler.enabled = false;
        }
        return engine.profiler.rows().reduce((s, r) => s + r.totalMs, 0);
      };
      if (torch) await torch.call({ op: 'setup', size, batch });
      const withOrt = ort && ortSizes.includes(size);
      if (withOrt) await ort.call({ op: 'setup', size, batch });
      const impls: Impl[] = withLoadModes({ name: 'ours wall', run: forwardWall, repeats: caseRepeats });
      if (withGpu) impls.push({ name: 'ours gpu', run: forwardGpu, repeats: caseRepeats });
      if (withOrt) impls.push(...withLoadModes({ name: 'ort webgpu', run: async () => (await ort.call({ op: 'run' })).ms, repeats: caseRepeats }));
      if (torch) impls.push(...withLoadModes({ name: 'torch cpu', run: async () => (await torch.call({ op: 'run' })).ms, repeats: caseRepeats }));
      return {
        impls,
        dispose: () => {
          x.dispose();
          model.dispose();
          engine.dispose();
          void torch?.call({ op: 'free' });
          if (withOrt) void ort.call({ op: 'free' });
        },
      };
    },
  };
}

const cases = sizes.flatMap((s) => batches.map((b) => sitCase(s, b)));
const get = (c: string, impl: string) => samples.find((s) => s.case === c && s.impl === impl);
const load0 = os.loadavg();
console.log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
if (torchInfo) console.log(`torch peer: ${JSON.stringify(torchInfo)}`);
if (ortInfo) console.log(`ort peer: ${JSON.stringify(ortInfo)}`);
if (loadMode !== '0') console.log('load: one busy-looping child process beside the +load columns');
console.log(`warm-up ${warmup} run(s), median of ${repeats} (L/XL: ${Math.min(repeats, slowRepeats)})`);
// Quiet and loaded runs alternate, so the machine's other load drifts across both alike.
const samples = await measureAll(cases, { warmup, repeats, interleave: loadMode === 'both', log: (l) => console.log('  ' + l) });
const load1 = os.loadavg();
torch?.close();
ort?.close();

console.log(`\nadapter: ${adapter}`);
console.log('Per-forward latency (median ms):');
const slowdowns: Ratio[] = loadMode === 'both' ? ['ours wall', 'ort webgpu', 'torch cpu'].map((impl) => ({ name: `${impl.split(' ')[0]} load/quiet`, faster: impl, slower: `${impl} +load` })) : [];
const suffix = loadMode === '1' ? ' +load' : '';
const peerRatios: Ratio[] = [
  { name: 'torch/ours', faster: `ours wall${suffix}`, slower: `torch cpu${suffix}` },
  { name: 'ort/ours', faster: `ours wall${suffix}`, slower: `ort webgpu${suffix}` },
];
console.log(formatTable(samples, [...peerRatios, ...slowdowns]));
const slowdown = (c: string, impl: string) => {
  const quiet = get(c, impl);
  const loaded = get(c, `${impl} +load`);
  return quiet && loaded ? loaded.medianMs / quiet.medianMs : undefined;
};
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
const rows = infos.map((i) => {
  const ours = get(i.case, 'ours wall');
  const th = get(i.case, 'torch cpu');
  return [
    i.case, (i.params / 1e6).toFixed(1), i.gflop.toFixed(1), String(i.repeats), mib(i.weightBytes), mib(i.peakBytes), mib(i.peakBytes - i.weightBytes),
    ours ? (i.gflop / (ours.medianMs / 1e3)).toFixed(1) : '-', th ? (i.gflop / (th.medianMs / 1e3)).toFixed(1) : '-',
  ];
});
const header = ['case', 'M params', 'GFLOP', 'repeats', 'weights MiB', 'peak MiB', 'act. MiB', 'ours GFLOP/s', 'torch GFLOP/s'];
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (cells: string[]) => cells.map((x, j) => (j === 0 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ');
console.log('\n' + [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
console.log(`load average at end: ${load1.map((l) => l.toFixed(2)).join(' ')}`);

const report = {
  bench: 'sit-forward', adapter, torch: torchInfo, warmup, repeats, slowRepeats, loadavgStart: load0, loadavgEnd: load1,
  cpus: os.cpus().length, cases: infos, samples, ort: ortInfo, load: loadMode,
  slowdowns: infos.map((i) => ({ case: i.case, ours: slowdown(i.case, 'ours wall'), ort: slowdown(i.case, 'ort webgpu'), torch: slowdown(i.case, 'torch cpu') })),
};
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify(report, null, 2));
console.log(`\nwrote ${jsonPath}`);
console.log(JSON.stringify(report));
// Dawn keeps the event loop alive while its instances exist.
process.exit(0);
