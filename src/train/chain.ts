/**
 * Chain-based training of the SideNet (ba-solver.md §5, Algorithm 2), one iteration per step():
 *
 *   1. labels dropped to the null class with probability labelDrop (0.1);
 *   2. t ~ U(0, 1), noise ~ N(0, I), x_t = (1 − t)·x_data + t·noise, v = backbone(x_t, t, y);
 *   3. K = chain links, each:
 *      h: toward data (h > 0, max t) with probability 0.5, else toward noise (h < 0, max 1 − t);
 *         |h| = −log1p(u·expm1(−rate·max))/rate (exponential, rate 50, truncated by inverse CDF);
 *      roll forward without gradient, 3-point Gauss–Legendre on [0, 1]:
 *         v_k = v + S(x, v, t, c_k·h, y), x' = x − h·Σ w_k v_k, t' = clamp(t − h, 0, 1);
 *      target v' = backbone(x', t', y) without gradient;
 *      loss_k = mse(v + S(x, v, t, h, y), v') (gradient into S only);
 *      (x, t, v) ← (x', t', v');
 *   4. loss = mean of the K terms; AdamW (lr 1e-4, wd 0, clip 1.0), EMA 0.9996.
 *
 * The paper's lr is constant. An optional cosine anneal over a window of steps (warmup-stable-
 * decay: constant, then down to lrFinal) lowers the gradient-noise floor at the end of a run,
 * and, because the constant phase does not depend on where the anneal will start, a constant
 * run can be resumed into its anneal.
 *
 * The K predictions are independent graphs that share only the parameters (the roll-forward
 * and the backbone, which carry the chain from link to link, need no gradient), so links are
 * learned in passes: a pass batches several links' predictions along the batch dimension
 * (one forward and one backward of G·B images instead of G of B: the same gradient, with far
 * fewer, larger GPU dispatches) and adds d(Σ loss_k/K)/dθ into the gradient arena. Links per
 * pass: config.linksPerPass, or as many as keep one activation tensor under
 * LEARN_PASS_ELEMENTS (one link per pass for large SideNets: one link's activations alive at a
 * time). The first pass's backward kernels write the gradients straight into the arena; later
 * passes write into the link arena, added into the step's gradients in one dispatch.
 *
 * Randomness (all on the CPU, Rng = mulberry32, one stream, drawn in this order per step):
 * B dataset indices, B label-drop draws, B values of t, one seed for gaussianNoise (the
 * noise), then per link B × (direction, u). A checkpoint stores the stream state, so a
 * resumed run draws exactly what the uninterrupted one would.
 */
import type { Engine } from '../gpu/engine.js';
import { EngineError } from '../gpu/errors.js';
import { concat0 } from '../gpu/ops/copy.js';
import { accumulate, unary } from '../gpu/ops/elementwise.js';
import { adamw, emaUpdate } from '../gpu/ops/optim.js';
import { sumSquares } from '../gpu/ops/grad.js';
import { repaVelocity } from '../gpu/ops/quadrature.js';
import { rollForward } from '../gpu/ops/roll-forward.js';
import type { Tensor } from '../gpu/tensor.js';
import type { SideNetArch } from '../model/weights.js';
import type { VelocityModel } from '../solver/models.js';
import { gaussianNoise } from '../solver/noise.js';
import { gaussLegendre } from '../solver/quadrature.js';
import { sampleBatch, type LatentDataset } from './data.js';
import * as op from './ops.js';
import { Rng } from './rng.js';
import { parseSafetensors, SafetensorsError, serializeSafetensors, verifySafetensorsChecksum, type NamedArray } from './safetensors.js';
import type { SideNetGraph } from './sidenet-graph.js';
import { Tape, type Var } from './tape.js';

