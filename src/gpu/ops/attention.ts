/**
 * Fused multi-head attention over strided views, so the qkv projections of both models are read
 * in place: SiT's token-major [B, T, 3·H·Dh] Linear output and the SideNet's channel-first
 * [B, 3C, HW] 1×1-conv output. Lavapipe runs attention.wgsl (register-blocked, see there); the
 * GPU family runs flash attention (flash-attention.ts: K/V tiles in workgroup memory, subgroups
 * where the device has them). The SideNet's small head dims (<= 32, on lavapipe <= 64) have their
 * own channel-first kernels (attention_channel_first*.wgsl): all heads of a block of positions
 * per workgroup, exact head-dim variants.
 */
import attentionSource from '../../shaders/attention.wgsl';
import channelFirstSource from '../../shaders/attention_channel_first.wgsl';
import channelFirstTiledSource from '../../shaders/attention_channel_first_tiled.wgsl';
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import type { Kernel } from '../pipelines.js';
import { shapeString, type Tensor } from '../tensor.js';
import { usesCpuKernels } from './autotune.js';
import { checkAttentionArgs, checkAttentionStats, stridedAttentionBindings, type AttentionArgs } from './attention-args.js';
import { bothDTypes, ceilDiv, expectRank, floatDType, type KernelVariantSpec } from './common.js';
import { flashAttentionSubgroupsUsable, recordFlashAttention } from './flash-attention.js';

/** Head-dim buckets: each is one kernel whose private q/accumulator rows hold that many floats. */
export const ATTENTION_HEAD_DIM_BUCKETS = [16, 32, 64, 128] as const;

/**
 * How the attention kernels (forward and backward) split work: `wg` invocations per workgroup,
 * each owning `rows` query (or key) rows. On lavapipe a workgroup of 8 is one SIMD row, so the
 * kernel runs as straight-line code with its register blocks in registers, and several rows per
 * invocation reuse every shared load (measured at the SideNet's head dim 16: ~8x faster than 64
 * invocations of one row). The rows per bucket (the `rowsOnCpu` of each kernel) trade speed for
 * lavapipe's compile time, which grows with the unrolled register block: e.g. 8 rows of the
 * forward's 128-dim bucket compiled in 22 s for 15 % more speed than 4; 8 rows of the key-side
 * backward's 32-dim bucket took 54 s. GPUs and SwiftShader keep one row per invocation.
 */
export interface AttentionTiling {
  wg: number;
  rows: number;
}

/** The forward's rows per invocation on lavapipe, by head-dim bucket. */
const FORWARD_ROWS_ON_CPU = (dmax: number) => (dmax <= 32 ? 8 : 4);

/** The head-dim bucket for headDim, or undefined when it exceeds the largest. */
export function headDimBucket(headDim: number): number | undefined {
  return ATTENTION_HEAD_DIM_BUCKETS.find((d) => headDim <= d);
}

/**
 * One kernel per (head-dim bucket, tiling): private array sizes must be const-expressions, not
 * overrides, so the bucket and the rows per invocation are prepended consts (`DMAX`, `QPT`).
 */
export class AttentionKernels {
  private readonly table = new Map<string, Kernel>();

  constructor(name: string, source: string, private readonly rowsOnCpu: (dmax: number) => number) {
    for (const dmax of ATTENTION_HEAD_DIM_BUCKETS) {
      for (const { rows } of this.tilings(dmax)) {
        this.table.set(`${dmax}:${rows}`, { name: `${name}_d${dmax}_r${rows}`, source: `const DMAX = ${dmax}u;\nconst QPT = ${rows}u;\n${source}` });
      }
    }
  }

  /** Lavapipe's tiling, then everyone else's. */
  private tilings(dmax: number): [AttentionTiling, AttentionTiling] {
    return [{ wg: 8, rows: this.rowsOnCpu(dmax) }, { wg: 64, rows: 1 }];
  }

  /** The kernel and its tiling for a head dim the caller checked against the largest bucket. */
  pick(engine: Engine, headDim: number): { kernel: Kernel; tiling: AttentionTiling } {
    const dmax = headDimBucket(headDim)!;
    const [cpu, other] = this.tilings(dmax);
    const tiling = usesCpuKernels(engine) ? cpu : other;
    return { kernel: this.table.get(`${dmax}:${tiling.rows}`)!, tiling };
  }

  /**
   * Every variant (both tilings, or lavapipe's alone for a kernel that GPUs do not run; both
   * dtypes; each set of other override constants), for the *_VARIANTS lists.
   */
  variants(constantSets: Record<string, number>[] = [{}], cpuOnly = false): KernelVariantSpec[] {
    return ATTENTION_HEAD_DIM_BUCKETS.flatMap((dmax) =>
      this.tilings(dmax).slice(0, cpuOnly ? 1 : 2).flatMap(({ wg, rows }) => bothDTypes(this.table.get(`${dmax}:${rows}`)!, constantSets.map((c) => ({ WG: wg, ...c })))));
  }
}

