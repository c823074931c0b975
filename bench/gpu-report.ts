/**
 * The GPU bench's arithmetic and report (bench/gpu.ts, issue 18): published non-tensor-core
 * peaks by adapter name, FLOPs per kernel group at SiT/SideNet shapes, and the merged report
 * of ours + the PyTorch peer (tools/reference/bench_torch_gpu.py) that the device bundle's
 * run.sh writes. No GPU needed here: run.sh merges after both benches have finished.
 */
import { residualBlockFits } from '../src/gpu/ops/residual-block.js';
import type { SideNetArch, SitArch } from '../src/model/weights.js';
import type { PhaseMs, SplitResult } from './sampler-split.js';
import { baSideNetImages, sitFlops } from './random-models.js';

export type Precision = 'f32' | 'f16';

/**
 * Published peaks without tensor cores, TFLOP/s at boost clock (NVIDIA data sheets and
 * architecture whitepapers), matched against the adapter's vendor/device/description in order:
 * the more specific names first. f16 only where the sheet gives the non-tensor FP16 rate.
 */
const PEAKS: { pattern: RegExp; name: string; f32: number; f16?: number }[] = [
  { pattern: /H200 NVL/i, name: 'NVIDIA H200 NVL', f32: 60 },
  { pattern: /H200/i, name: 'NVIDIA H200 SXM', f32: 67, f16: 133.8 },
  { pattern: /H100 NVL/i, name: 'NVIDIA H100 NVL', f32: 60 },
  { pattern: /H100 PCIe/i, name: 'NVIDIA H100 PCIe', f32: 51.2, f16: 102.4 },
  { pattern: /H100/i, name: 'NVIDIA H100 SXM', f32: 66.9, f16: 133.8 },
  { pattern: /A100/i, name: 'NVIDIA A100', f32: 19.5, f16: 78 },
  { pattern: /L40S/i, name: 'NVIDIA L40S', f32: 91.6, f16: 91.6 },
  { pattern: /\bL4\b/i, name: 'NVIDIA L4', f32: 30.3, f16: 30.3 },
  { pattern: /RTX 4090/i, name: 'NVIDIA GeForce RTX 4090', f32: 82.6, f16: 82.6 },
  { pattern: /\bA10\b/i, name: 'NVIDIA A10', f32: 31.2, f16: 31.2 },
];

export interface Peak {
  name: string;
  /** TFLOP/s without tensor cores. */
  f32: number;
  f16?: number;
}

/** The adapter's published peak, or undefined for adapters not in the table (software ones included). */
export function publishedPeak(adapterName: string): Peak | undefined {
  const hit = PEAKS.find((p) => p.pattern.test(adapterName));
  return hit && { name: hit.name, f32: hit.f32, f16: hit.f16 };
}

/** Kernel groups that do the arithmetic; norms, copies and elementwise kernels are 'other'. */
export type KernelGroup = 'matmul' | 'attention' | 'conv3x3' | 'depthwise' | 'residualBlock' | 'other';

export function kernelGroup(label: string): KernelGroup {
  // Before 'matmul': the SideNet's attention on GPUs is two matmuls labelled matmulAttention.*.
  if (label.includes('ttention')) return 'attention';
  // The SideNet's fused residual-block halves (depthwise 3×3 and 1×1 conv in one kernel).
  if (label.includes('residualBlock')) return 'residualBlock';
  if (label.includes('matmul') || label.includes('linear')) return 'matmul';
  if (label.includes('depthwise')) return 'depthwise';
  if (label.includes('conv3x3')) return 'conv3x3';
  return 'other';
}

/**
 * FLOPs (2 per multiply-add) per NFE by kernel group, as the kernels do them, for BA-solver at
 * N steps on `images` images (no CFG): the backbone's Linears and attention (one forward per
 * NFE); the SideNet's 1×1 convs, attention, depthwise and 3×3 convs over its image-offsets per
 * NFE (N forward probes of 3 offsets, N − 1 backward probes of 1; the fused graph runs the input
 * conv and block 0's DW1 and PW1 once per image per probe, and residual blocks of C <= 64 as the
 * residualBlock kernels). The SideNet's small conditioning Linears are left out.
 */