export interface ChainConfig {
  /** Images per batch. */
  batch: number;
  /** Links per chain K (8). */
  chain: number;
  /** AdamW (PyTorch semantics). */
  lr: number;
  /** Anneal window: lr until step lrDecayFrom, cosine down to lrFinal at step lrDecayTo; lrDecayTo ≤ lrDecayFrom: constant. */
  lrDecayFrom: number;
  lrDecayTo: number;
  lrFinal: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global gradient-norm clip (PyTorch clip_grad_norm_); 0 or Infinity: off. */
  clip: number;
  emaDecay: number;
  /** Probability of replacing a label by the null class. */
  labelDrop: number;
  /** Rate of the truncated exponential for |h|. */
  hRate: number;
  /** Probability that h points toward data (h > 0). */
  pForward: number;
  /** Gauss–Legendre points of the roll-forward (3). */
  rollNodes: number;
  /** Seed of the training RNG stream. */
  seed: number;
  /** Links learned in one batched pass; 0: as many as fit LEARN_PASS_ELEMENTS (see the file comment). */
  linksPerPass: number;
}

export const DEFAULT_CHAIN_CONFIG: ChainConfig = {
  batch: 16, chain: 8, lr: 1e-4, lrDecayFrom: 0, lrDecayTo: 0, lrFinal: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 1.0,
  emaDecay: 0.9996, labelDrop: 0.1, hRate: 50, pForward: 0.5, rollNodes: 3, seed: 0, linksPerPass: 0,
};

/**
 * The loss of a step, or a weight about to be checkpointed, is not finite: training diverged.
 * Going on would only train on NaN (and checkpoint it), so the step is not applied.
 */
export class TrainingDivergedError extends EngineError {
  override name = 'TrainingDivergedError';
  constructor(readonly step: number, detail: string) {
    super(`training diverged at step ${step}: ${detail}`);
  }
}

/** A checkpoint that cannot be restored: corrupted, truncated, or from another run's setup. */
export class CheckpointError extends EngineError {
  override name = 'CheckpointError';
}

/** Elements of one SideNet activation ([G·B, C, H, W]) a learning pass may reach: 4 MiB in f32. */
export const LEARN_PASS_ELEMENTS = 2 ** 20;

/** |h| from the exponential with `rate` truncated to [0, max], by inverse CDF. */
export function truncatedExponential(u: number, rate: number, max: number): number {
  return -Math.log1p(u * Math.expm1(-rate * max)) / rate;
}

/** The learning rate of (1-based) step `step` under config's anneal window. */
export function learningRate(config: Pick<ChainConfig, 'lr' | 'lrDecayFrom' | 'lrDecayTo' | 'lrFinal'>, step: number): number {
  const { lr, lrDecayFrom: from, lrDecayTo: to, lrFinal } = config;
  if (to <= from || step <= from) return lr;
  if (step >= to) return lrFinal;
  return lrFinal + ((lr - lrFinal) * (1 + Math.cos((Math.PI * (step - from)) / (to - from)))) / 2;
}

/** v in the REPA convention from a backbone in either convention (ba-solver.md §1). */
export function backboneVelocity(engine: Engine, model: VelocityModel, x: Tensor, t: readonly number[], y: readonly number[]): Tensor {
  const sit = model.convention === 'sit';
  const raw = model.forward(x, sit ? t.map((s) => 1 - s) : t, y);
  const v = repaVelocity(engine, raw, model.channels, sit ? -1 : 1);
  if (v !== raw) raw.dispose();
  return v;
}

/** What learning link k needs once the chain has moved on: its state and its target. */
interface LinkInputs {
  x: Tensor;
  v: Tensor;
  vNext: Tensor;
  t: number[];
  h: number[];
}

export interface StepResult {
  step: number;
  /** The step's learning rate (0 for evaluation losses). */
  lr: number;
  loss: number;
  /** Per-link losses (unscaled MSE). */
  links: number[];
}

export class ChainTrainer {
  step = 0;
  readonly rng: Rng;
  readonly config: ChainConfig;
  private readonly rule;

  constructor(
    readonly engine: Engine,
    readonly backbone: VelocityModel,
    readonly net: SideNetGraph,
    readonly data: LatentDataset,
    config: Partial<ChainConfig> = {},
  ) {
    this.config = { ...DEFAULT_CHAIN_CONFIG, ...config };
    this.rng = new Rng(this.config.seed);
    this.rule = gaussLegendre(this.config.rollNodes);
    const [C] = data.shape;
    if (C !== net.arch.latentChannels || C !== backbone.channels) throw new Error(`latent channels differ: data ${C}, SideNet ${net.arch.latentChannels}, backbone ${backbone.channels}`);
    if (data.classes > net.arch.classes) throw new Error(`dataset has ${data.classes} classes, the SideNet ${net.arch.classes}`);
  }