const attentionKernels = new AttentionKernels('attention', attentionSource, FORWARD_ROWS_ON_CPU);

export type { AttentionArgs, AttentionView } from './attention-args.js';

/** out[b, h, i, :] = softmax_j(scale · q[b,h,i,:]·k[b,h,j,:]) v[b,h,j,:], all views strided. Returns out.tensor. */
export function attention(engine: Engine, args: AttentionArgs): Tensor {
  const op = 'attention';
  const { batch, heads, seqQ, headDim, out } = args;
  const { seqK, dtype } = checkAttentionArgs(op, engine, args, ATTENTION_HEAD_DIM_BUCKETS.at(-1)!);
  // GPUs: K/V tiles in workgroup memory shared by a block of queries (flash_attention.wgsl).
  if (!usesCpuKernels(engine)) return recordFlashAttention(engine, args, seqK, dtype, flashAttentionSubgroupsUsable(engine));
  const { kernel, tiling } = attentionKernels.pick(engine, headDim);
  // Without stats the kernel writes nothing there, but the binding needs a writable buffer.
  const stats = args.stats ?? engine.empty([1], 'f32');
  engine.dispatch({
    kernel,
    dtype,
    constants: { WG: tiling.wg, STATS: args.stats ? 1 : 0 },
    ...stridedAttentionBindings(args, seqK, stats),
    workgroups: [ceilDiv(seqQ, tiling.wg * tiling.rows), batch * heads],
    label: op,
  });
  if (stats !== args.stats) stats.dispose();
  return out.tensor;
}

/**
 * SiT self-attention on the qkv Linear output [B, T, 3·H·Dh] (rows [q | k | v], each head by
 * head). Returns [B, T, H·Dh], token-major, ready for the output projection.
 */
export function attentionTokenMajor(engine: Engine, qkv: Tensor, heads: number, scale?: number): Tensor {
  const op = 'attentionTokenMajor';
  expectRank(op, 'qkv', qkv, 3);
  const [batch, seq, width3] = qkv.shape;
  if (width3 % (3 * heads) !== 0) throw new ShapeError(`${op}: qkv ${shapeString(qkv.shape)} last dim is not 3·heads·headDim for ${heads} heads`);
  const width = width3 / 3;
  const headDim = width / heads;
  const out = engine.empty([batch, seq, width], qkv.dtype);
  const strides = [seq * width3, headDim, width3, 1] as const;
  return attention(engine, {
    batch, heads, seqQ: seq, headDim, scale,
    q: { tensor: qkv, strides },
    k: { tensor: qkv, offset: width, strides },
    v: { tensor: qkv, offset: 2 * width, strides },
    out: { tensor: out, strides: [seq * width, headDim, width, 1] },
  });
}

// ---- channel-first attention for small head dims (the SideNet's) ---------------------------

/**
 * Head dims of the channel-first kernels (attention_channel_first*.wgsl), by kernel family: each is
 * one kernel whose private rows hold exactly that many floats; a head dim in between pads to the
 * next one. Lavapipe's also takes head dim 64 (the default bench SideNet's): 1.65x less CPU time
 * than attention.wgsl's 64-dim bucket (B 3, C 256, 32×32), compiling in ~3 s.
 */
export const CHANNEL_FIRST_HEAD_DIMS = { cpu: [8, 16, 24, 32, 64], gpu: [8, 16, 24, 32] } as const;

/**
 * The channel-first kernels' tilings. Lavapipe ('cpu', attention_channel_first.wgsl): `wg`
 * invocations (one SIMD row), each owning `rows` positions, `keys` keys per online-softmax step.
 * Measured by process CPU time at the SideNet's shapes (B 48, 16×16, head dims 8 and 16): rows × keys
 * 8×8, 8×16 and 16×8 tie, 4×32 and 8×4 cost 1.4-1.5× more; 8×8 compiles fastest (the unrolled body
 * grows with rows · keys · head dim). Others (attention_channel_first_tiled.wgsl): `wg` invocations
 * of `rows` positions each per workgroup, key/value tiles of `keys` positions in workgroup memory
 * (one online-softmax step each) read as vec4s of 4 keys, the loops over rows, keys and head dim
 * unrolled (unrollSections); rows and wg by head dim in gpuTiling. On SwiftShader at the SideNet's
 * shape (B 48, 16×16, 4 heads of 8) unrolling took one call from ~540 ms to ~105 ms (8 rows × 32
 * invocations; 16-key tiles tie with 8, 32-key ones ~20 % slower). More rows still helped there
 * (16 rows × 16 invocations ~10-20 % faster at head dim 8, ~30 % at 16 and 32) but would not fit
 * a GPU's registers; gpuTiling keeps the private rows within the budget below.
 */
