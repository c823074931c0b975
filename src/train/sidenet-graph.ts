/**
 * The trainable SideNet: the same function as src/model/sidenet.ts (ba-solver.md §3), written
 * on the tape over parameters that live in ONE flat f32 arena.
 *
 * Layout: parameters in PyTorch state_dict order (reference key names), each starting at a
 * multiple of minStorageBufferOffsetAlignment so every parameter is an Engine.view. Six arenas
 * share the layout: params, grads, Adam m, Adam v, EMA, and one learning pass's gradients; the
 * padding between parameters is zero in all of them and stays zero (its gradient is zero), so
 * AdamW, the gradient norm, the EMA and adding a pass's gradients into the step's are each one
 * dispatch over the whole arena.
 */
import type { Engine } from '../gpu/engine.js';
import { copyRows } from '../gpu/ops/copy.js';
import type { Tensor } from '../gpu/tensor.js';
import type { SideNetArch } from '../model/weights.js';
import * as op from './ops.js';
import { Rng } from './rng.js';
import { parseSafetensors, serializeSafetensors, type NamedArray } from './safetensors.js';
import { Tape, type Var } from './tape.js';

const RMS_EPS = 1e-5;
const FREQ_DIM = 256;

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Element offset in the arena. */
  offset: number;
  size: number;
  /** PyTorch default init: 'uniform' U(±1/√fan_in) (Linear, Conv2d), 'normal' N(0, 1) (Embedding), 'zero'. */
  init: 'uniform' | 'normal' | 'zero';
  fanIn: number;
}

/** Parameters of the reference SideNet in state_dict order, with their PyTorch default init. */
export function sideNetParams(arch: SideNetArch): Omit<ParamSpec, 'offset' | 'size'>[] {
  const { channels: C, embed: E, classes, latentChannels: Cl } = arch;
  const specs: Omit<ParamSpec, 'offset' | 'size'>[] = [];
  const lin = (name: string, out: number, inp: number, bias = true) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: 'uniform', fanIn: inp });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: 'uniform', fanIn: inp });
  };
  const conv = (name: string, out: number, inp: number, k: number, groups = 1, bias = false) => {
    const fanIn = (inp / groups) * k * k;
    specs.push({ name: `${name}.weight`, shape: [out, inp / groups, k, k], init: 'uniform', fanIn });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: 'uniform', fanIn });
  };
  for (const e of ['t_embedder', 'h_embedder']) {
    lin(`${e}.mlp.0`, E, FREQ_DIM);
    lin(`${e}.mlp.2`, E, E);
  }
  specs.push({ name: 'y_embedder.embedding_table.weight', shape: [classes + 1, E], init: 'normal', fanIn: 1 });
  lin('emb_fusion.0', E, 3 * E);
  lin('emb_fusion.2', E, E);
  conv('input_conv', C, 2 * Cl, 3);
  for (let i = 0; i < arch.blocks; i++) {
    const p = `blocks.${i}.`;
    if (i === arch.attnBlock) {
      lin(p + 'emb_proj', 2 * C, E);
      conv(p + 'qkv', 3 * C, C, 1);
      conv(p + 'proj', C, C, 1);
    } else {
      conv(p + 'conv1_dw', C, C, 3, C);
      conv(p + 'conv1_pw', C, C, 1);
      conv(p + 'conv2_dw', C, C, 3, C);
      conv(p + 'conv2_pw', C, C, 1, 1, true);
      lin(p + 'emb_proj', 2 * C, E);
    }
  }
  conv('output_conv', Cl, C, 3, 1, true);
  // Zero-initialised output conv: training starts at Δv = 0.
  for (const s of specs) if (s.name.startsWith('output_conv.')) s.init = 'zero';
  return specs;
}

/** The six arenas (params, grads, m, v, ema, linkGrads) with one layout. */
export class ParamArena {
  readonly specs: ParamSpec[];
  /** Total elements per arena (with alignment padding). */
  readonly total: number;
  readonly params: Tensor;
  readonly grads: Tensor;
  readonly m: Tensor;
  readonly v: Tensor;
  readonly ema: Tensor;
  /**
   * Scratch gradients of one learning pass (chain.ts): the backward kernels write each
   * parameter's gradient here in place, then one accumulate() adds the whole arena into `grads`.
   */
  readonly linkGrads: Tensor;
  private readonly views = new Map<string, ParamViews>();

