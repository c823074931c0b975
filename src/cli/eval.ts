/**
 * `ba-webgpu eval`: sample quality against NFE for every solver on one model set.
 *
 * For each solver and NFE budget, the same `samples` images (image i: class i mod 10, noise
 * seed + i) are drawn, then measured three ways:
 *  - error: RMS distance, in latent space, of the first `error-samples` images from the
 *    high-accuracy solution of the same ODE from the same noise (RK4, `rk4-steps` intervals);
 *  - FD: Fréchet distance between Gaussian fits of the shipped classifier's penultimate
 *    features on the samples and on the held-out real images (Fashion-MNIST t10k). Not FID:
 *    a small MLP on Fashion-MNIST, not Inception on ImageNet, so only its ratios mean much;
 *  - accuracy: how often that classifier names the class the image was conditioned on.
 * NFE means backbone calls per image: Heun (2N − 1 calls for N intervals) gets the largest N
 * within the budget, and its row records the calls it really made. Euler at `euler-reference`
 * NFE (70 by default) gives the dense-sampling reference the few-step solvers are held to.
 * Writes JSON, a Markdown table, an SVG and a PNG plot per metric, and a sample grid per solver.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { Engine } from '../gpu/engine.js';
import type { SolverName } from '../solver/index.js';
import { parseIdx } from '../train/data.js';
import { ImageClassifier } from '../eval/classifier.js';
import { fitGaussian, frechetDistance, type GaussianFit } from '../eval/frechet.js';
import { renderLinePlotPng, renderLinePlotSvg, type LinePlot } from '../eval/plot.js';
import { imageGridPng } from '../eval/png.js';
import { markdownTable } from '../eval/report.js';
import {
  checkWritable, formatDuration, MAX_NFE, nfeList, parseInteger, parseInterval, parseNumber, parseSeed, parseSolver, Progress, requireFile, SHIPPED, sitHeader, UsageError,
} from './common.js';
import { generate, latentsToImages, loadGenerator } from './generate.js';

export const EVAL_USAGE = `usage: ba-webgpu eval [options]
  --model FILE            converted SiT with a latent codec (default: the shipped Fashion-MNIST model)
  --sidenet FILE          converted SideNet (default: the shipped one)
  --classifier FILE       feature classifier (default: models/fashion-classifier.safetensors)
  --data DIR              Fashion-MNIST IDX files, t10k-* used as the real images
                          (default /usr/share/datasets/fashion-mnist: apt-get install dataset-fashion-mnist)
  --solvers LIST          (default euler,heun,dpm++2m,ba,ba-single)
  --nfe LIST              backbone calls per image (default 3,4,5,6,7,8,10,15)
  --samples N             images per (solver, NFE) for FD and accuracy (default 1000)
  --error-samples N       the first N of them are compared with RK4 (default 64)
  --rk4-steps N           RK4 intervals of the reference solution, 4 calls each (default 100);
                          RK4 at half the steps estimates the reference's own error
  --euler-reference LIST  Euler NFEs for the dense reference rows (default 70; '' for none)
  --seed S                image i uses noise seed S + i, an integer in [0, 2^32 - 1] (default 1000000)
  --cfg SCALE             classifier-free guidance (default 1 = off); --cfg-interval A,B | always
  --batch N               images per GPU batch (default 250)
  --grid-nfe N            NFE of the per-solver sample grids (default 5)
  --dtype f32|f16         (default f32)
  --out DIR               results (default out/eval); finished cells are cached in DIR/cache
  --cached-only           report the cached cells only, listing the others as not computed`;

interface Cell {
  solver: SolverName;
  /** The budget asked for. */
  nfe: number;
  backboneCalls: number;
  error: number;
  fd: number;
  accuracy: number;
  seconds: number;
}

const METRICS = [
  { key: 'error', title: 'RMS error against RK4 (latent space)', log: true, better: 'lower' },
  { key: 'fd', title: 'Fréchet distance on classifier features (FD)', log: true, better: 'lower' },
  { key: 'accuracy', title: 'Classifier accuracy on conditional samples', log: false, better: 'higher' },
] as const;

