/**
 * Command line: train a SideNet next to a frozen SiT backbone with chain-based simulation
 * (ba-solver.md §5, Algorithm 2) on the engine's GPU.
 *
 *   npm run train-sidenet -- --backbone sit.safetensors --images train-images-idx3-ubyte.gz \
 *     --labels train-labels-idx1-ubyte.gz --steps 250 --batch 16 --out runs/side
 *
 * The backbone is a file converted by tools/convert-weights. Data: MNIST-style IDX files (see
 * src/train/data.ts for how images become latents; a backbone with a latent_codec in its
 * metadata, like the shipped Fashion-MNIST model, gets its pixels encoded by that codec). Checkpoints go to --out every
 * --checkpoint-every steps; --resume continues from the newest valid one there (losing at most one
 * interval; corrupted or truncated ones are skipped and named). A non-finite loss stops the run
 * (exit 1) before that step's update, so no NaN reaches a checkpoint. At the end the EMA weights are exported in the reference key layout
 * (--out/sidenet-ema.safetensors), loadable by SideNetModel and by PyTorch. --lr-decay-steps N
 * anneals the lr (cosine, to --lr-final) over the last N of --steps; a constant run resumed with
 * a larger --steps and --lr-decay-steps continues into its anneal.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../gpu/engine.js';
import { ATTENTION_HEAD_DIM_BUCKETS } from '../gpu/ops/attention.js';
import { checkWritable, formatDuration, parseInteger, parseSeed, requireFile, UsageError } from './common.js';
import { SitModel } from '../model/sit.js';
import type { SideNetArch } from '../model/weights.js';
import { ChainTrainer, DEFAULT_CHAIN_CONFIG, type ChainConfig } from '../train/chain.js';
import { loadIdxFiles, restoreLatestCheckpoint, saveCheckpoint, writeAtomic } from '../train/node.js';
import { SideNetGraph } from '../train/sidenet-graph.js';

export const TRAIN_SIDENET_USAGE = `usage: ba-webgpu train-sidenet --backbone SIT.safetensors --images IMAGES.idx[.gz] --labels LABELS.idx[.gz] --out DIR
  [--steps 250] [--batch 16] [--chain 8] [--lr 1e-4] [--lr-decay-steps 0 (cosine anneal over the last N steps)] [--lr-final 0] [--beta1 0.9] [--beta2 0.999] [--eps 1e-8]
  [--weight-decay 0] [--clip 1.0] [--ema 0.9996] [--label-drop 0.1] [--h-rate 50] [--p-forward 0.5]
  [--roll-nodes 3] [--links-per-pass 0 (auto: as many chain links per learning pass as memory allows)] [--seed 0] [--init-seed 0] [--channels 256] [--embed 256] [--blocks 4] [--heads 4]
  [--limit N] [--checkpoint-every 50 (0: none)] [--keep 2] [--resume] [--log-every 1]`;

/** Integer ChainConfig flags and their ranges (roll-nodes: the roll-forward kernel takes at most 4 nodes). */
const INTEGER_CONFIG: [flag: string, key: keyof ChainConfig, min: number, max?: number][] = [
  ['batch', 'batch', 1], ['chain', 'chain', 1], ['roll-nodes', 'rollNodes', 1, 4], ['links-per-pass', 'linksPerPass', 0],
];

/** Real ChainConfig flags, the range each must lie in (as the message says it) and its test. */
const REAL_CONFIG: [flag: string, key: keyof ChainConfig, range: string, inRange: (x: number) => boolean][] = [
  ['lr', 'lr', '> 0', (x) => x > 0],
  ['lr-final', 'lrFinal', '≥ 0', (x) => x >= 0],
  ['beta1', 'beta1', 'in [0, 1)', (x) => x >= 0 && x < 1],
  ['beta2', 'beta2', 'in [0, 1)', (x) => x >= 0 && x < 1],
  ['eps', 'eps', '> 0', (x) => x > 0],
  ['weight-decay', 'weightDecay', '≥ 0', (x) => x >= 0],
  ['clip', 'clip', '≥ 0 (0: off)', (x) => x >= 0],
  ['ema', 'emaDecay', 'in [0, 1)', (x) => x >= 0 && x < 1],
  ['label-drop', 'labelDrop', 'in [0, 1]', (x) => x >= 0 && x <= 1],
  ['h-rate', 'hRate', '> 0', (x) => x > 0],
  ['p-forward', 'pForward', 'in [0, 1]', (x) => x >= 0 && x <= 1],
];

/** A finite real flag in a range; unlike common.ts's parseNumber, the message states the range (and '' is not 0). */
function parseReal(value: string | undefined, fallback: number, flag: string, range: string, inRange: (x: number) => boolean): number {
  if (value === undefined) return fallback;
  const x = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(x) || !inRange(x)) throw new UsageError(`${flag}: expected a finite number ${range}, got '${value}'`);
  return x;
}

/** The SideNet's size from its flags, with the constraints its attention block puts on them. */
function parseArch(v: Record<string, string | undefined>): Omit<SideNetArch, 'classes' | 'latentChannels'> {
  const channels = parseInteger(v.channels, 256, '--channels', 1);
  const heads = parseInteger(v.heads, 4, '--heads', 1);
  const blocks = parseInteger(v.blocks, 4, '--blocks', 1);
  const embed = parseInteger(v.embed, 256, '--embed', 1);
  if (channels % heads) throw new UsageError(`--channels ${channels}: must be divisible by --heads ${heads}`);
  const maxHeadDim = ATTENTION_HEAD_DIM_BUCKETS.at(-1)!;
  if (channels / heads > maxHeadDim) throw new UsageError(`--channels ${channels} / --heads ${heads}: head size ${channels / heads} exceeds the largest supported (${maxHeadDim})`);
  return { channels, embed, blocks, attnBlock: Math.floor(blocks / 2), heads };
}

