/**
 * Where a SiT forward's wall time goes, quiet and beside one busy process (issue 20): per
 * forward the host's recording, the submit, the waiter's sleep and its await of Dawn's
 * promise (while dawn.node busy-polls), the waits per forward, and the process's CPU time
 * (the JS thread, Dawn and lavapipe's worker threads together) per wall millisecond.
 *
 *   LP_NUM_THREADS=N node dist/bench/load-probe.mjs [--size=S] [--batch=1] [--repeats=5] [--spin]
 *
 * Each round runs four ways, alternating: quiet and loaded, each with the waiter's throttled
 * polling and with dawn.node's busy-poll left as it is (the engine before issue 20 slept
 * first, then busy-polled the rest).
 *
 * Rounds alternate quiet and loaded so the machine's other load hits both alike, and each
 * round also times a reference: a fixed pure-CPU job split over as many worker threads as
 * there are CPUs (lavapipe's own default), i.e. what fair CPU sharing alone does to a job
 * that keeps every core busy.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Engine } from '../src/gpu/engine.js';
import { now } from '../src/gpu/wait.js';
import { median } from './core.js';
import { withCpuLoad } from './cpu-load.mjs';
import { Rng, randomSit, sitArch, type SitSize } from './random-models.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const size = (args.size ?? 'S') as SitSize;
const batch = Number(args.batch ?? 1);
const repeats = Number(args.repeats ?? 5);

const engine = await Engine.create();
interface WaiterProbe { throttlePolling: boolean; stats: Map<string, { waits: number; ms: number }> }
const waiter = (engine as unknown as { waiter: WaiterProbe }).waiter;
const waited = () => [...waiter.stats.values()].reduce((sum, s) => ({ waits: sum.waits + s.waits, ms: sum.ms + s.ms }), { waits: 0, ms: 0 });

const { model } = randomSit(engine, sitArch(size), 1);
const x = engine.upload(new Rng(7).uniform(batch * 4 * 32 * 32, 1.7), [batch, 4, 32, 32]);
const t = Array.from({ length: batch }, (_, i) => (i + 0.5) / batch);
const y = Array.from({ length: batch }, (_, i) => (17 * i + 3) % 1000);

async function forward() {
  const waited0 = waited();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const out = model.forward(x, t, y);
  const t1 = now();
  await engine.submit();
  const t2 = now();
  await engine.sync();
  const t3 = now();
  const cpu = process.cpuUsage(cpu0);
  out.dispose();
  const waited1 = waited();
  return { wall: t3 - t0, record: t1 - t0, submit: t2 - t1, waited: waited1.ms - waited0.ms, waits: waited1.waits - waited0.waits, cpuPerWall: (cpu.user + cpu.system) / 1e3 / (t3 - t0) };
}

const cpus = os.availableParallelism?.() ?? os.cpus().length;
const referenceIterations = Number(args['reference-iterations'] ?? 4e8) / cpus;
/** The fixed pure-CPU job: `referenceIterations` integer steps on each of `cpus` worker threads. */
async function reference(): Promise<number> {
  const t0 = now();
  const code = `const { parentPort, workerData } = require('node:worker_threads'); let h = 1; for (let i = 0; i < workerData; i++) h = (h * 1103515245 + 12345) | 0; parentPort.postMessage(h);`;
  await Promise.all(Array.from({ length: cpus }, () => new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: referenceIterations });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  return now() - t0;
}

type Row = Awaited<ReturnType<typeof forward>> & { reference: number };
const ways = ['throttled quiet', 'throttled loaded', 'busy-poll quiet', 'busy-poll loaded'] as const;
const rows = new Map<string, Row[]>(ways.map((w) => [w, []]));
const load0 = os.loadavg()[0];
await forward();
await reference();
for (let i = 0; i < repeats; i++) {
  for (const way of ways) {
    waiter.throttlePolling = way.startsWith('throttled');
    const round = async () => ({ ...(await forward()), reference: await reference() });
    rows.get(way)!.push(way.endsWith('loaded') ? await withCpuLoad(round) : await round());
  }
}
const summary = (rs: Row[]) => Object.fromEntries((Object.keys(rs[0]) as (keyof Row)[]).map((k) => [k, median(rs.map((r) => r[k]))])) as Row;
const fmt = (r: Row) => Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(k === 'cpuPerWall' ? 2 : 0)}`).join(', ');
console.log(`SiT-${size}/2 b${batch} LP_NUM_THREADS=${process.env.LP_NUM_THREADS ?? '-'}, median of ${repeats} alternating rounds, load avg ${load0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}`);
for (const way of ways) console.log(`  ${way.padEnd(16)}: ${fmt(summary(rows.get(way)!))}`);
for (const polling of ['throttled', 'busy-poll']) {
  const quiet = summary(rows.get(`${polling} quiet`)!);
  const loaded = summary(rows.get(`${polling} loaded`)!);
  console.log(`  ${polling} slowdown loaded/quiet: ours ${(loaded.wall / quiet.wall).toFixed(2)}x, reference (${cpus} threads, pure CPU) ${(loaded.reference / quiet.reference).toFixed(2)}x`);
}
process.exit(0);
