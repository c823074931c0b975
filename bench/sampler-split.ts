/**
 * BA-solver's per-NFE latency split into backbone, SideNet and quadrature: the measurement
 * shared by the Node sampler bench (bench/sampler.ts) and the Chrome latency page
 * (bench/browser/latency.ts). It uses the public entry point only, so it runs wherever the
 * engine does.
 *
 * - wall: a whole sample() (solver 'ba', Gauss–Lobatto) unprofiled, wall clock until the
 *   queue is idle, / N.
 * - ablation (method C): the same sample() with the SideNet replaced by a stub that records
 *   no dispatch, interleaved with the full runs so that load changes hit both alike; the
 *   difference per NFE is what the SideNet adds in situ.
 * - profiled (method A): whole sample() runs under the engine's profiler (timestamp queries,
 *   one compute pass per dispatch; wall clock per dispatch without them). phased() wraps the
 *   backbone and the SideNet so that their forward()/delta() set the current phase while they
 *   record, and wraps engine.dispatch (that instance only) to prefix every label with it.
 *   Recording is synchronous, so the attribution is exact. Dispatches outside both calls are
 *   the solver's own: the fused quadrature kernel (2N − 1 per run), the initial state copy
 *   and, for models whose raw output is not a REPA velocity, repaVelocity.
 *   Per-NFE = phase total / N (N backbone calls).
 *
 * Warm-up runs use N = 1: that already records every kernel variant BA-solver uses (the
 * backward probe runs the forward probe's SideNet kernels at a smaller batch, the corrector the
 * predictor's fused quadrature kernel), so every pipeline is compiled before timing at a
 * fraction of a full run's cost (the point on software adapters, where one NFE takes seconds).
 */
import { sample, type Engine, type SampleOptions, type VelocityCorrector, type VelocityModel } from '../src/index.js';
import { median, type Ratio, type Sample } from './core.js';

export type Phase = 'backbone' | 'sidenet' | 'solver';
export const PHASES: readonly Phase[] = ['backbone', 'sidenet', 'solver'];

interface PhaseTracker {
  phase: Phase;
  /** Dispatches recorded per phase since the last reset. */
  counts: Record<Phase, number>;
  /** engine.submit() calls since the last reset. */
  submits: number;
}

const trackers = new WeakMap<Engine, PhaseTracker>();

/** Installs (once per engine) the dispatch wrapper that labels dispatches `<phase>/<kernel>`. */
function tracker(engine: Engine): PhaseTracker {
  let state = trackers.get(engine);
  if (!state) {
    const tracked: PhaseTracker = { phase: 'solver', counts: { backbone: 0, sidenet: 0, solver: 0 }, submits: 0 };
    const dispatch = engine.dispatch.bind(engine);
    engine.dispatch = (call: Parameters<Engine['dispatch']>[0]) => {
      tracked.counts[tracked.phase]++;
      dispatch({ ...call, label: `${tracked.phase}/${call.label ?? call.kernel.name}` });
    };
    const submit = engine.submit.bind(engine);
    engine.submit = (options) => {
      tracked.submits++;
      return submit(options);
    };
    trackers.set(engine, tracked);
    state = tracked;
  }
  return state;
}

/** The backbone and SideNet wrapped so that every dispatch they record is labelled with its phase. */
export function phased(engine: Engine, model: VelocityModel, sidenet: VelocityCorrector): { model: VelocityModel; sidenet: VelocityCorrector } {
  const state = tracker(engine);
  const inPhase = <T>(p: Phase, f: () => T): T => {
    const before = state.phase;
    state.phase = p;
    try {
      return f();
    } finally {
      state.phase = before;
    }
  };
  return {
    model: {
      convention: model.convention,
      channels: model.channels,
      nullClass: model.nullClass,
      forward: (x, t, y) => inPhase('backbone', () => model.forward(x, t, y)),
    },
    sidenet: {
      delta: (x, v, t, offsets, y) => inPhase('sidenet', () => sidenet.delta(x, v, t, offsets, y)),
      // The planned conditioning is computed inside delta() (a chunk at a time): SideNet time.
      ...(sidenet.plan ? { plan: (probes, y) => sidenet.plan!(probes, y) } : {}),
    },
  };
}

export interface SplitOptions {
  /** Backbone and SideNet as returned by phased() on the same engine. */
  model: VelocityModel;
  sidenet: VelocityCorrector;
  nfe: number;
  labels: readonly number[];
  /** Latent [H, W]. */
  size: readonly [number, number];
  guidance?: SampleOptions['guidance'];
  /** Storage dtype of the noise and state (default f32); must match the networks' (f16 models need 'f16'). */
  dtype?: SampleOptions['dtype'];
  /** Unmeasured runs before timing (at N = 1). */
  warmup: number;
  /** Timed runs per method; medians are reported. */
  repeats: number;
  /** Also time runs with the SideNet stubbed out (method C); doubles the wall-clock runs. */
  ablation?: boolean;
  /** Also time Euler at the same N, interleaved with the BA runs, for BA's cost per NFE × Euler's (issue 20). */
  euler?: boolean;
  log?: (line: string) => void;
}