  constructor(readonly engine: Engine, specs: Omit<ParamSpec, 'offset' | 'size'>[]) {
    const align = engine.limits.minStorageBufferOffsetAlignment / 4;
    let offset = 0;
    this.specs = specs.map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const spec = { ...s, offset, size };
      offset += Math.ceil(size / align) * align;
      return spec;
    });
    this.total = offset;
    const zeros = new Float32Array(this.total);
    [this.params, this.grads, this.m, this.v, this.ema, this.linkGrads] = ['params', 'grads', 'adam.m', 'adam.v', 'ema', 'link-grads'].map((label) =>
      engine.upload(zeros, [this.total], 'f32', `sidenet.${label}`));
    for (const s of this.specs) {
      this.views.set(s.name, {
        param: engine.view(this.params, s.offset, s.shape),
        grad: engine.view(this.grads, s.offset, s.shape),
        ema: engine.view(this.ema, s.offset, s.shape),
        linkGrad: engine.view(this.linkGrads, s.offset, s.shape),
      });
    }
  }

  view(name: string): ParamViews {
    const v = this.views.get(name);
    if (!v) throw new Error(`no SideNet parameter '${name}'`);
    return v;
  }

  /** Number of real (unpadded) parameters. */
  get count(): number {
    return this.specs.reduce((n, s) => n + s.size, 0);
  }

  /** Host image of one arena: flat values with the padding. */
  async read(which: 'params' | 'grads' | 'm' | 'v' | 'ema'): Promise<Float32Array> {
    return this[which].readFloat32();
  }

  /** Per-parameter arrays (reference names) of one arena. */
  async stateDict(which: 'params' | 'grads' | 'm' | 'v' | 'ema' = 'params'): Promise<Map<string, NamedArray>> {
    return this.split(await this.read(which));
  }

  split(flat: Float32Array): Map<string, NamedArray> {
    return new Map(this.specs.map((s) => [s.name, { shape: s.shape, data: flat.slice(s.offset, s.offset + s.size) }]));
  }

  /** Builds a flat arena image from per-parameter arrays (all keys required, shapes checked). */
  join(state: ReadonlyMap<string, NamedArray>, what = 'state'): Float32Array {
    const flat = new Float32Array(this.total);
    const known = new Set(this.specs.map((s) => s.name));
    for (const key of state.keys()) if (!known.has(key)) throw new Error(`${what}: unexpected key '${key}'`);
    for (const s of this.specs) {
      const t = state.get(s.name);
      if (!t) throw new Error(`${what}: missing '${s.name}'`);
      if (t.data.length !== s.size || t.shape.reduce((a, b) => a * b, 1) !== s.size) throw new Error(`${what}: '${s.name}' is [${t.shape}], expected [${s.shape}]`);
      flat.set(t.data, s.offset);
    }
    return flat;
  }

  async write(which: 'params' | 'grads' | 'm' | 'v' | 'ema', flat: Float32Array): Promise<void> {
    await this.engine.write(this[which], flat);
  }

  /** Zeroes the gradient arena (before a step's backward passes). */
  async zeroGrad(): Promise<void> {
    await this.engine.write(this.grads, new Float32Array(this.total));
  }

  dispose(): void {
    for (const t of [this.params, this.grads, this.m, this.v, this.ema, this.linkGrads]) t.dispose();
  }
}

/** One parameter's views into the arenas. */
export interface ParamViews {
  param: Tensor;
  grad: Tensor;
  ema: Tensor;
  linkGrad: Tensor;
}

/** Inputs of one SideNet evaluation (host arrays of length B). */
export interface SideNetInputs {
  x: Tensor;
  v: Tensor;
  t: ArrayLike<number>;
  h: ArrayLike<number>;
  y: ArrayLike<number>;
}