  get arch(): SideNetArch {
    return this.net.arch;
  }

  /**
   * One iteration of Algorithm 2; returns the loss (mean of the K link losses). A non-finite
   * loss throws TrainingDivergedError before the update: the weights stay those of the last step.
   */
  async trainStep(): Promise<StepResult> {
    const { engine, config, net } = this;
    const result = await this.readLosses(await this.chainLoss(this.rng, true, 'params'));
    if (!Number.isFinite(result.loss)) {
      throw new TrainingDivergedError(this.step + 1, `loss ${result.loss} (link losses ${result.links.map((l) => l.toExponential(3)).join(', ')}); the step was not applied`);
    }
    // 4. AdamW with clipping from the GPU-side gradient norm, then the EMA.
    this.step++;
    const { arena } = net;
    const clip = config.clip > 0 && Number.isFinite(config.clip);
    const gradNormSq = clip ? sumSquares(engine, arena.grads) : undefined;
    const lr = learningRate(config, this.step);
    adamw(engine, { params: arena.params, grads: arena.grads, m: arena.m, v: arena.v }, {
      step: this.step, lr, beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay,
      maxGradNorm: clip ? config.clip : undefined, gradNormSq,
    });
    emaUpdate(engine, arena.ema, arena.params, config.emaDecay);
    gradNormSq?.dispose();
    await engine.submit();
    return { step: this.step, lr, ...result };
  }

  /**
   * The chain loss of Algorithm 2 (steps 1–3) on a batch drawn from its own RNG stream `seed`,
   * without gradients or updates: an evaluation loss that is comparable across training steps.
   */
  async evalLoss(seed: number, weights: 'params' | 'ema' = 'params'): Promise<StepResult> {
    const links = await this.chainLoss(new Rng(seed), false, weights);
    return { step: this.step, lr: 0, ...(await this.readLosses(links)) };
  }

  /** Links learned per pass (see the file comment). */
  get linksPerPass(): number {
    const { config, net, data } = this;
    if (config.linksPerPass > 0) return Math.min(config.linksPerPass, config.chain);
    const perLink = config.batch * net.arch.channels * data.shape[1] * data.shape[2];
    return Math.max(1, Math.min(config.chain, Math.floor(LEARN_PASS_ELEMENTS / perLink)));
  }

  /** Reads the passes' scaled link losses (loss_k / K) in one readback. */
  private async readLosses(passes: Tensor[]): Promise<{ loss: number; links: number[] }> {
    // One readback for the whole chain: each read waits for the GPU to drain.
    const all = passes.length === 1 ? passes[0] : concat0(this.engine, passes);
    const values = await all.readFloat32();
    for (const t of new Set([all, ...passes])) t.dispose();
    const K = values.length;
    return { loss: values.reduce((a, b) => a + b, 0), links: Array.from(values, (v) => v * K) };
  }

