/**
 * Shared measurement core for the benchmarks: warm-up runs, repeats, medians, and the
 * report as JSON plus a fixed-width table. A benchmark is a list of cases; each case has
 * implementations (ours, peers, baselines) that return the milliseconds of one run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One way to run a case. Resolves with the time of one run in ms, by the named clock. */
export interface Impl {
  /** Column name, e.g. 'ours gpu' or 'tfjs wall'. */
  name: string;
  run: () => Promise<number>;
  /** Overrides the default repeat count (for slow baselines). */
  repeats?: number;
}

export interface BenchCase {
  name: string;
  /** Work of one run; with it the table shows GFLOP/s instead of ms. */
  flops?: number;
  /** Creates the implementations (allocations, uploads); dispose() frees them after measuring. */
  setup: () => Promise<{ impls: Impl[]; dispose?: () => void }>;
}

export interface Sample {
  case: string;
  impl: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  repeats: number;
  gflops?: number;
}

export interface MeasureOptions {
  warmup: number;
  repeats: number;
  /** Called with a progress line per measured implementation. */
  log?: (line: string) => void;
  /**
   * Run a case's implementations round-robin, one repeat of each per round (after all their
   * warm-ups), so a change in the machine's other load hits them alike.
   */
  interleave?: boolean;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs every case's implementations: `warmup` unmeasured runs, then the median of `repeats`. */
export async function measureAll(cases: readonly BenchCase[], opts: MeasureOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const c of cases) {
    const { impls, dispose } = await c.setup();
    try {
      const times = new Map<Impl, number[]>(impls.map((impl) => [impl, []]));
      const repeatsOf = (impl: Impl) => impl.repeats ?? opts.repeats;
      const measure = async (impl: Impl, repeats: number) => {
        for (let i = 0; i < repeats; i++) times.get(impl)!.push(await impl.run());
      };
      if (opts.interleave) {
        for (const impl of impls) for (let i = 0; i < opts.warmup; i++) await impl.run();
        for (let round = 0; round < Math.max(...impls.map(repeatsOf)); round++) {
          for (const impl of impls) if (round < repeatsOf(impl)) await measure(impl, 1);
        }
      }
      for (const impl of impls) {
        if (!opts.interleave) {
          for (let i = 0; i < opts.warmup; i++) await impl.run();
          await measure(impl, repeatsOf(impl));
        }
        const implTimes = times.get(impl)!;
        const repeats = implTimes.length;
        const medianMs = median(implTimes);
        const sample: Sample = {
          case: c.name,
          impl: impl.name,
          medianMs,
          minMs: Math.min(...implTimes),
          maxMs: Math.max(...implTimes),
          repeats,
          gflops: c.flops ? c.flops / medianMs / 1e6 : undefined,
        };
        samples.push(sample);
        opts.log?.(`${c.name} / ${impl.name}: ${medianMs.toFixed(2)} ms${sample.gflops ? ` (${sample.gflops.toFixed(2)} GFLOP/s)` : ''}`);
      }
    } finally {
      dispose?.();
    }
  }
  return samples;
}

/** A derived column: the ratio of two implementations' speeds (numerator faster -> > 1). */
export interface Ratio {
  name: string;
  faster: string;
  slower: string;
}

/**
 * One row per case, one column per implementation (GFLOP/s where the case has flops, else
 * ms), then the ratio columns. Missing values print as '-'.
 */
export function formatTable(samples: readonly Sample[], ratios: readonly Ratio[] = []): string {
  const cases = [...new Set(samples.map((s) => s.case))];
  const impls = [...new Set(samples.map((s) => s.impl))];
  const get = (c: string, i: string) => samples.find((s) => s.case === c && s.impl === i);
  const cell = (s: Sample | undefined) => (!s ? '-' : s.gflops !== undefined ? s.gflops.toFixed(2) : `${s.medianMs.toFixed(2)} ms`);
  const ratio = (c: string, r: Ratio) => {
    const f = get(c, r.faster);
    const s = get(c, r.slower);
    return f && s ? `${(s.medianMs / f.medianMs).toFixed(2)}x` : '-';
  };
  const header = ['case', ...impls, ...ratios.map((r) => r.name)];
  const rows = cases.map((c) => [c, ...impls.map((i) => cell(get(c, i))), ...ratios.map((r) => ratio(c, r))]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((x, j) => (j === 0 ? x.padEnd(widths[j]) : x.padStart(widths[j]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * A peer process that answers one JSON request per line on stdin with one JSON reply per line
 * on stdout.
 */
export class JsonLinePeer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly replies: ((line: string) => void)[] = [];
  private stderr = '';

  constructor(private readonly label: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(command, args, { env });
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.replies.shift()?.(line));
    this.proc.on('exit', (code) => {
      for (const r of this.replies.splice(0)) r(JSON.stringify({ error: `${label} exited (${code}): ${this.stderr.slice(-2000)}` }));
    });
  }

  async call(req: object): Promise<any> {
    const reply = new Promise<string>((resolve) => this.replies.push(resolve));
    this.proc.stdin.write(JSON.stringify(req) + '\n');
    const r = JSON.parse(await reply);
    if (r.error) throw new Error(`${this.label}: ${r.error}`);
    return r;
  }

  close(): void {
    this.proc.stdin.end();
  }
}

/** A PyTorch peer: a tools/reference script in `--server` mode. */
export class TorchPeer extends JsonLinePeer {
  constructor(script: string, threads: number) {
    const path = new URL(`../../tools/reference/${script}`, import.meta.url).pathname;
    super(script, process.env.PYTHON ?? '/usr/bin/python3', [path, '--server', `--threads=${threads}`], { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' });
  }
}
