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
 * --checkpoint-every steps; --resume continues from the newest one there (losing at most one
 * interval). At the end the EMA weights are exported in the reference key layout
 * (--out/sidenet-ema.safetensors), loadable by SideNetModel and by PyTorch. --lr-decay-steps N
 * anneals the lr (cosine, to --lr-final) over the last N of --steps; a constant run resumed with
 * a larger --steps and --lr-decay-steps continues into its anneal.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../gpu/engine.js';
import { formatDuration, UsageError } from './common.js';
import { SitModel } from '../model/sit.js';
import type { SideNetArch } from '../model/weights.js';
import { ChainTrainer, DEFAULT_CHAIN_CONFIG, type ChainConfig } from '../train/chain.js';
import { latestCheckpoint, loadIdxFiles, saveCheckpoint, writeAtomic } from '../train/node.js';
import { SideNetGraph } from '../train/sidenet-graph.js';

export const TRAIN_SIDENET_USAGE = `usage: ba-webgpu train-sidenet --backbone SIT.safetensors --images IMAGES.idx[.gz] --labels LABELS.idx[.gz] --out DIR
  [--steps 250] [--batch 16] [--chain 8] [--lr 1e-4] [--lr-decay-steps 0 (cosine anneal over the last N steps)] [--lr-final 0] [--beta1 0.9] [--beta2 0.999] [--eps 1e-8]
  [--weight-decay 0] [--clip 1.0] [--ema 0.9996] [--label-drop 0.1] [--h-rate 50] [--p-forward 0.5]
  [--roll-nodes 3] [--links-per-pass 0 (auto: as many chain links per learning pass as memory allows)] [--seed 0] [--init-seed 0] [--channels 256] [--embed 256] [--blocks 4] [--heads 4]
  [--limit N] [--checkpoint-every 50] [--keep 2] [--resume] [--log-every 1]`;

const NUMERIC: Record<string, keyof ChainConfig> = {
  batch: 'batch', chain: 'chain', lr: 'lr', 'lr-final': 'lrFinal', beta1: 'beta1', beta2: 'beta2', eps: 'eps', 'weight-decay': 'weightDecay', clip: 'clip',
  ema: 'emaDecay', 'label-drop': 'labelDrop', 'h-rate': 'hRate', 'p-forward': 'pForward', 'roll-nodes': 'rollNodes', seed: 'seed',
  'links-per-pass': 'linksPerPass',
};

export async function trainSidenetCommand(argv: string[]): Promise<number> {
  const str = { type: 'string' as const };
  const { values } = parseArgs({
    args: argv,
    options: {
      backbone: str, images: str, labels: str, out: str, steps: str, 'init-seed': str, channels: str, embed: str, blocks: str, heads: str,
      limit: str, 'checkpoint-every': str, 'lr-decay-steps': str, keep: str, 'log-every': str,
      ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, str])),
      resume: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(TRAIN_SIDENET_USAGE);
    return 0;
  }
  const v = values as unknown as Record<string, string | undefined>;
  if (!v.backbone || !v.images || !v.labels || !v.out) {
    throw new UsageError('need --backbone, --images, --labels and --out');
  }
  const num = (name: string, fallback: number) => {
    const x = v[name] === undefined ? fallback : Number(v[name]);
    if (!Number.isFinite(x)) throw new UsageError(`--${name}: not a number: ${v[name]}`);
    return x;
  };
  const config: Partial<ChainConfig> = {};
  for (const [flag, key] of Object.entries(NUMERIC)) config[key] = num(flag, DEFAULT_CHAIN_CONFIG[key]);
  const steps = num('steps', 250);
  const decaySteps = num('lr-decay-steps', 0);
  if (decaySteps < 0 || decaySteps > steps) throw new UsageError(`--lr-decay-steps ${decaySteps}: must lie in [0, --steps ${steps}]`);
  config.lrDecayFrom = steps - decaySteps;
  config.lrDecayTo = decaySteps > 0 ? steps : 0;
  const every = num('checkpoint-every', 50);
  const logEvery = num('log-every', 1);

  const engine = await Engine.create();
  console.log(`device: ${engine.describe()}`);
  const backbone = await SitModel.load(engine, v.backbone, { dtype: 'f32' });
  const { inChannels: C, inputSize: S, classes } = backbone.arch;
  const data = await loadIdxFiles(v.images, v.labels, [C, S, S], {
    classes: Math.min(classes, 10), limit: v.limit ? num('limit', Infinity) : undefined, codec: backbone.latentCodec,
  });
  const arch: SideNetArch = {
    channels: num('channels', 256), embed: num('embed', 256), blocks: num('blocks', 4), attnBlock: Math.floor(num('blocks', 4) / 2),
    heads: num('heads', 4), classes, latentChannels: C,
  };
  const graph = new SideNetGraph(engine, arch);
  await graph.init(num('init-seed', 0));
  const trainer = new ChainTrainer(engine, backbone, graph, data, config);
  if (values.resume) {
    const latest = await latestCheckpoint(v.out);
    if (latest) {
      await trainer.restore(latest.bytes);
      console.log(`resumed from ${latest.path} (step ${trainer.step})`);
    } else console.log(`no checkpoint in ${v.out}: starting fresh`);
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
    if (every > 0 && (step % every === 0 || step === steps)) await saveCheckpoint(v.out, step, await trainer.checkpoint(), num('keep', 2));
  }
  const exported = join(v.out, 'sidenet-ema.safetensors');
  await writeAtomic(exported, await graph.exportWeights('ema'));
  console.log(`EMA weights (reference key layout): ${exported}`);
  graph.dispose();
  backbone.dispose();
  engine.dispose();
  return 0;
}
