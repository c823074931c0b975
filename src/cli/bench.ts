/**
 * `ba-webgpu bench`: per-NFE sampling latency of a model set, per solver, on this machine's
 * adapter. Wall clock of whole sample() calls (read-back included), median over repeats after a
 * warm-up round; the cells take turns round by round, and each solver's cost relative to Euler's
 * at the same NFE (the median of same-round ratios) is the solver's own overhead
 * (for BA-solver: the SideNet probes and the quadrature). The finer split (backbone / SideNet /
 * quadrature by GPU timestamps) is `npm run bench:sampler` in the repository. Dispatches and
 * submits per NFE are counted by wrapping this engine's dispatch() and submit(): on adapters where
 * each dispatch has a fixed cost (software Vulkan), they explain much of a solver's overhead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../gpu/engine.js';
import type { SolverName } from '../solver/index.js';
import { checkWritable, nfeList, parseInteger, parseSolver, Progress, requireFile, SHIPPED, UsageError } from './common.js';
import { generate, loadGenerator } from './generate.js';

export const BENCH_USAGE = `usage: ba-webgpu bench [options]
  --model FILE      converted SiT (default: the shipped Fashion-MNIST model)
  --sidenet FILE    converted SideNet (default: the shipped one)
  --solvers LIST    comma-separated (default euler,heun,dpm++2m,ba,ba-single)
  --nfe LIST        backbone calls per image (default 4,7); Heun gets the largest 2N-1 within it
  --batch N         images per sample() call (default 16)
  --repeats N       timed runs per cell after one warm-up (default 3)
  --dtype f32|f16   (default f32)
  --sidenet-graph fused|unfused|both
                    the SideNet's kernels: fused (default) or the unfused graph, or both for a
                    before/after comparison in one run
  --json FILE       also write the results as JSON (default out/bench/cli-bench.json)`;

interface Cell {
  solver: SolverName;
  nfe: number;
  backboneCalls: number;
  msPerSample: number;
  msPerNfe: number;
  msPerImage: number;
  /** The SideNet's graph, for solvers that use it. */
  sidenetGraph?: 'fused' | 'unfused';
  /** Per backbone call, counted over the last run. */
  dispatchesPerNfe: number;
  submitsPerNfe: number;
  /** Median over rounds of this cell's time ÷ Euler's at the same NFE in the same round. */
  vsEuler?: number;
}

/** Counts this engine's dispatch() and submit() calls (the instance's methods are wrapped). */
function countCalls(engine: Engine): { dispatches: number; submits: number } {
  const counts = { dispatches: 0, submits: 0 };
  const dispatch = engine.dispatch.bind(engine);
  const submit = engine.submit.bind(engine);
  engine.dispatch = (call) => {
    counts.dispatches++;
    dispatch(call);
  };
  engine.submit = (options) => {
    counts.submits++;
    return submit(options);
  };
  return counts;
}