interface ChannelFirstTiling {
  wg: number;
  rows: number;
  keys: number;
}

const CHANNEL_FIRST_TILINGS: Record<'cpu' | 'gpu', ChannelFirstTiling> = {
  cpu: { wg: 8, rows: 8, keys: 8 },
  gpu: { wg: 64, rows: 2, keys: 8 },  // past head dim 16; see gpuTiling
};

/**
 * The GPU kernel's positions per invocation and workgroup size for head-dim variant dh: its private
 * rows hold 2·rows·dh + rows·keys floats, kept near 150-190 (8 rows of 32 invocations at dh 8, 4 of
 * 64 at 16, 2 of 64 past it).
 */
function gpuTiling(dh: number): ChannelFirstTiling {
  const base = CHANNEL_FIRST_TILINGS.gpu;
  return dh <= 8 ? { ...base, wg: 32, rows: 8 } : dh <= 16 ? { ...base, rows: 4 } : base;
}

/**
 * Expands `//#unroll NAME COUNT` ... `//#endunroll` sections (nestable): the lines once per
 * NAME = 0 .. COUNT - 1 with `{NAME}` replaced by the index; COUNT is a number or a name in
 * `counts`. For kernels whose inner loops must have constant indices on compilers that do not
 * unroll (Tint, then SwiftShader).
 */
export function unrollSections(source: string, counts: Record<string, number>): string {
  const lines = source.split('\n');
  let at = 0;
  const section = (nested: boolean): string[] => {
    const out: string[] = [];
    while (at < lines.length) {
      const line = lines[at++];
      const t = line.trim();
      const open = /^\/\/#unroll (\w+) (\w+)$/.exec(t);
      if (open) {
        const [, name, count] = open;
        const n = counts[count] ?? Number(count);
        if (!Number.isInteger(n) || n < 0) throw new Error(`unrollSections: unknown count '${count}'`);
        const body = section(true);
        for (let k = 0; k < n; k++) out.push(...body.map((b) => b.replaceAll(`{${name}}`, String(k))));
      } else if (t === '//#endunroll') {
        if (!nested) throw new Error('unrollSections: //#endunroll without //#unroll');
        return out;
      } else {
        out.push(line);
      }
    }
    if (nested) throw new Error('unrollSections: //#unroll without //#endunroll');
    return out;
  };
  return section(false).join('\n');
}

/** The lavapipe kernel's qkv binding and loads: vec4 loads of four positions when HW % 4 == 0. */
const SCALAR_LOADS = `@group(0) @binding(1) var<storage, read> qkv: array<T>;
fn load1(i: u32) -> f32 { return f32(qkv[i]); }
fn keys4(base: u32, j: u32) -> vec4<f32> {
  let last = params.seq - 1u;
  return vec4<f32>(f32(qkv[base + min(j, last)]), f32(qkv[base + min(j + 1u, last)]), f32(qkv[base + min(j + 2u, last)]), f32(qkv[base + min(j + 3u, last)]));
}
`;
const QUAD_LOADS = `@group(0) @binding(1) var<storage, read> qkv: array<vec4<T>>;
fn load1(i: u32) -> f32 { return f32(qkv[i / 4u][i % 4u]); }
fn keys4(base: u32, j: u32) -> vec4<f32> { return vec4<f32>(qkv[(base + min(j, params.seq - 4u)) / 4u]); }
`;

/** The kernel (one per profile and head-dim variant, built on first use) and its tiling. */
function channelFirstKernel(profile: 'cpu' | 'gpu', dh: number, quads = false): { kernel: Kernel; tiling: ChannelFirstTiling } {
  const tiling = profile === 'gpu' ? gpuTiling(dh) : CHANNEL_FIRST_TILINGS.cpu;
  quads &&= profile === 'cpu';
  const key = `${profile}:${dh}:${quads}`;
  let kernel = channelFirstKernels.get(key);
  if (!kernel) {
    kernel = profile === 'cpu'
      ? { name: `attention_cf_d${dh}_r${tiling.rows}_k${tiling.keys}${quads ? '_v4' : ''}`, source: `const DH = ${dh}u;\nconst QPT = ${tiling.rows}u;\nconst KB = ${tiling.keys}u;\n${quads ? QUAD_LOADS : SCALAR_LOADS}${channelFirstSource}` }
      : {
        name: `attention_cf_tiled_d${dh}_k${tiling.keys}_r${tiling.rows}`,
        source: `const DH = ${dh}u;\nconst KB = ${tiling.keys}u;\nconst QPT = ${tiling.rows}u;\n${unrollSections(channelFirstTiledSource, { DH: dh, KB4: tiling.keys / 4, QPT: tiling.rows })}`,
      };
    channelFirstKernels.set(key, kernel);
  }
  return { kernel, tiling };
}
const channelFirstKernels = new Map<string, Kernel>();