export function groupFlops(sit: SitArch, side: SideNetArch, images: number, nfe: number, fusedSideNet: boolean): Record<'backbone' | 'sidenet', Partial<Record<KernelGroup, number>>> {
  const T = (sit.inputSize / sit.patch) ** 2;
  const backboneAttention = 2 * images * sit.depth * 2 * T * T * sit.hidden;
  const C = side.channels;
  const P = sit.inputSize * sit.inputSize;
  const { imageOffsets, sharedImages } = baSideNetImages(images, nfe, fusedSideNet);
  const residualBlocks = side.blocks - 1;
  // Block 0's DW1 and PW1 (before its FiLM) run on the shared images when it is a residual block.
  const preFilmHalves = { imageOffsets: 2 * residualBlocks - (side.attnBlock === 0 ? 0 : 1), shared: side.attnBlock === 0 ? 0 : 1 };
  const halves = (perHalf: number) => perHalf * (imageOffsets * preFilmHalves.imageOffsets + sharedImages * preFilmHalves.shared);
  // The fused graph runs residual blocks of C <= 64 as two kernels of depthwise + 1×1 each.
  const blockKernels = fusedSideNet && residualBlockFits(C);
  const blockPointwise = halves(2 * C * C * P);
  const blockDepthwise = halves(2 * 9 * C * P);
  return {
    backbone: { attention: backboneAttention, matmul: sitFlops(sit, images) - backboneAttention },
    sidenet: {
      matmul: (blockKernels ? 0 : blockPointwise) + 2 * imageOffsets * 4 * C * C * P,
      attention: 2 * imageOffsets * 2 * P * P * C,
      ...(blockKernels ? { residualBlock: blockPointwise + blockDepthwise } : { depthwise: blockDepthwise }),
      conv3x3: 2 * 9 * P * (sharedImages * 2 * side.latentChannels * C + imageOffsets * C * side.latentChannels),
    },
  };
}

export interface KernelRate {
  phase: 'backbone' | 'sidenet';
  group: KernelGroup;
  msPerNfe: number;
  gflopPerNfe: number;
  gflopsPerS: number;
  /** Share of the adapter's published non-tensor peak at this precision; absent when unknown. */
  peakShare?: number;
}

/** GFLOP/s per kernel group from the profiled per-kernel ms per NFE (groups without a FLOP count are left out). */
export function kernelRates(kernels: SplitResult['profiled']['kernels'], flops: ReturnType<typeof groupFlops>, peakTflops: number | undefined): KernelRate[] {
  const out: KernelRate[] = [];
  for (const phase of ['backbone', 'sidenet'] as const) {
    const ms: Partial<Record<KernelGroup, number>> = {};
    for (const [label, t] of Object.entries(kernels[phase])) ms[kernelGroup(label)] = (ms[kernelGroup(label)] ?? 0) + t;
    for (const [group, t] of Object.entries(ms) as [KernelGroup, number][]) {
      const f = flops[phase][group];
      if (!f || !(t > 0)) continue;
      const gflopsPerS = f / 1e6 / t;
      out.push({ phase, group, msPerNfe: t, gflopPerNfe: f / 1e9, gflopsPerS, peakShare: peakTflops ? gflopsPerS / (1e3 * peakTflops) : undefined });
    }
  }
  return out;
}

/** One (precision, batch) case of bench/gpu.ts. */
export interface GpuCase {
  model: string;
  dtype: Precision;
  batch: number;
  nfe: number;
  /** ms per NFE: whole sample() unprofiled, and the profiled split (method A). */
  wallPerNfe: number;
  profiled: PhaseMs;
  /** Method C (SideNet stubbed, unprofiled), when run. */
  ablation?: SplitResult['ablation'];
  /** (SideNet + quadrature) / (backbone + SideNet + quadrature), profiled. */
  sidenetQuadShare: number;
  /** Pool high-water mark so far on this precision's engine (batches run ascending, so this batch's). */
  peakBytes: number;
  weightBytes: number;
  gflopPerNfe: { backbone: number; sidenet: number };
  kernels: KernelRate[];
  /** Per-kernel ms per NFE by phase, as the profiler labels them. */
  kernelMs: SplitResult['profiled']['kernels'];
  dispatchesPerRun: Record<string, number>;
}

export interface GpuReport {
  bench: 'gpu';
  adapter: string;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  features: string[];
  profiler: string;
  peak?: Peak;
  quick: boolean;
  settings: { size: string; dtypes: Precision[]; batches: number[]; nfe: number; warmup: number; repeats: number; ablation: boolean };
  loadavgStart: number[];
  loadavgEnd?: number[];
  cases: GpuCase[];
  /** Cases not run, and why (no shader-f16, out of memory, ...). */
  skipped: { dtype: Precision; batch?: number; reason: string }[];
  complete: boolean;
}

/** tools/reference/bench_torch_gpu.py's JSON. */
export interface PeerReport {
  torch: string;
  device: string;
  deviceName: string;
  results: { size: string; dtype: 'fp16' | 'bf16' | 'fp32'; batch: number; median_ms?: number; times_ms?: number[]; peak_bytes?: number; error?: string }[];
  complete?: boolean;
}

export interface ShapeRow {
  dtype: Precision;
  batch: number;
  oursWallPerNfe: number;
  oursBackbonePerNfe: number;
  sidenetQuadShare: number;
  matmulPeakShare?: number;
  /** PyTorch eager forward ms of the same shape by torch dtype. */
  torch: Partial<Record<'fp16' | 'bf16' | 'fp32', number>>;
  /** Our backbone ms per NFE ÷ torch eager forward: fp16 and the same precision as ours. */
  backboneOverTorchFp16?: number;
  backboneOverTorchSameDtype?: number;
  /** Our whole per-NFE time (backbone + SideNet + quadrature, wall) ÷ torch eager fp16 forward. */
  wallOverTorchFp16?: number;
}

export interface Target {
  name: string;
  /** 'ratio': times (×); 'share': a fraction printed as %. */
  kind: 'ratio' | 'share';
  comparison: '<=' | '>=';
  threshold: number;
  value?: number;
  met?: boolean;
}

