/**
 * The SideNet (ba-solver.md §3) on the engine's ops: Δv = h·S(x_t, v_t, t, h, y), so that
 * v(t − h) ≈ v_t + Δv. forward() reads like the architecture: embeddings of t, h and y fused
 * into one conditioning vector; a channels-first trunk at latent resolution (input conv 3×3 on
 * concat[x_t, v_t], residual blocks with FiLM, one attention block); head SiLU(RMSNorm) → conv
 * 3×3; times h per sample. Fused where the ops allow it: FiLM runs inside the channel RMSNorm,
 * SiLU in the first Linear of the t and h MLPs, and attention reads q, k, v straight from the qkv conv
 * output. A 1×1 conv is a matmul of the weight [Cout, Cin] with each image [Cin, HW].
 *
 * The fused path (default; issue 20: the SideNet ran ~3× less efficiently per FLOP than the
 * backbone, mostly from many small dispatches) goes further: the channel RMSNorm (+FiLM +SiLU)
 * runs inside the depthwise convs' loads, PW2's bias and the residual adds in the 1×1 convs'
 * epilogue, the head's RMSNorm → SiLU → conv → ×h in one kernel, and the input conv of [x, v]
 * (the same for every offset of a probe) once per image, stored for each offset; so do block 0's
 * DW1 and PW1, which come before any FiLM. For C <= 64 (the shipped model) a residual block is
 * two kernels (residual-block.ts) and the last one writes the head's activation. The
 * conditioning Linears with no nonlinearity between them are folded at construction (t/h mlp.2
 * into emb_fusion.0, the label table through emb_fusion.0, emb_fusion.2 into every block's FiLM
 * projection, all FiLMs in one Linear), and a sampling run that announces its probes (plan())
 * gets the FiLM rows of all of them computed in one batch. Dispatches per probe for L = 4: 57
 * unfused; fused 18 (C = 256) or 12 (C = 32), plus 9 for the conditioning of an unplanned probe.
 * `fused = false` runs the unfused graph, for before/after measurements.
 */
import type { Engine } from '../gpu/engine.js';
import { ShapeError } from '../gpu/errors.js';
import { attentionChannelFirst } from '../gpu/ops/attention.js';
import { conv1x1, conv3x3, conv3x3NormHead, conv3x3Pair, depthwiseConv3x3, depthwiseConv3x3Normed } from '../gpu/ops/conv.js';
import { concat0, concat1 } from '../gpu/ops/copy.js';
import { add, binary, mul, silu } from '../gpu/ops/elementwise.js';
import { embedding, timestepEmbedding } from '../gpu/ops/embedding.js';
import type { FilmRows } from '../gpu/ops/film.js';
import { linear, matmul, rowStableVariant } from '../gpu/ops/matmul.js';
import { residualBlockFits, residualBlockIn, residualBlockOut } from '../gpu/ops/residual-block.js';
import { rmsNorm } from '../gpu/ops/norm.js';
import { shapeString, type Tensor } from '../gpu/tensor.js';
import type { ProbePlan, VelocityCorrector } from '../solver/models.js';
import { ConditioningPlan } from './conditioning-plan.js';
import {
  checkArchIntegers, checkTensorShapes, loadWeights, WeightFileError,
  type LoadOptions, type SideNetArch, type WeightFileMetadata, type WeightSource,
} from './weights.js';

/** Every block's FiLM rows for a batch: rows firstRow.. of film; owned ones are freed after use. */
interface FilmTable {
  film: Tensor;
  firstRow: number;
  owned: boolean;
}

/** Channel RMSNorm epsilon of the reference. */
const RMS_EPS = 1e-5;
/** Frequencies of the t and h sinusoid (as SiT's timestep embedding). */
const FREQ_DIM = 256;
/** The file's emb_fusion.0.weight [E, 3E], split at load into three column blocks (see load()). */
const FUSION_KEY = 'emb_fusion.0.weight';
const FUSION_PARTS = ['t', 'h', 'y'] as const;

