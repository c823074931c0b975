/**
 * What every sampler shares: the boundary to the networks (convention, guidance batch, labels),
 * the fused update, call counting, and the per-step protocol (one submit, callback, cancel).
 *
 * Guidance batch: with CFG on (scale ≠ 1) every state is kept doubled, [x ‖ x] ([2B, C, H, W]),
 * and the quadrature kernel writes its result twice, so each backbone call is ONE batched
 * forward of [x ‖ x] with labels [y ‖ null] and no copy pass. The raw output [2B, C_out, H, W]
 * stays in the model's convention; the kernel applies the sign (v_REPA = −v_SiT), the channel
 * slice (learn_sigma) and CFG per node at the node's own time.
 */
import type { Engine } from '../gpu/engine.js';
import { EngineError } from '../gpu/errors.js';
import { concat0 } from '../gpu/ops/copy.js';
import { ALL_FINITE, markNonFinite, nonFiniteFlag } from '../gpu/ops/finite.js';
import { quadrature, repaVelocity, type QuadratureArgs, type QuadratureGuidance } from '../gpu/ops/quadrature.js';
import type { Tensor } from '../gpu/tensor.js';
import type { VelocityCorrector, VelocityModel } from './models.js';

/** Invalid sampler options (names the option). */
export class SamplerError extends EngineError {
  override name = 'SamplerError';
}

/** Sampling was cancelled through its AbortSignal (thrown between steps). */
export class SamplingAbortedError extends EngineError {
  override name = 'AbortError';
  constructor(readonly step: number, readonly of: number) {
    super(`sampling aborted before step ${step + 1} of ${of}`);
  }
}

/** The sampled state held NaN or ±Inf (checked on the GPU after every step, read once per run). */
export class NonFiniteSampleError extends EngineError {
  override name = 'NonFiniteSampleError';
  constructor(readonly step: number, readonly of: number) {
    super(`sampling produced NaN or Inf values, first at step ${step} of ${of}: the weights (a file with NaN/Inf values?) or the inputs are not finite, or the model diverged`);
  }
}

export interface GuidanceOptions {
  /** CFG scale; 1 (the default) turns guidance off: one B-image forward per call. */
  scale: number;
  /**
   * Guide where interval[0] <= t <= interval[1], t in REPA time (1 = noise) for every model.
   * Default [0, 0.7] for REPA models (off for the noisiest 30 %), always for 'sit' models;
   * null = always.
   */
  interval?: readonly [number, number] | null;
  /** Guided channels: 4 (REPA, default for 'repa' models) or 3 (original SiT, default for 'sit'). */
  channels?: 3 | 4;
}

export interface StepInfo {
  /** Steps done (1..of). */
  step: number;
  of: number;
  /** REPA time reached by this step. */
  t: number;
  /** Backbone forwards so far (a guided forward of [x ‖ x] counts once). */
  backboneCalls: number;
  /** Host milliseconds from the start of this step's recording until the GPU finished it. */
  ms: number;
  /** GPU milliseconds of this step: timestamp queries where the adapter has them, else the wall clock from submit to completion. */
  gpuMs: number;
  /** Queue submissions the step took (more than one under a frame budget). */
  submits: number;
}

export interface SamplerHooks {
  /** Called once the GPU has finished each step (the run waits for it), with the step's GPU time. */
  onStep?: (info: StepInfo) => void;
  /**
   * Split each step's GPU work into submits of about this many milliseconds, yielding to the
   * app (its next animation frame in a page, a macrotask elsewhere) between them, so that a
   * render loop sharing the GPU keeps its frame rate. The samples are bit-identical to an
   * unbudgeted run. Costs are measured on the first step.
   */
  frameBudgetMs?: number;
  signal?: AbortSignal;
  /**
   * Tests only: called after each step's submit with the state. With guidance the tensor is
   * doubled ([x ‖ x]); the first B images are the state. The last step passes the result.
   * Reading it back is a GPU sync: leave unset outside tests.
   */
  debugState?: (state: Tensor, info: StepInfo) => Promise<void> | void;
}

export interface RunSetup extends SamplerHooks {
  model: VelocityModel;
  sidenet?: VelocityCorrector;
  labels: ArrayLike<number>;
  /** Initial noise [B, C, H, W] (caller-owned; not disposed). */
  noise: Tensor;
  guidance?: GuidanceOptions;
  /** REPA times t_0 = 1 > … > t_N = 0. */
  times: readonly number[];
}

