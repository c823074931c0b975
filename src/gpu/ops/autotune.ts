/**
 * A small per-adapter cache of which kernel variant wins for a class of shapes. Entries are
 * keyed by adapter + dtype + shape class, come from timing the candidates once on the real
 * device (tune) or from a table the caller stored earlier (loadTuning), and live in memory
 * per engine.
 */
import type { Engine } from '../engine.js';
import { now } from '../wait.js';

/** Tuning results by key, e.g. to persist with JSON and hand back to loadTuning(). */
export type TuningTable = Record<string, string>;

const tables = new WeakMap<Engine, Map<string, string>>();

function table(engine: Engine): Map<string, string> {
  let t = tables.get(engine);
  if (!t) tables.set(engine, (t = new Map()));
  return t;
}

/** Identifies the adapter in tuning keys (vendor/architecture/device/description). */
export function adapterKey(engine: Engine): string {
  const a = engine.adapterInfo;
  return [a.vendor, a.architecture, a.device, a.description].join('/');
}

/** The engine picks the kernels tuned for Mesa's lavapipe (EngineOptions.kernels: 'cpu', the default there). */
export function usesCpuKernels(engine: Engine): boolean {
  return engine.kernelProfile === 'cpu';
}

export function tunedChoice(engine: Engine, key: string): string | undefined {
  return table(engine).get(key);
}

/** Adds stored results (only the entries whose adapter part matches are ever looked up). */
export function loadTuning(engine: Engine, entries: TuningTable): void {
  const t = table(engine);
  for (const [k, v] of Object.entries(entries)) t.set(k, v);
}

export function tuningTable(engine: Engine): TuningTable {
  return Object.fromEntries(table(engine));
}

/**
 * Times each candidate (`run` records one call of it) by wall clock over whole submissions,
 * after one warm-up call that also compiles the pipeline; remembers and returns the fastest.
 */
export async function tune(
  engine: Engine,
  key: string,
  candidates: readonly string[],
  run: (candidate: string) => void,
): Promise<{ winner: string; ms: Record<string, number> }> {
  const ms: Record<string, number> = {};
  for (const c of candidates) {
    run(c);
    await engine.sync();
    let t0 = now();
    run(c);
    await engine.sync();
    const once = now() - t0;
    // Enough repeats for ~50 ms of work so short kernels are not dominated by submit overhead.
    const reps = Math.min(20, Math.max(1, Math.ceil(50 / Math.max(once, 0.05))));
    t0 = now();
    for (let i = 0; i < reps; i++) run(c);
    await engine.sync();
    ms[c] = (now() - t0) / reps;
  }
  const winner = candidates.reduce((best, c) => (ms[c] < ms[best] ? c : best));
  table(engine).set(key, winner);
  return { winner, ms };
}