export class SideNetModel implements VelocityCorrector {
  /** Latent channels of x_t, v_t and Δv. */
  readonly channels: number;
  /** Storage dtype of the weights; inputs and activations use it too. */
  readonly dtype: 'f32' | 'f16';
  /** Fused kernels and folded conditioning (default); false runs the unfused graph (benchmarks). */
  fused = true;
  /** The conditioning weights folded at construction (see foldConditioning). */
  private readonly folded = new Map<string, Tensor>();
  /** Runs in progress that announced their probes (see plan()). */
  private readonly plans = new Set<ConditioningPlan>();

  constructor(
    readonly engine: Engine,
    readonly arch: SideNetArch,
    private readonly weights: Map<string, Tensor>,
  ) {
    this.channels = arch.latentChannels;
    for (const key of requiredKeys(arch)) {
      if (!weights.has(key)) throw new WeightFileError(`SideNet weights lack '${key}' (was the file converted by tools/convert-weights?)`);
    }
    this.dtype = weights.get('input_conv.weight')!.dtype as 'f32' | 'f16';
    this.foldConditioning();
  }

  /**
   * Folds Linears that meet without a nonlinearity, on the GPU (recorded like any dispatch):
   * emb_fusion.0 · (mlp.2 of t and h) → one [E, E] weight each; the label table through its
   * emb_fusion.0 block plus every bias on that sum → a projected table [classes + 1, E]; every
   * block's emb_proj · emb_fusion.2 → one FiLM Linear [L·2C, E] for all blocks.
   */
  private foldConditioning(): void {
    const { engine, arch } = this;
    const E = arch.embed;
    const fusion = (part: string) => this.w(`${FUSION_KEY}.${part}`);
    for (const part of ['t', 'h'] as const) {
      this.folded.set(`${part}.weight`, matmul(engine, fusion(part), this.w(`${part}_embedder.mlp.2.weight`)));
    }
    const row = (key: string) => this.w(key).reshape([1, E]);
    const tBias = linear(engine, row('t_embedder.mlp.2.bias'), fusion('t'), this.w('emb_fusion.0.bias'));
    const bias = linear(engine, row('h_embedder.mlp.2.bias'), fusion('h'), undefined, { epilogue: 'residual', residual: tBias });
    tBias.dispose();
    this.folded.set('table', linear(engine, this.w('y_embedder.embedding_table.weight'), fusion('y'), bias.reshape([E])));
    bias.dispose();
    const blocks = Array.from({ length: arch.blocks }, (_, i) => `blocks.${i}.emb_proj.`);
    const projections = concat0(engine, blocks.map((b) => this.w(b + 'weight')));
    const projectionBiases = concat0(engine, blocks.map((b) => this.w(b + 'bias')));
    this.folded.set('film.weight', matmul(engine, projections, this.w('emb_fusion.2.weight')));
    const filmBias = engine.empty([projectionBiases.size], this.dtype);
    matmul(engine, projections, this.w('emb_fusion.2.bias').reshape([E, 1]), { bias: projectionBiases, biasAxis: 'row', out: filmBias });
    this.folded.set('film.bias', filmBias);
    projections.dispose();
    projectionBiases.dispose();
  }

  /**
   * Loads a converted SideNet file (kind 'sidenet'). Weights load as f32 unless options.dtype
   * says otherwise. The metadata arch is checked against the tensor shapes before anything is
   * uploaded; options.signal and stallTimeoutMs bound the download.
   */
  static async load(engine: Engine, source: WeightSource, options: LoadOptions = {}): Promise<SideNetModel> {
    const { metadata, tensors } = await loadWeights(engine, source, { ...options, dtype: options.dtype ?? 'f32' }, checkSideNetFile);
    try {
      const { arch } = metadata as Extract<WeightFileMetadata, { kind: 'sidenet' }>;
      // emb_fusion.0 acts on concat[t, h, y] (width 3E). Splitting its weight into three [E, E]
      // blocks makes it a sum of three Linears, so the concat is never materialised.
      const fusion = tensors.get(FUSION_KEY)!;
      const E = arch.embed;
      const values = await fusion.readFloat32();
      FUSION_PARTS.forEach((part, j) => {
        const block = new Float32Array(E * E);
        for (let r = 0; r < E; r++) block.set(values.subarray(r * 3 * E + j * E, r * 3 * E + (j + 1) * E), r * E);
        tensors.set(`${FUSION_KEY}.${part}`, engine.upload(block, [E, E], fusion.dtype, `${FUSION_KEY}.${part}`));
      });
      fusion.dispose();
      tensors.delete(FUSION_KEY);
      return new SideNetModel(engine, arch, tensors);
    } catch (err) {
      for (const t of tensors.values()) t.dispose();
      throw err;
    }
  }