export async function benchCommand(argv: string[]): Promise<number> {
  const str = { type: 'string' as const };
  const { values: v } = parseArgs({
    args: argv,
    options: { model: str, sidenet: str, solvers: str, nfe: str, batch: str, repeats: str, dtype: str, json: str, 'sidenet-graph': str, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (v.help) {
    console.log(BENCH_USAGE);
    return 0;
  }
  const solvers = (v.solvers ?? 'euler,heun,dpm++2m,ba,ba-single').split(',').map((s) => parseSolver(s.trim(), '--solvers'));
  const budgets = nfeList(v.nfe ?? '4,7', '--nfe');
  const batch = parseInteger(v.batch, 16, '--batch', 1, 100_000);
  const repeats = parseInteger(v.repeats, 3, '--repeats', 1, 1000);
  const dtype = v.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new UsageError(`--dtype must be f32 or f16, got '${dtype}'`);
  const graphOption = v['sidenet-graph'] ?? 'fused';
  if (graphOption !== 'fused' && graphOption !== 'unfused' && graphOption !== 'both') throw new UsageError(`--sidenet-graph must be fused, unfused or both, got '${graphOption}'`);
  const graphs: ('fused' | 'unfused')[] = graphOption === 'both' ? ['unfused', 'fused'] : [graphOption];
  const needsSideNet = solvers.some((s) => s === 'ba' || s === 'ba-single');
  const modelPath = requireFile(resolve(v.model ?? SHIPPED.sit), 'SiT weights (--model)');
  const sidenetPath = needsSideNet ? requireFile(resolve(v.sidenet ?? SHIPPED.sidenet), 'SideNet weights (--sidenet)') : undefined;
  const jsonPath = resolve(v.json ?? 'out/bench/cli-bench.json');
  checkWritable(jsonPath, '--json');

  const engine = await Engine.create();
  const progress = new Progress();
  try {
    const generator = await loadGenerator(engine, { sit: modelPath, sidenet: sidenetPath }, dtype);
    const labels = Array.from({ length: batch }, (_, i) => i % Math.min(generator.classes, 10));
    const counts = countCalls(engine);
    // Every cell once per round, round after round: slow drift of a shared machine's speed then
    // hits all cells alike, and each ratio to Euler is the median of same-round ratios.
    const configs = budgets.flatMap((budget) => solvers.flatMap((solver) => {
      const usesSideNet = solver === 'ba' || solver === 'ba-single';
      return (usesSideNet ? graphs : [undefined]).map((graph) => ({ budget, solver, graph, times: [] as number[], calls: 0, dispatches: 0, submits: 0 }));
    }));
    for (let r = 0; r <= repeats; r++) {
      for (const config of configs) {
        const { budget, solver, graph } = config;
        if (graph && generator.sidenet) generator.sidenet.fused = graph === 'fused';
        const intervals = solver === 'heun' ? Math.floor((budget + 1) / 2) : budget;
        progress.update(`round ${r + 1}/${repeats + 1} (${r === 0 ? 'warm-up' : 'timed'}): ${solver}${graph ? ` (${graph})` : ''} at ${budget} NFE`, true);
        counts.dispatches = 0;
        counts.submits = 0;
        const result = await generate(generator, { solver, nfe: intervals, labels, seed: r, batch });
        if (r > 0) config.times.push(result.batchMs[0]);
        Object.assign(config, { calls: result.backboneCalls, dispatches: counts.dispatches, submits: counts.submits });
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const cells: Cell[] = configs.map(({ budget, solver, graph, times, calls, dispatches, submits }) => {
      const ms = median(times);
      const euler = configs.find((c) => c.solver === 'euler' && c.budget === budget);
      return {
        solver, nfe: budget, backboneCalls: calls, msPerSample: ms, msPerNfe: ms / calls, msPerImage: ms / batch,
        sidenetGraph: graph, dispatchesPerNfe: dispatches / calls, submitsPerNfe: submits / calls,
        vsEuler: euler ? median(times.map((t, r) => t / euler.times[r])) : undefined,
      };
    });
    progress.done();
    const device = engine.describe();
    console.log(`device: ${device}; model ${modelPath}; batch ${batch}; median of ${repeats}`);
    console.log('| solver | NFE | backbone calls | ms per sample() | ms per NFE | ms per image | dispatches per NFE | submits per NFE | × Euler at this NFE |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const c of cells) {
      const name = c.sidenetGraph && graphs.length > 1 ? `${c.solver} (${c.sidenetGraph})` : c.solver;
      console.log(
        `| ${name} | ${c.nfe} | ${c.backboneCalls} | ${c.msPerSample.toFixed(1)} | ${c.msPerNfe.toFixed(1)} | ${c.msPerImage.toFixed(2)} | ` +
          `${c.dispatchesPerNfe.toFixed(1)} | ${c.submitsPerNfe.toFixed(2)} | ${c.vsEuler?.toFixed(2) ?? '–'} |`,
      );
    }
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, JSON.stringify({ device, model: modelPath, batch, repeats, dtype, cells }, null, 2));
    console.log(`wrote ${jsonPath}`);
    generator.dispose();
    return 0;
  } finally {
    engine.dispose();
  }
}