export interface MergedReport {
  ours?: GpuReport;
  peer?: PeerReport;
  rows: ShapeRow[];
  /** Issue 18's targets, evaluated where the numbers exist. */
  targets: Target[];
  notes: string[];
}

/** One JSON for run.sh: ours + peer + per-shape ratios and the issue's targets. */
export function mergeReports(ours: GpuReport | undefined, peer: PeerReport | undefined, notes: string[] = []): MergedReport {
  const torchMs = (dtype: string, batch: number) => peer?.results.find((r) => r.dtype === dtype && r.batch === batch && r.median_ms !== undefined)?.median_ms;
  const rows: ShapeRow[] = (ours?.cases ?? []).map((c) => {
    const torch = { fp16: torchMs('fp16', c.batch), bf16: torchMs('bf16', c.batch), fp32: torchMs('fp32', c.batch) };
    const same = c.dtype === 'f16' ? torch.fp16 : torch.fp32;
    return {
      dtype: c.dtype, batch: c.batch, oursWallPerNfe: c.wallPerNfe, oursBackbonePerNfe: c.profiled.backbone, sidenetQuadShare: c.sidenetQuadShare,
      matmulPeakShare: c.kernels.find((k) => k.phase === 'backbone' && k.group === 'matmul')?.peakShare,
      torch,
      backboneOverTorchFp16: torch.fp16 ? c.profiled.backbone / torch.fp16 : undefined,
      backboneOverTorchSameDtype: same ? c.profiled.backbone / same : undefined,
      wallOverTorchFp16: torch.fp16 ? c.wallPerNfe / torch.fp16 : undefined,
    };
  });
  const row = (dtype: Precision, batch: number) => rows.find((r) => r.dtype === dtype && r.batch === batch);
  const f16b1 = row('f16', 1);
  // The matmul target is for FP32 non-tensor peak: the f32 case at batch 4.
  const f32b4 = row('f32', 4);
  const batchOne = rows.filter((r) => r.batch === 1);
  const share = batchOne.length ? Math.max(...batchOne.map((r) => r.sidenetQuadShare)) : undefined;
  const targets: Target[] = ([
    { name: 'f16 batch 1 per-NFE (wall) ÷ PyTorch eager fp16 forward', kind: 'ratio', comparison: '<=', threshold: 3, value: f16b1?.wallOverTorchFp16 },
    { name: 'backbone matmul at batch 4, f32, share of the FP32 non-tensor peak', kind: 'share', comparison: '>=', threshold: 0.4, value: f32b4?.matmulPeakShare },
    { name: 'SideNet + quadrature share of per-NFE time, batch 1 (worst precision)', kind: 'share', comparison: '<=', threshold: 0.06, value: share },
  ] as const).map((t) => ({ ...t, met: t.value === undefined ? undefined : t.comparison === '<=' ? t.value <= t.threshold : t.value >= t.threshold }));
  return { ours, peer, rows, targets, notes };
}

/** The merged report as a fixed-width table (one row per shape) plus the targets. */
export function formatMerged(m: MergedReport): string {
  const ms = (v: number | undefined) => (v === undefined ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));
  const x = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)}x`);
  const pct = (v: number | undefined) => (v === undefined ? '-' : `${(100 * v).toFixed(1)} %`);
  const header = ['shape', 'ours wall ms/NFE', 'ours backbone', 'SideNet+quad', 'matmul % peak', 'torch fp16', 'torch bf16', 'torch fp32', 'backbone/fp16', 'backbone/same', 'wall/fp16'];
  const rows = m.rows.map((r) => [
    `${m.ours?.settings.size ?? 'XL'}/2 ${r.dtype} b${r.batch}`, ms(r.oursWallPerNfe), ms(r.oursBackbonePerNfe), pct(r.sidenetQuadShare), pct(r.matmulPeakShare),
    ms(r.torch.fp16), ms(r.torch.bf16), ms(r.torch.fp32), x(r.backboneOverTorchFp16), x(r.backboneOverTorchSameDtype), x(r.wallOverTorchFp16),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  const out = [
    `ours: ${m.ours?.adapter ?? 'no result'}${m.ours && !m.ours.complete ? ' (incomplete)' : ''}`,
    `peer: ${m.peer ? `PyTorch ${m.peer.torch} on ${m.peer.deviceName} (${m.peer.device})${m.peer.complete === false ? ' (incomplete)' : ''}` : 'no result'}`,
    line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line),
    'targets (issue 18):',
    ...m.targets.map((t) => {
      const show = (v: number) => (t.kind === 'ratio' ? `${v.toFixed(2)}x` : pct(v));
      const verdict = t.met === undefined ? '' : t.met ? ', met' : ', NOT met';
      return `  ${t.name}: ${t.value === undefined ? 'not measured' : show(t.value)} (target ${t.comparison === '<=' ? '≤' : '≥'} ${show(t.threshold)}${verdict})`;
    }),
    ...m.notes.map((n) => `note: ${n}`),
  ];
  return out.join('\n');
}