  /** Label index of the null (unconditional) class. */
  get nullClass(): number {
    return this.arch.classes;
  }

  /**
   * Δv = h·S(x, v, t, h, y) [N, C, H, W]. x, v: [N, C, H, W] (any H, W); t, h, y: N entries
   * each (h per sample, any sign; h = 0 gives exactly 0).
   */
  forward(x: Tensor, v: Tensor, t: ArrayLike<number>, h: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    this.checkInputs('forward', x, v, t, y);
    if (h.length !== x.shape[0]) throw new ShapeError(`SideNet.forward: h needs ${x.shape[0]} entries (batch of x), got ${h.length}`);
    if (this.fused) return this.runFused(conv3x3Pair(this.engine, x, v, this.w('input_conv.weight')), { film: this.foldedConditioning(t, h, y), firstRow: 0, owned: true }, h);
    const xv = concat1(this.engine, [x, v]);
    const out = this.run(xv, t, h, y);
    xv.dispose();
    return out;
  }

  /**
   * VelocityCorrector: Δv for every offset in one batched forward of offsets.length·N rows,
   * offset-major [K·N, C, H, W] (all N images for offsets[0], then offsets[1], ...).
   */
  delta(x: Tensor, v: Tensor, t: ArrayLike<number>, offsets: readonly number[], y: ArrayLike<number>): Tensor {
    this.checkInputs('delta', x, v, t, y);
    if (offsets.length === 0) throw new ShapeError('SideNet.delta: offsets is empty (need at least one h)');
    const batch = x.shape[0];
    const repeat = (a: ArrayLike<number>) => offsets.flatMap(() => Array.from(a));
    const h = offsets.flatMap((offset) => Array(batch).fill(offset) as number[]);
    // The input conv does not depend on h: once per image, stored for every offset's rows.
    if (this.fused) {
      const films = this.plannedFilms(t, offsets, y) ?? { film: this.foldedConditioning(repeat(t), h, repeat(y)), firstRow: 0, owned: true };
      return this.runFused(conv3x3Pair(this.engine, x, v, this.w('input_conv.weight'), offsets.length), films, h, offsets.length);
    }
    const xv = concat1(this.engine, [x, v]);
    const repeated = offsets.length === 1 ? xv : concat0(this.engine, offsets.map(() => xv));
    const out = this.run(repeated, repeat(t), h, repeat(y));
    if (repeated !== xv) repeated.dispose();
    xv.dispose();
    return out;
  }

  /**
   * VelocityCorrector.plan: the FiLM rows of the announced probes are computed a chunk of the
   * run at a time (ConditioningPlan), so a planned delta() records no conditioning dispatches.
   */
  plan(probes: readonly ProbePlan[], y: ArrayLike<number>): { dispose(): void } {
    // A FiLM row holds as many values as the folded FiLM Linear's bias.
    const rowBytes = this.folded.get('film.bias')!.byteLength;
    const plan = new ConditioningPlan(probes, Array.from(y), rowBytes, (rows) => this.foldedConditioning(rows.t, rows.h, rows.y));
    this.plans.add(plan);
    return {
      dispose: () => {
        this.plans.delete(plan);
        plan.dispose();
      },
    };
  }

  dispose(): void {
    for (const plan of this.plans) plan.dispose();
    this.plans.clear();
    for (const t of [...this.weights.values(), ...this.folded.values()]) t.dispose();
    this.weights.clear();
    this.folded.clear();
  }

  private w(key: string): Tensor {
    return this.weights.get(key)!;
  }