/** Milliseconds per NFE. */
export interface PhaseMs {
  backbone: number;
  sidenet: number;
  solver: number;
}

export interface SplitResult {
  nfe: number;
  backboneCalls: number;
  sidenetCalls: number;
  /** Whole sample() unprofiled, ms per NFE (median), and every run's whole time in ms. */
  wallPerNfe: number;
  wallRunsMs: number[];
  /** Method A: ms per NFE per phase (median over runs), per-kernel ms per NFE, dispatches and submits per run. */
  profiled: PhaseMs & { kernels: Record<Phase, Record<string, number>>; dispatches: Record<Phase, number>; submits: number };
  /** Method A per run, ms per NFE. */
  profiledRuns: PhaseMs[];
  /** Method C: unprofiled ms per NFE, full vs SideNet stubbed out; the difference is the SideNet's. */
  ablation?: { fullPerNfe: number; noSideNetPerNfe: number; sidenetPerNfe: number };
  /** Euler sample() at the same N, unprofiled, ms per NFE (median), and BA's wall per NFE ÷ it. */
  euler?: { perNfe: number; runsMs: number[]; baRatio: number };
  profilerMode: Engine['profiler']['mode'];
  runs: number;
}

export async function measureSplit(engine: Engine, opts: SplitOptions): Promise<SplitResult> {
  const { nfe, repeats } = opts;
  if (!Number.isInteger(nfe) || nfe < 1) throw new RangeError(`measureSplit: nfe must be a positive integer, got ${nfe}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`measureSplit: repeats must be a positive integer, got ${repeats}`);
  const state = tracker(engine);
  const options: SampleOptions = {
    model: opts.model, sidenet: opts.sidenet, solver: 'ba', nfe, labels: opts.labels, noise: 1234, size: opts.size, guidance: opts.guidance, dtype: opts.dtype,
  };
  const stub: VelocityCorrector = {
    delta: (x, _v, _t, offsets) => engine.zeros([offsets.length * x.shape[0], ...x.shape.slice(1)], x.dtype),
  };
  const timed = async (o: SampleOptions) => {
    const t0 = performance.now();
    const r = await sample(engine, o);
    await engine.sync();
    const ms = performance.now() - t0;
    r.latent.dispose();
    return { ms, backboneCalls: r.backboneCalls, sidenetCalls: r.sidenetCalls };
  };

  const euler: SampleOptions = { ...options, solver: 'euler', sidenet: undefined };
  for (let i = 0; i < opts.warmup; i++) {
    const { ms } = await timed({ ...options, nfe: 1 });
    if (opts.euler) await timed({ ...euler, nfe: 1 });
    opts.log?.(`warm-up ${i + 1} (N = 1): ${ms.toFixed(0)} ms`);
  }

  const walls: number[] = [];
  const eulers: number[] = [];
  const stubbed: number[] = [];
  let calls = { backboneCalls: 0, sidenetCalls: 0 };
  for (let i = 0; i < repeats; i++) {
    const full = await timed(options);
    walls.push(full.ms);
    calls = full;
    if (opts.ablation) stubbed.push((await timed({ ...options, sidenet: stub })).ms);
    if (opts.euler) eulers.push((await timed(euler)).ms);
    opts.log?.(`run ${i + 1}: ${(full.ms / nfe).toFixed(1)} ms/NFE${opts.ablation ? `, SideNet stubbed ${(stubbed[i] / nfe).toFixed(1)} ms/NFE` : ''}` +
      `${opts.euler ? `, Euler ${(eulers[i] / nfe).toFixed(1)} ms/NFE` : ''}`);
  }
  const wallPerNfe = median(walls) / nfe;
  const ablation = opts.ablation
    ? { fullPerNfe: wallPerNfe, noSideNetPerNfe: median(stubbed) / nfe, sidenetPerNfe: (median(walls) - median(stubbed)) / nfe }
    : undefined;
  const eulerResult = opts.euler ? { perNfe: median(eulers) / nfe, runsMs: eulers, baRatio: median(walls) / median(eulers) } : undefined;

  const perRun: PhaseMs[] = [];
  const kernelRuns: Record<Phase, Record<string, number[]>> = { backbone: {}, sidenet: {}, solver: {} };
  let dispatches: Record<Phase, number> = { backbone: 0, sidenet: 0, solver: 0 };
  let submits = 0;
  for (let i = 0; i < repeats; i++) {
    for (const p of PHASES) state.counts[p] = 0;
    state.submits = 0;
    engine.profiler.reset();
    engine.profiler.enabled = true;
    try {
      const r = await sample(engine, options);
      await engine.submit();
      r.latent.dispose();
    } finally {
      engine.profiler.enabled = false;
    }
    dispatches = { ...state.counts };
    submits = state.submits;
    const sums: PhaseMs = { backbone: 0, sidenet: 0, solver: 0 };
    const kernels: Record<Phase, Record<string, number>> = { backbone: {}, sidenet: {}, solver: {} };
    for (const row of engine.profiler.rows()) {
      const slash = row.kernel.indexOf('/');
      const p = row.kernel.slice(0, slash) as Phase;
      const kernel = row.kernel.slice(slash + 1);
      sums[p] += row.totalMs / nfe;
      kernels[p][kernel] = (kernels[p][kernel] ?? 0) + row.totalMs / nfe;
    }
    for (const p of PHASES) for (const [k, ms] of Object.entries(kernels[p])) (kernelRuns[p][k] ??= []).push(ms);
    perRun.push(sums);
    opts.log?.(`profiled run ${i + 1}: ${PHASES.map((p) => `${p} ${sums[p].toFixed(2)}`).join(', ')} ms/NFE`);
  }
  const medianKernels = (runs: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)] as const).sort((a, b) => b[1] - a[1]));
  const profiled = {
    backbone: median(perRun.map((r) => r.backbone)),
    sidenet: median(perRun.map((r) => r.sidenet)),
    solver: median(perRun.map((r) => r.solver)),
    kernels: { backbone: medianKernels(kernelRuns.backbone), sidenet: medianKernels(kernelRuns.sidenet), solver: medianKernels(kernelRuns.solver) },
    dispatches,
    submits,
  };
  return { nfe, ...calls, wallPerNfe, wallRunsMs: walls, profiled, profiledRuns: perRun, ablation, euler: eulerResult, profilerMode: engine.profiler.mode, runs: repeats };
}

/** Dispatches per phase and submits of one unprofiled sample() with these options (e.g. an Euler baseline). */
export async function countCalls(engine: Engine, options: SampleOptions): Promise<{ dispatches: Record<Phase, number>; submits: number }> {
  const state = tracker(engine);
  for (const p of PHASES) state.counts[p] = 0;
  state.submits = 0;
  const r = await sample(engine, options);
  await engine.sync();
  r.latent.dispose();
  return { dispatches: { ...state.counts }, submits: state.submits };
}

/** Column names of splitSamples(), in table order. */
export const SPLIT_COLUMNS = {
  wall: 'wall ms/NFE',
  backbone: 'backbone',
  sidenet: 'SideNet',
  solver: 'quadrature',
  ablation: 'SideNet (ablation)',
  euler: 'Euler wall ms/NFE',
} as const;

/** Ratio columns for formatTable(): each component's share of the backbone's time. */
export const SPLIT_RATIOS: Ratio[] = [
  { name: 'SideNet/backbone', faster: SPLIT_COLUMNS.backbone, slower: SPLIT_COLUMNS.sidenet },
  { name: 'quad/backbone', faster: SPLIT_COLUMNS.backbone, slower: SPLIT_COLUMNS.solver },
  { name: 'BA/Euler per NFE', faster: SPLIT_COLUMNS.euler, slower: SPLIT_COLUMNS.wall },
];

/** One result as core.ts samples (ms per NFE), so formatTable() prints one row per case. */
export function splitSamples(caseName: string, r: SplitResult): Sample[] {
  const sampleOf = (impl: string, medianMs: number, runs: number[]): Sample => ({
    case: caseName, impl, medianMs, minMs: Math.min(...runs), maxMs: Math.max(...runs), repeats: runs.length,
  });
  const out: Sample[] = [
    sampleOf(SPLIT_COLUMNS.wall, r.wallPerNfe, r.wallRunsMs.map((ms) => ms / r.nfe)),
    ...PHASES.map((p) => sampleOf(SPLIT_COLUMNS[p], r.profiled[p], r.profiledRuns.map((run) => run[p]))),
  ];
  // A difference of medians: no per-run spread.
  if (r.ablation) out.push(sampleOf(SPLIT_COLUMNS.ablation, r.ablation.sidenetPerNfe, [r.ablation.sidenetPerNfe]));
  if (r.euler) out.push(sampleOf(SPLIT_COLUMNS.euler, r.euler.perNfe, r.euler.runsMs.map((ms) => ms / r.nfe)));
  return out;
}