export class SamplerRun {
  readonly images: number;
  readonly channels: number;
  readonly sign: 1 | -1;
  readonly guidance: QuadratureGuidance | undefined;
  readonly steps: number;
  backboneCalls = 0;
  sidenetCalls = 0;
  private readonly batchLabels: number[];
  private stepStart = 0;
  private probePlan?: { dispose(): void };

  constructor(readonly engine: Engine, readonly setup: RunSetup) {
    const { model, noise, labels, times } = setup;
    if (noise.shape.length !== 4 || noise.shape[1] !== model.channels) {
      throw new SamplerError(`noise must be [B, ${model.channels}, H, W], got [${noise.shape}]`);
    }
    this.images = noise.shape[0];
    this.channels = model.channels;
    if (labels.length !== this.images) throw new SamplerError(`labels: ${labels.length} given for a batch of ${this.images}`);
    this.sign = model.convention === 'sit' ? -1 : 1;
    this.steps = times.length - 1;
    const g = setup.guidance;
    if (g && g.scale !== 1) {
      const interval = g.interval === undefined ? (model.convention === 'repa' ? [0, 0.7] as const : null) : g.interval;
      this.guidance = {
        scale: g.scale,
        interval: interval ?? [-Infinity, Infinity],
        guidedChannels: g.channels ?? (model.convention === 'sit' ? 3 : 4),
      };
      if (this.guidance.guidedChannels > this.channels) throw new SamplerError(`guidance: ${this.guidance.guidedChannels} channels > ${this.channels}`);
    }
    const y = Array.from(labels);
    this.batchLabels = this.guidance ? [...y, ...Array(this.images).fill(model.nullClass)] : y;
  }

  /** Images per network call: 2B with guidance, else B. */
  get batch(): number {
    return this.guidance ? 2 * this.images : this.images;
  }

  /** The starting state: the noise, doubled when guided (one copy pass, once). */
  initialState(): Tensor {
    const { noise } = this.setup;
    return this.guidance ? concat0(this.engine, [noise, noise]) : concat0(this.engine, [noise]);
  }

  /** One backbone forward at REPA time t of a (doubled) state: raw output, model convention. */
  backbone(x: Tensor, t: number): Tensor {
    this.backboneCalls++;
    const tModel = this.setup.model.convention === 'sit' ? 1 - t : t;
    return this.setup.model.forward(x, Array(this.batch).fill(tModel), this.batchLabels);
  }

  /** The SideNet input velocity (REPA, C channels) of a raw output; may return `raw` itself. */
  repa(raw: Tensor): Tensor {
    return repaVelocity(this.engine, raw, this.channels, this.sign);
  }

  /**
   * Announces the run's probes (t and offsets of each later probe() call, same numbers) so the
   * SideNet computes what depends only on (t, h, y) for many of them at once. Released when
   * integrate() ends.
   */
  planProbes(probes: readonly { t: number; offsets: readonly number[] }[]): void {
    const side = this.setup.sidenet;
    if (!side?.plan) return;
    this.probePlan?.dispose();
    this.probePlan = side.plan(probes.map((p) => ({ t: Array(this.batch).fill(p.t), offsets: p.offsets })), this.batchLabels);
  }

  /** One batched SideNet call: Δv [offsets·B', C, H, W] at t − offset. */
  probe(x: Tensor, v: Tensor, t: number, offsets: readonly number[]): Tensor {
    const side = this.setup.sidenet;
    if (!side) throw new SamplerError('this solver needs a SideNet (sidenet option)');
    this.sidenetCalls++;
    return side.delta(x, v, Array(this.batch).fill(t), offsets, this.batchLabels);
  }

  /** The fused update; `last` writes the B-image result, otherwise the (doubled) next state. */
  update(args: UpdateArgs, last: boolean): Tensor {
    return quadrature(this.engine, {
      ...args, sign: this.sign, guidance: this.guidance, images: this.images, copies: this.guidance && !last ? 2 : 1,
    });
  }