  private checkInputs(op: string, x: Tensor, v: Tensor, t: ArrayLike<number>, y: ArrayLike<number>): void {
    const C = this.channels;
    if (x.shape.length !== 4 || x.shape[1] !== C) throw new ShapeError(`SideNet.${op}: x must be [N, ${C}, H, W], got ${shapeString(x.shape)}`);
    if (shapeString(v.shape) !== shapeString(x.shape)) throw new ShapeError(`SideNet.${op}: v must have the shape of x ${shapeString(x.shape)}, got ${shapeString(v.shape)}`);
    if (x.dtype !== this.dtype || v.dtype !== this.dtype) throw new ShapeError(`SideNet.${op}: x and v must be ${this.dtype} like the weights, got ${x.dtype} and ${v.dtype}`);
    const batch = x.shape[0];
    if (t.length !== batch || y.length !== batch) throw new ShapeError(`SideNet.${op}: t and y need ${batch} entries (batch of x), got ${t.length} and ${y.length}`);
  }

  /** A planned probe's FiLM rows, if a run announced it. */
  private plannedFilms(t: ArrayLike<number>, offsets: readonly number[], y: ArrayLike<number>): FilmTable | undefined {
    for (const plan of this.plans) {
      const rows = plan.rows(t, offsets, y);
      if (rows) return { ...rows, owned: false };
    }
    return undefined;
  }

  /**
   * The fused network on the input conv's output [B, C, H, W] (consumed), times h per sample.
   * With copies > 1 the input holds that many copies of the same images (one per offset): the
   * first block's part before its FiLM then runs on one copy only.
   */
  private runFused(input: Tensor, films: FilmTable, h: ArrayLike<number>, copies = 1): Tensor {
    const { engine, arch } = this;
    let x = input;
    // A last residual block that fits the fused kernels writes the head's SiLU(RMSNorm(x)).
    const headActivated = arch.attnBlock !== arch.blocks - 1 && residualBlockFits(arch.channels);
    for (let i = 0; i < arch.blocks; i++) {
      const next = i === arch.attnBlock
        ? this.attentionBlockFused(i, x, films)
        : this.residualBlockFused(i, x, films, i === 0 ? copies : 1, headActivated && i === arch.blocks - 1);
      x.dispose();
      x = next;
    }
    if (films.owned) films.film.dispose();
    const hScale = engine.upload(h, [h.length], this.dtype);
    const delta = conv3x3NormHead(engine, x, this.w('output_conv.weight'), this.w('output_conv.bias'), hScale, RMS_EPS, { inputActivated: headActivated });
    hScale.dispose();
    x.dispose();
    return delta;
  }

  /**
   * Every block's FiLM [B, L·2C] (block i: scale at i·2C, shift at i·2C + C) from the folded
   * weights: SiLU(table'[y] + W't·SiLU-MLP(t) + W'h·SiLU-MLP(h)) through the folded FiLM Linear.
   * Its Linears run a row-stable body: a row's FiLM is the same whether it is computed alone, in
   * a probe or in a whole run's plan, so an image does not depend on the batch it is sampled in.
   */
  private foldedConditioning(t: ArrayLike<number>, h: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    const { engine } = this;
    const f = (key: string) => this.folded.get(key)!;
    const labels = embedding(engine, f('table'), Array.from(y));
    const withT = this.addTimeEmbedding('t', t, labels);
    labels.dispose();
    const fused = this.addTimeEmbedding('h', h, withT);
    withT.dispose();
    const hidden = silu(engine, fused);
    fused.dispose();
    const films = linear(engine, hidden, f('film.weight'), f('film.bias'), { variant: rowStableVariant(engine) });
    hidden.dispose();
    return films;
  }

  /** sum + folded mlp.2 of SiLU(mlp.0(sinusoid(values))), the sum fused in the matmul epilogue. */
  private addTimeEmbedding(part: 't' | 'h', values: ArrayLike<number>, sum: Tensor): Tensor {
    const { engine } = this;
    const freq = timestepEmbedding(engine, values, { dim: FREQ_DIM, dtype: this.dtype });
    const variant = rowStableVariant(engine);
    const hidden = linear(engine, freq, this.w(`${part}_embedder.mlp.0.weight`), this.w(`${part}_embedder.mlp.0.bias`), { epilogue: 'silu', variant });
    freq.dispose();
    const out = linear(engine, hidden, this.folded.get(`${part}.weight`)!, undefined, { epilogue: 'residual', residual: sum, variant });
    hidden.dispose();
    return out;
  }

  /** Block i's scale and shift inside the all-blocks FiLM rows. */
  private filmOf(i: number, films: FilmTable): FilmRows {
    const C = this.arch.channels;
    return { film: films.film, firstRow: films.firstRow, scaleOffset: 2 * C * i, shiftOffset: 2 * C * i + C };
  }