export class SideNetGraph {
  readonly arena: ParamArena;

  constructor(readonly engine: Engine, readonly arch: SideNetArch) {
    if (arch.channels % arch.heads) throw new Error(`SideNet: channels ${arch.channels} not divisible by heads ${arch.heads}`);
    this.arena = new ParamArena(engine, sideNetParams(arch));
  }

  /** Reference initialisation (PyTorch defaults, zero output conv) from a seed; EMA = params, m = v = 0. */
  async init(seed: number): Promise<void> {
    const rng = new Rng(seed);
    const flat = new Float32Array(this.arena.total);
    for (const s of this.arena.specs) {
      const bound = 1 / Math.sqrt(s.fanIn);
      for (let i = 0; i < s.size; i++) {
        if (s.init === 'uniform') flat[s.offset + i] = rng.uniform(-bound, bound);
        else if (s.init === 'normal') flat[s.offset + i] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      }
    }
    await this.setWeights(flat);
  }

  /** Loads weights (reference key names: a state_dict as safetensors, or a converted file) into params and EMA; resets Adam. */
  async loadWeights(bytes: Uint8Array): Promise<void> {
    const { tensors } = parseSafetensors(bytes);
    await this.setWeights(this.arena.join(tensors, 'SideNet weights'));
  }

  private async setWeights(flat: Float32Array): Promise<void> {
    const zeros = new Float32Array(this.arena.total);
    await this.arena.write('params', flat);
    await this.arena.write('ema', flat);
    await this.arena.write('m', zeros);
    await this.arena.write('v', zeros);
    await this.arena.write('grads', zeros);
  }

  /**
   * The weights (params or EMA) in the reference key layout as safetensors, with the engine's
   * `ba_webgpu` metadata: PyTorch loads it into the reference SideNet (load_state_dict,
   * strict) and SideNetModel.load reads it directly.
   */
  async exportWeights(which: 'params' | 'ema' = 'ema'): Promise<Uint8Array> {
    const metadata = {
      ba_webgpu: JSON.stringify({ format: 'ba-webgpu/1', kind: 'sidenet', convention: 'repa', source_layout: 'sidenet', dtype: 'f32', arch: this.arch, source_key: which === 'ema' ? 'ema_side_model' : 'side_model' }),
    };
    return serializeSafetensors(await this.arena.stateDict(which), metadata);
  }

  /**
   * Parameter Vars for a tape (weights: the param arena, or the EMA arena for evaluation without
   * grad); their gradients go to the grads arena, or with `grads: 'linkGrads'` to the link arena.
   */
  params(tape: Tape, weights: 'params' | 'ema' = 'params', grads: 'grads' | 'linkGrads' = 'grads'): Map<string, Var> {
    const vars = new Map<string, Var>();
    for (const s of this.arena.specs) {
      const view = this.arena.view(s.name);
      const store = grads === 'grads' ? view.grad : view.linkGrad;
      vars.set(s.name, weights === 'params' ? tape.param(view.param, store, s.name) : tape.leaf(view.ema, false, s.name));
    }
    return vars;
  }

  /** Marks every parameter's grad store stale: the next backward overwrites instead of adding. */
  beginStep(vars: Map<string, Var>): void {
    for (const v of vars.values()) v.storeStale = true;
  }