  /**
   * The step loop every sampler shares: per step an abort check, the step body, one submit and
   * the callbacks. `step(i, x, scratch)` records step i and returns the next state; tensors it
   * passes to `scratch` (the old state included, when it is done with it) are freed once the
   * step is recorded — the pool defers their reuse safely. If anything throws, the state, the
   * step's scratch tensors and `carried()` (tensors kept across steps) are freed.
   */
  async integrate(step: (i: number, x: Tensor, scratch: Scratch) => Tensor, carried: () => (Tensor | undefined)[] = () => []): Promise<Tensor> {
    try {
      return await this.integrateSteps(step, carried);
    } finally {
      this.probePlan?.dispose();
      this.probePlan = undefined;
    }
  }

  private async integrateSteps(step: (i: number, x: Tensor, scratch: Scratch) => Tensor, carried: () => (Tensor | undefined)[]): Promise<Tensor> {
    const firstNonFinite = nonFiniteFlag(this.engine);
    let x = this.initialState();
    const temps = new Set<Tensor>();
    const scratch: Scratch = (t) => {
      if (t) temps.add(t);
      return t;
    };
    try {
      for (let i = 0; i < this.steps; i++) {
        this.beginStep(i);
        const next = step(i, x, scratch);
        temps.delete(next);
        disposeAll(...temps);
        temps.clear();
        x = next;
        markNonFinite(this.engine, x, i + 1, firstNonFinite);
        await this.endStep(i, x);
      }
      // The run's one read-back besides the result: which step, if any, first went non-finite.
      const [bad] = await firstNonFinite.read();
      if (bad !== ALL_FINITE) throw new NonFiniteSampleError(bad, this.steps);
      return x;
    } catch (err) {
      disposeAll(x, ...temps, ...carried());
      throw err;
    } finally {
      firstNonFinite.dispose();
    }
  }

  /** Before step i: throws if cancelled. */
  beginStep(i: number): void {
    if (this.setup.signal?.aborted) throw new SamplingAbortedError(i, this.steps);
    this.stepStart = performance.now();
  }

  /**
   * After step i: the step's submit (several under a frame budget), then the callbacks. With a
   * callback the run waits for the GPU to finish the step, so that progress is GPU progress;
   * without one the GPU runs behind the host.
   */
  async endStep(i: number, state: Tensor): Promise<void> {
    const { onStep, debugState, frameBudgetMs } = this.setup;
    const timing = await this.engine.submit(onStep || debugState || frameBudgetMs !== undefined ? { timed: true, frameBudgetMs } : {});
    const info: StepInfo = {
      step: i + 1, of: this.steps, t: this.setup.times[i + 1], backboneCalls: this.backboneCalls, ms: performance.now() - this.stepStart,
      gpuMs: timing?.gpuMs ?? 0, submits: timing?.submits ?? 1,
    };
    if (this.setup.debugState) await this.setup.debugState(state, info);
    this.setup.onStep?.(info);
  }
}

/** Rejects guidance options that would silently give NaN images or no guidance. */
export function checkGuidance(g: GuidanceOptions): void {
  if (typeof g.scale !== 'number' || !Number.isFinite(g.scale)) throw new SamplerError(`guidance.scale must be a finite number, got ${g.scale}`);
  const interval = g.interval;
  if (interval !== undefined && interval !== null) {
    if (interval.length !== 2 || interval.some((t) => typeof t !== 'number' || Number.isNaN(t)) || !(interval[0] <= interval[1])) {
      throw new SamplerError(`guidance.interval must be [lo, hi] with lo <= hi (REPA time), or null for always; got [${interval}]`);
    }
  }
  if (g.channels !== undefined && g.channels !== 3 && g.channels !== 4) throw new SamplerError(`guidance.channels must be 3 or 4, got ${g.channels}`);
}

/** What a sampler passes to SamplerRun.update: the run adds sign, guidance and batch layout. */
export type UpdateArgs = Omit<QuadratureArgs, 'sign' | 'guidance' | 'images' | 'copies'>;

/** Marks a tensor as freed after the current step (see SamplerRun.integrate). */
export type Scratch = <T extends Tensor | undefined>(tensor: T) => T;

/** Disposes tensors once (skipping repeats and undefined). */
export function disposeAll(...tensors: (Tensor | undefined)[]): void {
  for (const t of new Set(tensors)) t?.dispose();
}