  /**
   * Steps 1–3 of Algorithm 2; with learn, the links' gradients are added into the gradient
   * arena. Returns each pass's link losses loss_k / K ([links in the pass] each).
   */
  private async chainLoss(rng: Rng, learn: boolean, weights: 'params' | 'ema'): Promise<Tensor[]> {
    const { engine, config, net, data } = this;
    const { batch: B, chain: K } = config;
    const shape = [B, ...data.shape];
    const per = data.shape[0] * data.shape[1] * data.shape[2];

    // 1–2. batch, label drop, t, noise, x_t.
    const { x0, labels } = sampleBatch(data, rng, B);
    const y = labels.map((label) => (rng.next() < config.labelDrop ? net.arch.classes : label));
    let t = Array.from({ length: B }, () => rng.next());
    const noise = gaussianNoise(rng.uint32(), B * per);
    const xt = new Float32Array(B * per);
    for (let b = 0; b < B; b++) for (let i = b * per; i < (b + 1) * per; i++) xt[i] = (1 - t[b]) * x0[i] + t[b] * noise[i];
    let x = engine.upload(xt, shape);
    let v = backboneVelocity(engine, this.backbone, x, t, y);

    // 3. the chain; links wait for their learning pass with their inputs.
    const passes: Tensor[] = [];
    const pending: LinkInputs[] = [];
    const perPass = this.linksPerPass;
    for (let k = 0; k < K; k++) {
      const h = t.map((tb) => {
        const forward = rng.next() < config.pForward;
        const u = rng.next();
        return forward ? truncatedExponential(u, config.hRate, tb) : -truncatedExponential(u, config.hRate, 1 - tb);
      });
      // Roll forward with the current SideNet, no gradient.
      const deltas = net.deltaNoGrad({ x, v, t, y }, this.rule.nodes.map((c) => h.map((hb) => c * hb)), weights);
      const xNext = rollForward(engine, x, v, deltas, h, this.rule.weights);
      deltas.dispose();
      const tNext = t.map((tb, b) => Math.min(1, Math.max(0, tb - h[b])));
      const vNext = backboneVelocity(engine, this.backbone, xNext, tNext, y);
      pending.push({ x, v, vNext, t, h });
      if (pending.length === perPass || k === K - 1) {
        passes.push(this.learnPass(pending, y, learn ? (passes.length === 0 ? 'grads' : 'linkGrads') : undefined, weights));
        // x_k and v_k are done; v_{k+1} (the last vNext) is the chain's current velocity.
        for (const link of pending) {
          link.x.dispose();
          link.v.dispose();
        }
        pending.length = 0;
      }
      [x, v, t] = [xNext, vNext, tNext];
      await engine.submit();
    }
    x.dispose();
    v.dispose();
    return passes;
  }

  /**
   * Predictions v + S(x, v, t, h, y) of G links batched along dimension 0 and their losses
   * loss_k / K = mse(prediction_k, v'_k) / K → [G] (caller-owned). With `grads`, the backward
   * adds their gradient into the gradient arena: written there directly ('grads', the step's
   * first pass), or into the link arena and then added ('linkGrads').
   */
  private learnPass(links: LinkInputs[], y: number[], grads: 'grads' | 'linkGrads' | undefined, weights: 'params' | 'ema'): Tensor {
    const { engine, net } = this;
    const G = links.length;
    const cat = (parts: Tensor[]) => (G === 1 ? parts[0] : concat0(engine, parts));
    const x = cat(links.map((l) => l.x));
    const v = cat(links.map((l) => l.v));
    const vNext = cat(links.map((l) => l.vNext));
    const inputs = { x, v, t: links.flatMap((l) => l.t), h: links.flatMap((l) => l.h), y: links.flatMap(() => y) };
    const tape = new Tape(engine);
    const loss = (params: Map<string, Var>) => {
      const pred = op.add(tape, tape.leaf(v), net.forward(tape, params, inputs));
      return tape.keep(op.mse(tape, pred, tape.leaf(vNext), 1 / this.config.chain, G));
    };
    let out: Var;
    if (grads) {
      const params = net.params(tape, 'params', grads);
      out = loss(params);
      tape.backward(out);
      // A parameter the graph did not reach still holds an older gradient: zero it.
      for (const p of params.values()) if (p.storeStale) unary(engine, 'identity', p.tensor, 0, 0, p.gradStore);
      if (grads === 'linkGrads') accumulate(engine, net.arena.grads, net.arena.linkGrads);
    } else {
      out = tape.noGrad(() => loss(net.params(tape, weights)));
    }
    tape.dispose();
    if (G > 1) for (const t of [x, v, vNext]) t.dispose();
    return out.tensor;
  }

  // ---- checkpoints ------------------------------------------------------------------