  /**
   * Residual block: for C <= 64 two dispatches (residual-block.ts: DW1 → PW1 → norm, FiLM, SiLU
   * per pixel in registers; DW2 → PW2 + bias + residual), else four: DW1 with the norm on load,
   * PW1, DW2 with norm+FiLM+SiLU on load, PW2 with bias and residual. x holding `copies` copies
   * of its images (one per offset): the part before the FiLM runs on the first copy only and the
   * FiLM writes every copy under its own rows. headActivation (fused kernels only): the output
   * is the head's SiLU(RMSNorm(block output)).
   */
  private residualBlockFused(i: number, x: Tensor, films: FilmTable, copies: number, headActivation = false): Tensor {
    const { engine } = this;
    const p = `blocks.${i}.`;
    const [rows, ...image] = x.shape;
    const source = copies > 1 ? engine.view(x, 0, [rows / copies, ...image]) : x;
    const film = this.filmOf(i, films);
    if (residualBlockFits(this.arch.channels)) {
      const activated = residualBlockIn(engine, source, this.w(p + 'conv1_dw.weight'), this.w(p + 'conv1_pw.weight'), film, { eps: RMS_EPS, copies });
      const out = residualBlockOut(engine, activated, this.w(p + 'conv2_dw.weight'), this.w(p + 'conv2_pw.weight'), this.w(p + 'conv2_pw.bias'), x, headActivation ? { headActivation: { eps: RMS_EPS } } : {});
      activated.dispose();
      return out;
    }
    const dw1 = depthwiseConv3x3Normed(engine, source, this.w(p + 'conv1_dw.weight'), { eps: RMS_EPS });
    const pw1 = conv1x1(engine, dw1, this.w(p + 'conv1_pw.weight'));
    dw1.dispose();
    const dw2 = depthwiseConv3x3Normed(engine, pw1, this.w(p + 'conv2_dw.weight'), { eps: RMS_EPS, film, silu: true, copies });
    pw1.dispose();
    const out = conv1x1(engine, dw2, this.w(p + 'conv2_pw.weight'), { residual: x, bias: this.w(p + 'conv2_pw.bias') });
    dw2.dispose();
    return out;
  }

  /** Attention block in 4 dispatches: norm+FiLM, qkv, attention, proj with the residual. */
  private attentionBlockFused(i: number, x: Tensor, films: FilmTable): Tensor {
    const { engine, arch } = this;
    const p = `blocks.${i}.`;
    const modulated = rmsNorm(engine, x, { eps: RMS_EPS, film: this.filmOf(i, films) });
    const qkv = conv1x1(engine, modulated, this.w(p + 'qkv.weight'));
    modulated.dispose();
    const attended = attentionChannelFirst(engine, qkv, arch.heads);
    qkv.dispose();
    const out = conv1x1(engine, attended, this.w(p + 'proj.weight'), { residual: x });
    attended.dispose();
    return out;
  }

  /** The unfused network on xv = concat[x, v] [B, 2C, H, W], times h per sample. */
  private run(xv: Tensor, t: ArrayLike<number>, h: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    const { engine, arch } = this;
    const batch = xv.shape[0];
    const emb = this.conditioning(t, h, y);
    let x = conv3x3(engine, xv, this.w('input_conv.weight'));
    for (let i = 0; i < arch.blocks; i++) {
      const next = i === arch.attnBlock ? this.attentionBlock(i, x, emb) : this.residualBlock(i, x, emb);
      x.dispose();
      x = next;
    }
    emb.dispose();

    const normed = rmsNorm(engine, x, { eps: RMS_EPS });
    x.dispose();
    const activated = silu(engine, normed);
    normed.dispose();
    const out = conv3x3(engine, activated, this.w('output_conv.weight'), this.w('output_conv.bias'));
    activated.dispose();
    const hScale = engine.upload(h, [batch, 1, 1, 1], this.dtype);
    const delta = mul(engine, out, hScale);
    out.dispose();
    hScale.dispose();
    return delta;
  }