const str = { type: 'string' as const };
const OPTIONS = {
  backbone: str, images: str, labels: str, out: str, steps: str, seed: str, 'init-seed': str, channels: str, embed: str, blocks: str, heads: str,
  limit: str, 'checkpoint-every': str, 'lr-decay-steps': str, keep: str, 'log-every': str,
  ...Object.fromEntries([...INTEGER_CONFIG, ...REAL_CONFIG].map(([flag]) => [flag, str])),
  resume: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** parseArgs, with its errors as one-line usage errors (its message for '--seed -1' spans three). */
function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS }).values;
  } catch (e) {
    if (e instanceof TypeError && String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message.replace(/\s*\n\s*/g, ' '));
    throw e;
  }
}

export async function trainSidenetCommand(argv: string[]): Promise<number> {
  const values = parseFlags(argv);
  if (values.help) {
    console.log(TRAIN_SIDENET_USAGE);
    return 0;
  }
  const v = values as unknown as Record<string, string | undefined>;
  if (!v.backbone || !v.images || !v.labels || !v.out) {
    throw new UsageError('need --backbone, --images, --labels and --out');
  }
  // Every flag is checked before any work: a typo should not cost a GPU start and a data load.
  const config: Partial<ChainConfig> = { seed: parseSeed(v.seed, DEFAULT_CHAIN_CONFIG.seed, '--seed') };
  for (const [flag, key, min, max] of INTEGER_CONFIG) config[key] = parseInteger(v[flag], DEFAULT_CHAIN_CONFIG[key], `--${flag}`, min, max);
  for (const [flag, key, range, inRange] of REAL_CONFIG) config[key] = parseReal(v[flag], DEFAULT_CHAIN_CONFIG[key], `--${flag}`, range, inRange);
  const steps = parseInteger(v.steps, 250, '--steps', 1);
  const decaySteps = parseInteger(v['lr-decay-steps'], 0, '--lr-decay-steps', 0);
  if (decaySteps > steps) throw new UsageError(`--lr-decay-steps ${decaySteps}: must lie in [0, --steps ${steps}]`);
  config.lrDecayFrom = steps - decaySteps;
  config.lrDecayTo = decaySteps > 0 ? steps : 0;
  const every = parseInteger(v['checkpoint-every'], 50, '--checkpoint-every', 0);
  const keep = parseInteger(v.keep, 2, '--keep', 1);
  const logEvery = parseInteger(v['log-every'], 1, '--log-every', 1);
  const limit = v.limit === undefined ? undefined : parseInteger(v.limit, 0, '--limit', 1);
  const initSeed = parseSeed(v['init-seed'], 0, '--init-seed');
  const sideNetSize = parseArch(v);
  requireFile(v.backbone, 'SiT backbone (--backbone)');
  requireFile(v.images, 'images (--images)');
  requireFile(v.labels, 'labels (--labels)');
  checkWritable(v.out, '--out', 'dir');

  const engine = await Engine.create();
  console.log(`device: ${engine.describe()}`);
  const backbone = await SitModel.load(engine, v.backbone, { dtype: 'f32' });
  const { inChannels: C, inputSize: S, classes } = backbone.arch;
  const data = await loadIdxFiles(v.images, v.labels, [C, S, S], {
    classes: Math.min(classes, 10), limit, codec: backbone.latentCodec,
  });
  const arch: SideNetArch = { ...sideNetSize, classes, latentChannels: C };
  const graph = new SideNetGraph(engine, arch);
  await graph.init(initSeed);
  const trainer = new ChainTrainer(engine, backbone, graph, data, config);
  if (values.resume) {
    // The newest valid checkpoint; the ones passed over are named with the reason.
    const resumed = await restoreLatestCheckpoint(v.out, (bytes) => trainer.restore(bytes));
    for (const skipped of resumed?.skipped ?? []) console.warn(`skipped checkpoint ${skipped.path}: ${skipped.reason}`);
    if (resumed?.restored.checksum === 'absent') console.warn(`warning: ${resumed.path} has no checksum (written by an older version): restored unverified`);
    if (resumed) console.log(`resumed from ${resumed.path} (step ${trainer.step})`);
    else console.log(`no checkpoint in ${v.out}: starting fresh`);
  }
  console.log(`SideNet ${JSON.stringify(arch)}: ${graph.arena.count.toLocaleString()} parameters; data ${data.size} latents [${data.shape}]`);
  const start = performance.now();
  const first = trainer.step;
  while (trainer.step < steps) {
    const { step, loss, lr } = await trainer.trainStep();
    const elapsed = (performance.now() - start) / 1000;
    const rate = (step - first) / elapsed;
    if (step % logEvery === 0 || step === steps) {
      console.log(`step ${step}/${steps}  loss ${loss.toExponential(4)}  lr ${lr.toExponential(2)}  ${rate.toFixed(2)} it/s  ETA ${formatDuration((steps - step) / rate)}`);
    }
    if (every > 0 && (step % every === 0 || step === steps)) await saveCheckpoint(v.out, step, await trainer.checkpoint(), keep);
  }
  const exported = join(v.out, 'sidenet-ema.safetensors');
  await writeAtomic(exported, await graph.exportWeights('ema'));
  console.log(`EMA weights (reference key layout): ${exported}`);
  graph.dispose();
  backbone.dispose();
  engine.dispose();
  return 0;
}