export async function evalCommand(argv: string[]): Promise<number> {
  const str = { type: 'string' as const };
  const { values: v } = parseArgs({
    args: argv,
    options: {
      model: str, sidenet: str, classifier: str, data: str, solvers: str, nfe: str, samples: str, 'error-samples': str, 'rk4-steps': str,
      'euler-reference': str, seed: str, cfg: str, 'cfg-interval': str, batch: str, 'grid-nfe': str, dtype: str, out: str,
      'cached-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) {
    console.log(EVAL_USAGE);
    return 0;
  }
  const solvers = (v.solvers ?? 'euler,heun,dpm++2m,ba,ba-single').split(',').map((s) => parseSolver(s.trim(), '--solvers'));
  // Every option is checked here, before the data, the classifier or the GPU is touched.
  const budgets = nfeList(v.nfe ?? '3,4,5,6,7,8,10,15', '--nfe');
  const eulerReference = v['euler-reference'] === '' ? [] : nfeList(v['euler-reference'] ?? '70', '--euler-reference');
  const samples = parseInteger(v.samples, 1000, '--samples', 2, 1_000_000);
  const errorSamples = Math.min(samples, parseInteger(v['error-samples'], 64, '--error-samples', 1, 1_000_000));
  const rk4Steps = parseInteger(v['rk4-steps'], 100, '--rk4-steps', 1, MAX_NFE);
  const seed = parseSeed(v.seed, 1_000_000);
  const cfg = parseNumber(v.cfg, 1, '--cfg', (x) => x >= 0);
  const cfgInterval = parseInterval(v['cfg-interval']);
  const batch = parseInteger(v.batch, 250, '--batch', 1, 100_000);
  const gridNfe = parseInteger(v['grid-nfe'], 5, '--grid-nfe', 1, MAX_NFE);
  const dtype = v.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new UsageError(`--dtype must be f32 or f16, got '${dtype}'`);
  const modelPath = requireFile(resolve(v.model ?? SHIPPED.sit), 'SiT weights (--model)');
  const needsSideNet = solvers.some((s) => s === 'ba' || s === 'ba-single');
  const sidenetPath = needsSideNet ? requireFile(resolve(v.sidenet ?? SHIPPED.sidenet), 'SideNet weights (--sidenet)') : undefined;
  const classifierPath = requireFile(resolve(v.classifier ?? SHIPPED.classifier), 'classifier (--classifier)');
  const dataDir = resolve(v.data ?? '/usr/share/datasets/fashion-mnist');
  const outDir = resolve(v.out ?? 'out/eval');
  const guidance = cfg === 1 ? undefined : { scale: cfg, interval: cfgInterval };
  if ((await sitHeader(modelPath)).latent_codec === undefined) throw new UsageError(`--model: ${modelPath} works on VAE latents (no latent_codec in its metadata); eval measures pixel-space models only`);
  checkWritable(join(outDir, 'cache'), '--out', 'dir');

  const classifier = ImageClassifier.fromSafetensors(readFileSync(classifierPath));
  const real = readRealImages(dataDir, 't10k');
  const realFit = fitGaussian(classifier.classify(real.images, real.count).features, real.count, classifier.featureDim);
  // The floor FD can reach here: real training images against the real test images.
  const train = readRealImages(dataDir, 'train', samples);
  const floorFd = frechetDistance(fitGaussian(classifier.classify(train.images, train.count).features, train.count, classifier.featureDim), realFit);
  console.error(`real images: ${real.count} (t10k); FD of ${samples} real training images against them: ${floorFd.toFixed(3)}`);

  const engine = await Engine.create();
  const progress = new Progress();
  try {
    const generator = await loadGenerator(engine, { sit: modelPath, sidenet: sidenetPath }, dtype);
    const classes = Math.min(generator.classes, classifier.classes.length);
    const labels = Array.from({ length: samples }, (_, i) => i % classes);
    const [ih, iw] = [classifier.height, classifier.width];
    mkdirSync(outDir, { recursive: true });

    const started = performance.now();
    // Finished cells are cached under out/cache, keyed by everything that determines them, so a
    // rerun (or a run after the SideNet changed) recomputes only what is new.
    const cache = new CellCache(join(outDir, 'cache'), { samples, errorSamples, rk4Steps, seed, cfg, interval: v['cfg-interval'] ?? null, dtype, model: fileStamp(modelPath) });
    const rk4 = async (steps: number) => cache.latents(`rk4-${steps}`, async () => (await generate(generator, {
      solver: 'rk4', nfe: steps, labels: labels.slice(0, errorSamples), seed, batch, guidance,
      onStep: (step, of) => progress.update(`reference: RK4 with ${steps} intervals, step ${step}/${of} (${errorSamples} images)`),
    })).latents);
    const reference = { latents: await rk4(rk4Steps) };
    // The reference's own error, estimated from RK4 at half the steps (≈ 16× the full run's error).
    const referenceError = rmsError(await rk4(Math.max(1, Math.floor(rk4Steps / 2))), reference.latents, errorSamples);

    const jobs: { solver: SolverName; nfe: number }[] = [
      ...solvers.flatMap((solver) => budgets.map((nfe) => ({ solver, nfe }))),
      ...eulerReference.map((nfe) => ({ solver: 'euler' as const, nfe })),
    ];
    const work = (j: { solver: SolverName; nfe: number }) => j.nfe * (j.solver === 'ba' || j.solver === 'ba-single' ? 1.5 : 1);
    const totalWork = jobs.reduce((a, j) => a + work(j), 0);
    let doneWork = 0;
    const evalStart = performance.now();
    const cells: Cell[] = [];
    const missing: string[] = [];
    for (const job of jobs) {
      const { solver, nfe } = job;
      const usesSideNet = solver === 'ba' || solver === 'ba-single';
      const cacheKey = { solver, nfe, sidenet: usesSideNet && sidenetPath ? fileStamp(sidenetPath) : null };
      const gridFile = join(outDir, `grid-${fileName(solver)}-nfe${nfe}.png`);
      const wantsGrid = nfe === gridNfe && !eulerReference.includes(nfe);
      const cached = cache.cell(cacheKey);
      if (cached && (!wantsGrid || existsSync(gridFile))) {
        cells.push(cached);
        doneWork += work(job);
        continue;
      }
      if (v['cached-only']) {
        missing.push(`${solver} at ${nfe} NFE`);
        continue;
      }
      const cellStart = performance.now();
      const eta = doneWork > 0 ? ((performance.now() - evalStart) / doneWork) * (totalWork - doneWork) / 1000 : NaN;
      const result = await generate(generator, {
        solver, nfe: solver === 'heun' ? Math.max(1, Math.floor((nfe + 1) / 2)) : nfe, labels, seed, batch, guidance,
        onBatch: (done, total) => progress.update(`${solver} at ${nfe} NFE: ${done}/${total} images; ${cells.length}/${jobs.length} done, ETA ${formatDuration(eta)}`, true),
      });
      const { images } = latentsToImages(generator, result.latents, samples);
      const judged = classifier.classify(images, samples);
      let correct = 0;
      for (let i = 0; i < samples; i++) if (judged.predictions[i] === labels[i]) correct++;
      const cell: Cell = {
        solver, nfe, backboneCalls: result.backboneCalls,
        error: rmsError(result.latents, reference.latents, errorSamples),
        fd: frechetDistance(fitGaussian(judged.features, samples, classifier.featureDim), realFit),
        accuracy: correct / samples,
        seconds: (performance.now() - cellStart) / 1000,
      };
      cells.push(cell);
      cache.storeCell(cacheKey, cell);
      doneWork += work(job);
      progress.update(`${solver} at ${nfe} NFE: error ${cell.error.toExponential(2)}, FD ${cell.fd.toFixed(3)}, accuracy ${(cell.accuracy * 100).toFixed(1)} %`, true);
      if (wantsGrid) writeFileSync(gridFile, classGrid(images, ih, iw, classes, 8));
    }
    progress.done(`evaluated ${jobs.length} settings in ${formatDuration((performance.now() - started) / 1000)}`);

    const referenceRows = eulerReference.filter((n) => cells.some((c) => c.solver === 'euler' && c.nfe === n));
    const report = {
      device: engine.describe(), model: modelPath, sidenet: sidenetPath, classifier: classifierPath,
      samples, errorSamples, rk4Steps, referenceError, seed, cfg, realImages: real.count, classifierTestAccuracy: classifier.testAccuracy, floorFd,
      cells, missing, targets: targetChecks(cells, referenceRows),
    };
    writeFileSync(join(outDir, 'eval.json'), JSON.stringify(report, null, 2));
    writeFileSync(join(outDir, 'eval.md'), markdownReport(report, solvers, budgets, referenceRows));
    for (const metric of METRICS) {
      const plot = metricPlot(metric, cells, solvers, budgets, referenceRows);
      writeFileSync(join(outDir, `${metric.key}.svg`), renderLinePlotSvg(plot));
      writeFileSync(join(outDir, `${metric.key}.png`), renderLinePlotPng(plot));
    }
    console.log(markdownReport(report, solvers, budgets, referenceRows));
    console.log(`wrote ${outDir}/{eval.json, eval.md, error|fd|accuracy.{svg,png}, grid-*.png}`);
    generator.dispose();
    return 0;
  } finally {
    engine.dispose();
  }
}

function fileStamp(path: string): { path: string; bytes: number; modified: number } {
  const info = statSync(path);
  return { path, bytes: info.size, modified: Math.round(info.mtimeMs) };
}

/** Finished cells and reference latents on disk, keyed by a hash of what determines them. */
class CellCache {
  constructor(private readonly dir: string, private readonly settings: object) {
    mkdirSync(dir, { recursive: true });
  }

  private path(key: object, extension: string): string {
    const hash = createHash('sha256').update(JSON.stringify({ ...this.settings, ...key })).digest('hex').slice(0, 24);
    return join(this.dir, `${hash}.${extension}`);
  }

  cell(key: object): Cell | undefined {
    const path = this.path(key, 'json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Cell) : undefined;
  }

  storeCell(key: object, cell: Cell): void {
    writeFileSync(this.path(key, 'json'), JSON.stringify(cell));
  }

  async latents(name: string, make: () => Promise<Float32Array>): Promise<Float32Array> {
    const path = this.path({ reference: name }, 'f32');
    if (existsSync(path)) {
      const bytes = readFileSync(path);
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    const values = await make();
    writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return values;
  }
}

function readRealImages(dir: string, split: 'train' | 't10k', limit = Infinity): { images: Float32Array; count: number } {
  const path = join(dir, `${split}-images-idx3-ubyte.gz`);
  if (!existsSync(path)) throw new UsageError(`${path} not found: install Debian's dataset-fashion-mnist or pass --data DIR`);
  const { dims, data } = parseIdx(gunzipSync(readFileSync(path)));
  const count = Math.min(dims[0], limit);
  const per = dims[1] * dims[2];
  const images = new Float32Array(count * per);
  for (let i = 0; i < images.length; i++) images[i] = data[i] / 127.5 - 1;
  return { images, count };
}

/** Mean over images of the per-image RMS difference. */
function rmsError(latents: Float32Array, reference: Float32Array, count: number): number {
  const per = reference.length / count;
  let total = 0;
  for (let n = 0; n < count; n++) {
    let sum = 0;
    for (let i = n * per; i < (n + 1) * per; i++) sum += (latents[i] - reference[i]) ** 2;
    total += Math.sqrt(sum / per);
  }
  return total / count;
}

/** One row per class, `perClass` images each (image i has class i mod classes). */
function classGrid(images: Float32Array, h: number, w: number, classes: number, perClass: number): Uint8Array {
  const per = h * w;
  const picked = new Float32Array(classes * perClass * per);
  for (let c = 0; c < classes; c++) {
    for (let k = 0; k < perClass; k++) picked.set(images.subarray((c + k * classes) * per, (c + k * classes + 1) * per), (c * perClass + k) * per);
  }
  return imageGridPng(picked, classes * perClass, h, w, perClass, 3);
}

function fileName(solver: string): string {
  return solver.replace(/\+/g, 'p');
}

const SOLVER_TITLES: Record<string, string> = {
  ba: 'BA-solver (bi-anchor)', 'ba-single': 'BA single-anchor', euler: 'Euler', heun: 'Heun', 'dpm++2m': 'DPM-Solver++(2M)',
};

function targetChecks(cells: Cell[], eulerReference: number[]) {
  const at = (solver: string, nfe: number) => cells.find((c) => c.solver === solver && c.nfe === nfe);
  const ba7 = at('ba', 7);
  const dense = eulerReference.length ? at('euler', Math.max(...eulerReference)) : undefined;
  const checks: { claim: string; holds: boolean }[] = [];
  if (ba7 && dense) {
    checks.push({ claim: `BA-solver at 7 NFE: FD ${ba7.fd.toFixed(3)} ≤ Euler at ${dense.nfe} NFE: ${dense.fd.toFixed(3)}`, holds: ba7.fd <= dense.fd });
    checks.push({ claim: `BA-solver at 7 NFE: error ${ba7.error.toExponential(2)} ≤ Euler at ${dense.nfe} NFE: ${dense.error.toExponential(2)}`, holds: ba7.error <= dense.error });
  }
  for (const rival of ['heun', 'dpm++2m']) {
    const pairs = cells.filter((c) => c.solver === 'ba').map((b) => [b, at(rival, b.nfe)] as const).filter((p): p is readonly [Cell, Cell] => !!p[1]);
    if (!pairs.length) continue;
    for (const key of ['error', 'fd'] as const) {
      const wins = pairs.filter(([b, r]) => b[key] < r[key]).length;
      checks.push({ claim: `BA-solver beats ${SOLVER_TITLES[rival]} on ${key === 'fd' ? 'FD' : 'error'} at ${wins} of ${pairs.length} NFEs`, holds: wins === pairs.length });
    }
  }
  return checks;
}

function markdownReport(
  report: { samples: number; errorSamples: number; rk4Steps: number; referenceError: number; cfg: number; missing: string[]; floorFd: number; device: string; targets: { claim: string; holds: boolean }[]; cells: Cell[] },
  solvers: SolverName[], budgets: number[], eulerReference: number[],
): string {
  const { cells } = report;
  const rows = (format: (c: Cell) => string) => [
    ...solvers.map((s) => [SOLVER_TITLES[s], ...budgets.map((n) => {
      const c = cells.find((x) => x.solver === s && x.nfe === n);
      return c ? format(c) + (c.backboneCalls !== n ? ` (${c.backboneCalls})` : '') : '–';
    })]),
    ...eulerReference.map((n) => {
      const c = cells.find((x) => x.solver === 'euler' && x.nfe === n)!;
      return [`Euler at ${n} NFE`, format(c), ...budgets.slice(1).map(() => '')];
    }),
  ];
  const header = ['solver \\ NFE', ...budgets.map(String)];
  const sections = METRICS.map((m) => {
    const format = (c: Cell) => (m.key === 'error' ? c.error.toExponential(2) : m.key === 'fd' ? c.fd.toFixed(3) : `${(c.accuracy * 100).toFixed(1)} %`);
    return `### ${m.title} (${m.better} is better)\n\n${markdownTable(header, rows(format))}`;
  });
  return [
    `Quality against NFE: ${report.samples} samples per cell (classes balanced), error on the first ${report.errorSamples} ` +
      `against RK4 with ${report.rk4Steps} intervals from the same noise (its own error, estimated from RK4 at half the steps: ` +
      `${report.referenceError.toExponential(1)}); CFG ${report.cfg}; ${report.device}. ` +
      `FD of real training images against the real test images (the floor): ${report.floorFd.toFixed(3)}. ` +
      'Heun cells with fewer backbone calls than the column name the calls in parentheses.',
    ...sections,
    '### Targets\n\n' + report.targets.map((t) => `- ${t.holds ? '✅' : '❌'} ${t.claim}`).join('\n'),
    ...(report.missing.length ? [`Not computed (–): ${report.missing.join(', ')}.`] : []),
  ].join('\n\n') + '\n';
}

function metricPlot(metric: (typeof METRICS)[number], cells: Cell[], solvers: SolverName[], budgets: number[], eulerReference: number[]): LinePlot {
  const value = (c: Cell) => (metric.key === 'accuracy' ? c.accuracy * 100 : c[metric.key]);
  return {
    title: metric.title,
    xLabel: 'NFE (backbone calls per image)',
    yLabel: metric.key === 'accuracy' ? 'accuracy (%)' : metric.key === 'fd' ? 'FD' : 'RMS error',
    logY: metric.log,
    series: solvers.map((s) => ({
      name: SOLVER_TITLES[s],
      points: budgets.flatMap((n) => {
        const c = cells.find((x) => x.solver === s && x.nfe === n);
        return c ? [{ x: c.backboneCalls, y: value(c) }] : [];
      }),
    })),
    references: eulerReference.map((n) => {
      const c = cells.find((x) => x.solver === 'euler' && x.nfe === n)!;
      return { label: `Euler at ${n} NFE`, y: value(c) };
    }),
  };
}