  /**
   * SideNet + AdamW state + EMA + step + RNG state as safetensors. Tensors use the reference
   * names under the reference checkpoint's groups: `side_model.<key>`, `ema_side_model.<key>`,
   * `optimizer.exp_avg.<key>`, `optimizer.exp_avg_sq.<key>`; metadata `ba_train` (JSON:
   * format, step, rng, arch, config) and a checksum of the file (safetensors.ts). Non-finite
   * state throws TrainingDivergedError: such a checkpoint could only resume into NaN.
   */
  async checkpoint(): Promise<Uint8Array> {
    const { arena } = this.net;
    const tensors: [string, NamedArray][] = [];
    for (const [prefix, which] of CHECKPOINT_GROUPS) {
      for (const [key, t] of await arena.stateDict(which)) {
        if (!t.data.every(Number.isFinite)) throw new TrainingDivergedError(this.step, `${prefix}.${key} holds non-finite values; no checkpoint written`);
        tensors.push([`${prefix}.${key}`, t]);
      }
    }
    const meta = { format: 'ba-webgpu-train/1', step: this.step, rng: this.rng.state, arch: this.net.arch, config: this.config };
    return serializeSafetensors(tensors, { ba_train: JSON.stringify(meta) }, { checksum: true });
  }

  /**
   * Restores a checkpoint() (same architecture); the run continues exactly where it was saved.
   * Everything is checked before anything is written, so a CheckpointError (corrupted,
   * truncated, another architecture) leaves the trainer as it was. Returns 'absent' for a
   * checkpoint without a checksum (an older version's): restored, but unverified.
   */
  async restore(bytes: Uint8Array): Promise<{ checksum: 'verified' | 'absent' }> {
    let checksum: 'verified' | 'absent';
    let parsed: ReturnType<typeof parseSafetensors>;
    try {
      // Structure first: a truncated file is reported as truncated, not as a checksum mismatch.
      parsed = parseSafetensors(bytes);
      checksum = verifySafetensorsChecksum(bytes);
    } catch (e) {
      if (e instanceof SafetensorsError) throw new CheckpointError(e.message);
      throw e;
    }
    const { metadata, tensors } = parsed;
    let meta: { format: string; step: number; rng: number; arch: SideNetArch } | null;
    try {
      meta = JSON.parse(metadata.ba_train ?? 'null') as typeof meta;
    } catch (e) {
      throw new CheckpointError(`ba_train metadata is not JSON (${(e as Error).message})`);
    }
    if (!meta || meta.format !== 'ba-webgpu-train/1') throw new CheckpointError('not a SideNet training checkpoint (no ba_train metadata)');
    if (!Number.isInteger(meta.step) || meta.step < 0 || !Number.isInteger(meta.rng)) throw new CheckpointError(`invalid step ${meta.step} or RNG state ${meta.rng}`);
    if (JSON.stringify(meta.arch) !== JSON.stringify(this.net.arch)) throw new CheckpointError(`checkpoint architecture ${JSON.stringify(meta.arch)} differs from ${JSON.stringify(this.net.arch)}`);
    const { arena } = this.net;
    const names = new Set(arena.specs.map((s) => s.name));
    const images = CHECKPOINT_GROUPS.map(([prefix, which]) => {
      // 'optimizer.exp_avg' is a prefix of 'optimizer.exp_avg_sq': keep only exact parameter names.
      const group = new Map([...tensors].filter(([k]) => k.startsWith(prefix + '.') && names.has(k.slice(prefix.length + 1))).map(([k, t]) => [k.slice(prefix.length + 1), t]));
      let flat: Float32Array;
      try {
        flat = arena.join(group, prefix);
      } catch (e) {
        throw new CheckpointError((e as Error).message);
      }
      if (!flat.every(Number.isFinite)) throw new CheckpointError(`${prefix} holds non-finite values`);
      return [which, flat] as const;
    });
    for (const [which, flat] of images) await arena.write(which, flat);
    this.step = meta.step;
    this.rng.state = meta.rng;
    return { checksum };
  }
}

/** Checkpoint tensor groups (the reference checkpoint's names) and the arenas they hold. */
const CHECKPOINT_GROUPS: readonly [string, 'params' | 'ema' | 'm' | 'v'][] = [
  ['side_model', 'params'], ['ema_side_model', 'ema'], ['optimizer.exp_avg', 'm'], ['optimizer.exp_avg_sq', 'v'],
];