  /**
   * Δv = h·S(x, v, t, h, y) [B, C, H, W] on the tape (ba-solver.md §3), exactly as
   * SideNetModel.forward computes it. Under tape.noGrad nothing is recorded.
   */
  forward(tape: Tape, w: Map<string, Var>, inputs: SideNetInputs): Var {
    const { arch } = this;
    const P = (key: string) => w.get(key)!;
    const batch = inputs.x.shape[0];
    const emb = this.conditioning(tape, P, inputs);
    const xv = op.concat1(tape, [tape.leaf(inputs.x), tape.leaf(inputs.v)]);
    let x = op.conv3x3(tape, xv, P('input_conv.weight'));
    for (let i = 0; i < arch.blocks; i++) {
      const p = `blocks.${i}.`;
      const film = op.linear(tape, emb, P(p + 'emb_proj.weight'), P(p + 'emb_proj.bias'));
      if (i === arch.attnBlock) {
        const modulated = op.rmsNorm(tape, x, { eps: RMS_EPS, film });
        const qkv = op.pointwise(tape, modulated, P(p + 'qkv.weight'));
        const attended = op.attention(tape, qkv, arch.heads);
        x = op.pointwise(tape, attended, P(p + 'proj.weight'), undefined, x);
      } else {
        const normed = op.rmsNorm(tape, x, { eps: RMS_EPS });
        const pw1 = op.pointwise(tape, op.depthwiseConv3x3(tape, normed, P(p + 'conv1_dw.weight')), P(p + 'conv1_pw.weight'));
        const activated = op.rmsNorm(tape, pw1, { eps: RMS_EPS, film, silu: true });
        const dw2 = op.depthwiseConv3x3(tape, activated, P(p + 'conv2_dw.weight'));
        x = op.pointwise(tape, dw2, P(p + 'conv2_pw.weight'), P(p + 'conv2_pw.bias'), x);
      }
    }
    const head = op.rmsNorm(tape, x, { eps: RMS_EPS, silu: true });
    const out = op.conv3x3(tape, head, P('output_conv.weight'), P('output_conv.bias'));
    const hScale = tape.result(this.engine.upload(inputs.h, [batch, 1, 1, 1]), false, 'h');
    return op.mul(tape, out, hScale);
  }

  /** emb = Linear(SiLU(Linear(concat[t-emb, h-emb, y-emb]))). */
  private conditioning(tape: Tape, P: (k: string) => Var, inputs: SideNetInputs): Var {
    const time = (prefix: string, values: ArrayLike<number>) => {
      const hidden = op.silu(tape, op.linear(tape, op.sinusoidal(tape, values, FREQ_DIM), P(`${prefix}.mlp.0.weight`), P(`${prefix}.mlp.0.bias`)));
      return op.linear(tape, hidden, P(`${prefix}.mlp.2.weight`), P(`${prefix}.mlp.2.bias`));
    };
    const parts = [time('t_embedder', inputs.t), time('h_embedder', inputs.h), op.embedding(tape, P('y_embedder.embedding_table.weight'), inputs.y)];
    const fused = op.silu(tape, op.linear(tape, op.concat1(tape, parts), P('emb_fusion.0.weight'), P('emb_fusion.0.bias')));
    return op.linear(tape, fused, P('emb_fusion.2.weight'), P('emb_fusion.2.bias'));
  }

  /**
   * Δv without gradient for several offsets per sample in one batched forward:
   * offsets[k][b] for sample b; returns [K·B, C, H, W], offset-major (caller-owned).
   */
  deltaNoGrad(inputs: Omit<SideNetInputs, 'h'>, offsets: number[][], weights: 'params' | 'ema' = 'params'): Tensor {
    const { engine } = this;
    const tape = new Tape(engine);
    try {
      return tape.noGrad(() => {
        const K = offsets.length;
        // K copies in one dispatch: rows of the whole tensor, the source row repeated (stride 0).
        const rep = (t: Tensor) => {
          if (K === 1) return t;
          const out = engine.empty([K * t.shape[0], ...t.shape.slice(1)], t.dtype);
          copyRows(engine, t, out, { rows: K, inner: t.size, srcStride: 0, srcOffset: 0, dstStride: t.size, dstOffset: 0 });
          return out;
        };
        const x = rep(inputs.x);
        const v = rep(inputs.v);
        const repeat = (a: ArrayLike<number>) => offsets.flatMap(() => Array.from(a));
        const out = this.forward(tape, this.params(tape, weights), { x, v, t: repeat(inputs.t), h: offsets.flat(), y: repeat(inputs.y) });
        if (x !== inputs.x) x.dispose();
        if (v !== inputs.v) v.dispose();
        tape.keep(out);
        return out.tensor;
      });
    } finally {
      tape.dispose();
    }
  }

  dispose(): void {
    this.arena.dispose();
  }
}