  /** emb = fusion(concat[t-embed(t), h-embed(h), label-embed(y)]) [B, E]. */
  private conditioning(t: ArrayLike<number>, h: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    const { engine } = this;
    const parts = {
      t: this.timeEmbedding('t_embedder', t),
      h: this.timeEmbedding('h_embedder', h),
      y: embedding(engine, this.w('y_embedder.embedding_table.weight'), Array.from(y)),
    };
    // Linear(3E, E) on the concat = Σ over the three parts of Linear(E, E) on each (see load()).
    const tPart = linear(engine, parts.t, this.w('emb_fusion.0.weight.t'));
    const hPart = linear(engine, parts.h, this.w('emb_fusion.0.weight.h'));
    const yPart = linear(engine, parts.y, this.w('emb_fusion.0.weight.y'), this.w('emb_fusion.0.bias'));
    for (const p of Object.values(parts)) p.dispose();
    const th = add(engine, tPart, hPart);
    tPart.dispose();
    hPart.dispose();
    const fused = add(engine, th, yPart);
    th.dispose();
    yPart.dispose();
    const hidden = silu(engine, fused);
    fused.dispose();
    const emb = linear(engine, hidden, this.w('emb_fusion.2.weight'), this.w('emb_fusion.2.bias'));
    hidden.dispose();
    return emb;
  }

  /** Linear(256, E) → SiLU → Linear(E, E) on the 256-frequency sinusoid of raw values. */
  private timeEmbedding(prefix: string, values: ArrayLike<number>): Tensor {
    const { engine } = this;
    const freq = timestepEmbedding(engine, values, { dim: FREQ_DIM, dtype: this.dtype });
    const hidden = linear(engine, freq, this.w(`${prefix}.mlp.0.weight`), this.w(`${prefix}.mlp.0.bias`), { epilogue: 'silu' });
    freq.dispose();
    const out = linear(engine, hidden, this.w(`${prefix}.mlp.2.weight`), this.w(`${prefix}.mlp.2.bias`));
    hidden.dispose();
    return out;
  }

  /** Linear(E, 2C) of emb: FiLM [scale | shift] for block i. */
  private film(i: number, emb: Tensor): Tensor {
    return linear(this.engine, emb, this.w(`blocks.${i}.emb_proj.weight`), this.w(`blocks.${i}.emb_proj.bias`));
  }

  /** x + PW2(DW2(SiLU(FiLM(PW1(DW1(RMSNorm(x))))))). */
  private residualBlock(i: number, x: Tensor, emb: Tensor): Tensor {
    const { engine } = this;
    const p = `blocks.${i}.`;
    const normed = rmsNorm(engine, x, { eps: RMS_EPS });
    const dw1 = depthwiseConv3x3(engine, normed, this.w(p + 'conv1_dw.weight'));
    normed.dispose();
    const pw1 = this.pointwise(dw1, this.w(p + 'conv1_pw.weight'));
    dw1.dispose();
    const film = this.film(i, emb);
    const modulated = rmsNorm(engine, pw1, { eps: RMS_EPS, film: { film } });
    pw1.dispose();
    film.dispose();
    const activated = silu(engine, modulated);
    modulated.dispose();
    const dw2 = depthwiseConv3x3(engine, activated, this.w(p + 'conv2_dw.weight'));
    activated.dispose();
    const pw2 = this.pointwise(dw2, this.w(p + 'conv2_pw.weight'), this.w(p + 'conv2_pw.bias'));
    dw2.dispose();
    const out = add(engine, x, pw2);
    pw2.dispose();
    return out;
  }

  /** x + proj(Attn(qkv(FiLM(RMSNorm(x))))), attention over the H·W positions. */
  private attentionBlock(i: number, x: Tensor, emb: Tensor): Tensor {
    const { engine, arch } = this;
    const p = `blocks.${i}.`;
    const film = this.film(i, emb);
    const modulated = rmsNorm(engine, x, { eps: RMS_EPS, film: { film } });
    film.dispose();
    const qkv = this.pointwise(modulated, this.w(p + 'qkv.weight'));
    modulated.dispose();
    // qkv channel = which·C + head·(C/heads) + d; scale (C/heads)^−0.5 (the op's default).
    const attended = attentionChannelFirst(engine, qkv, arch.heads);
    qkv.dispose();
    const projected = this.pointwise(attended, this.w(p + 'proj.weight'));
    attended.dispose();
    const out = add(engine, x, projected);
    projected.dispose();
    return out;
  }

