/**
 * Per-kernel GPU time. With timestamp-query each dispatch gets its own compute pass with
 * timestamp writes; without it (wall-clock fallback) each dispatch is submitted alone and timed
 * until the queue is idle, which includes submission overhead and says so in the report.
 */
export interface ProfileRow {
  kernel: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /** Share of all profiled time, 0..1. */
  share: number;
}

export type ProfileMode = 'timestamp' | 'wallclock';

export class Profiler {
  enabled = false;
  private readonly totals = new Map<string, { calls: number; ns: number }>();

  constructor(readonly mode: ProfileMode) {}

  record(label: string, ns: number): void {
    const row = this.totals.get(label) ?? { calls: 0, ns: 0 };
    row.calls++;
    row.ns += ns;
    this.totals.set(label, row);
  }

  reset(): void {
    this.totals.clear();
  }

  rows(): ProfileRow[] {
    let all = 0;
    for (const r of this.totals.values()) all += r.ns;
    return [...this.totals.entries()]
      .map(([kernel, r]) => ({ kernel, calls: r.calls, totalMs: r.ns / 1e6, meanMs: r.ns / 1e6 / r.calls, share: all ? r.ns / all : 0 }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /** A fixed-width table of rows(), for terminals and logs. */
  table(): string {
    const rows = this.rows();
    const total = rows.reduce((s, r) => s + r.totalMs, 0);
    const width = Math.max(6, ...rows.map((r) => r.kernel.length));
    const line = (k: string, c: string, t: string, m: string, s: string) =>
      `${k.padEnd(width)}  ${c.padStart(6)}  ${t.padStart(10)}  ${m.padStart(9)}  ${s.padStart(6)}`;
    return [
      `GPU time per kernel (${this.mode === 'timestamp' ? 'timestamp queries' : 'wall clock per dispatch, includes submit overhead'})`,
      line('kernel', 'calls', 'total ms', 'mean ms', 'share'),
      ...rows.map((r) => line(r.kernel, String(r.calls), r.totalMs.toFixed(3), r.meanMs.toFixed(4), (100 * r.share).toFixed(1) + '%')),
      line('total', String(rows.reduce((s, r) => s + r.calls, 0)), total.toFixed(3), '', '100%'),
    ].join('\n');
  }
}