/**
 * SideNet attention on the channel-first qkv conv output [B, 3C, H, W] or [B, 3C, HW] (channel =
 * which·C + head·Dh + d). Returns channel-first [B, C, ...spatial]. `stats` as in AttentionArgs.
 * Head dims up to 32 (64 on lavapipe) run the channel-first kernels (all heads of a block of
 * positions per workgroup, exact head-dim variants); larger ones the strided attention().
 */
export function attentionChannelFirst(engine: Engine, qkv: Tensor, heads: number, scale?: number, stats?: Tensor): Tensor {
  const op = 'attentionChannelFirst';
  if (qkv.shape.length !== 3 && qkv.shape.length !== 4) throw new ShapeError(`${op}: qkv must be [B, 3C, HW] or [B, 3C, H, W], got ${shapeString(qkv.shape)}`);
  const [batch, channels3, ...spatial] = qkv.shape;
  if (!Number.isInteger(heads) || heads < 1 || channels3 % (3 * heads) !== 0) {
    throw new ShapeError(`${op}: qkv ${shapeString(qkv.shape)} channels are not 3·heads·headDim for ${heads} heads`);
  }
  const seq = spatial.reduce((a, b) => a * b, 1);
  const channels = channels3 / 3;
  const headDim = channels / heads;
  const profile = usesCpuKernels(engine) ? 'cpu' : 'gpu';
  const dh = CHANNEL_FIRST_HEAD_DIMS[profile].find((d) => headDim <= d);
  if (dh === undefined || batch < 1 || seq < 1) {
    const out = engine.empty([batch, channels, ...spatial], qkv.dtype);
    const strides = [channels3 * seq, headDim * seq, 1, seq] as const;
    return attention(engine, {
      batch, heads, seqQ: seq, headDim, scale, stats,
      q: { tensor: qkv, strides },
      k: { tensor: qkv, offset: channels * seq, strides },
      v: { tensor: qkv, offset: 2 * channels * seq, strides },
      out: { tensor: out, strides: [channels * seq, headDim * seq, 1, seq] },
    });
  }
  const dtype = floatDType(op, qkv);
  if (batch > engine.limits.maxComputeWorkgroupsPerDimension) throw new ShapeError(`${op}: batch ${batch} exceeds maxComputeWorkgroupsPerDimension`);
  checkAttentionStats(op, stats, batch * heads * seq);
  const { kernel, tiling } = channelFirstKernel(profile, dh, seq % 4 === 0);
  const out = engine.empty([batch, channels, ...spatial], dtype);
  // Without stats the kernel writes nothing there, but the binding needs a writable buffer.
  const statsBuffer = stats ?? engine.empty([1], 'f32');
  engine.dispatch({
    kernel,
    dtype,
    constants: { WG: tiling.wg, STATS: stats ? 1 : 0, HD: headDim },
    bindings: { qkv, out, stats: statsBuffer },
    uniforms: { seq, heads, channels, scale: (scale ?? 1 / Math.sqrt(headDim)) * Math.LOG2E },
    workgroups: [ceilDiv(seq, tiling.wg * tiling.rows), batch],
    label: op,
  });
  if (statsBuffer !== stats) statsBuffer.dispose();
  return out;
}

/** Every channel-first variant: both profiles, each exact head dim, with and without stats, both dtypes (plus one padded head dim). */
function channelFirstVariants(): KernelVariantSpec[] {
  return (['cpu', 'gpu'] as const).flatMap((profile) =>
    CHANNEL_FIRST_HEAD_DIMS[profile].flatMap((dh) => (profile === 'cpu' ? [false, true] : [false]).flatMap((quads) => {
      const { kernel, tiling } = channelFirstKernel(profile, dh, quads);
      const hds = dh === 16 ? [dh, 12] : [dh];
      return bothDTypes(kernel, hds.flatMap((hd) => [0, 1].map((s) => ({ WG: tiling.wg, STATS: s, HD: hd }))));
    })));
}

// The GPU family's strided attention is flash attention (flash-attention.ts, its own variants list).
export const ATTENTION_VARIANTS: KernelVariantSpec[] = [...attentionKernels.variants([{ STATS: 0 }, { STATS: 1 }], true), ...channelFirstVariants()];