  /**
   * 1×1 conv, channels-first: weight [Cout, Cin, 1, 1] times each image [Cin, H·W], plus an
   * optional per-channel bias [Cout] (broadcast over the pixels: matmul's bias is per column).
   */
  private pointwise(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
    const { engine } = this;
    const [batch, cin, height, width] = x.shape;
    const cout = weight.shape[0];
    const out = engine.empty([batch, cout, height, width], this.dtype);
    const images = x.reshape([batch, cin, height * width]);
    if (!bias) {
      matmul(engine, weight.reshape([cout, cin]), images, { out });
      return out;
    }
    const product = matmul(engine, weight.reshape([cout, cin]), images);
    binary(engine, 'add', product, bias.reshape([cout, 1]), 1, 1, out);
    product.dispose();
    return out;
  }
}

/** Refuses, before any upload, a file that is not a SideNet or whose metadata arch disagrees with its tensors. */
function checkSideNetFile(metadata: WeightFileMetadata, shapes: ReadonlyMap<string, readonly number[]>): void {
  if (metadata.kind !== 'sidenet') throw new WeightFileError(`expected SideNet weights, but the file holds a ${metadata.kind}`);
  const { arch } = metadata;
  checkArchIntegers('SideNet', arch, ['channels', 'embed', 'blocks', 'heads', 'classes', 'latentChannels']);
  checkArchIntegers('SideNet', arch, ['attnBlock'], 0);
  if (arch.attnBlock >= arch.blocks) throw new WeightFileError(`SideNet metadata arch: attnBlock ${arch.attnBlock} is not one of its ${arch.blocks} blocks`);
  if (arch.channels % arch.heads) throw new WeightFileError(`SideNet metadata arch: heads ${arch.heads} do not divide channels ${arch.channels}`);
  checkTensorShapes('SideNet', sideNetFileShapes(arch), shapes);
}

/** Every tensor of a converted SideNet file with the shape the arch gives it (the converter's layout). */
function sideNetFileShapes(arch: SideNetArch): [string, number[]][] {
  const { channels: C, embed: E, latentChannels: L } = arch;
  const shapes: [string, number[]][] = [];
  for (const e of ['t_embedder', 'h_embedder']) {
    shapes.push([`${e}.mlp.0.weight`, [E, 256]], [`${e}.mlp.0.bias`, [E]], [`${e}.mlp.2.weight`, [E, E]], [`${e}.mlp.2.bias`, [E]]);
  }
  shapes.push(
    ['y_embedder.embedding_table.weight', [arch.classes + 1, E]],
    [FUSION_KEY, [E, 3 * E]], ['emb_fusion.0.bias', [E]], ['emb_fusion.2.weight', [E, E]], ['emb_fusion.2.bias', [E]],
    ['input_conv.weight', [C, 2 * L, 3, 3]], ['output_conv.weight', [L, C, 3, 3]], ['output_conv.bias', [L]],
  );
  for (let i = 0; i < arch.blocks; i++) {
    const b = `blocks.${i}.`;
    shapes.push([`${b}emb_proj.weight`, [2 * C, E]], [`${b}emb_proj.bias`, [2 * C]]);
    if (i === arch.attnBlock) shapes.push([`${b}qkv.weight`, [3 * C, C, 1, 1]], [`${b}proj.weight`, [C, C, 1, 1]]);
    else {
      shapes.push(
        [`${b}conv1_dw.weight`, [C, 1, 3, 3]], [`${b}conv1_pw.weight`, [C, C, 1, 1]],
        [`${b}conv2_dw.weight`, [C, 1, 3, 3]], [`${b}conv2_pw.weight`, [C, C, 1, 1]], [`${b}conv2_pw.bias`, [C]],
      );
    }
  }
  return shapes;
}

/** The keys the constructor takes: the file's, with emb_fusion.0.weight split (see load()). */
function requiredKeys(arch: SideNetArch): string[] {
  return sideNetFileShapes(arch).flatMap(([key]) => (key === FUSION_KEY ? FUSION_PARTS.map((part) => `${key}.${part}`) : [key]));
}
