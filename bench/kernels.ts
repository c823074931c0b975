/**
 * Kernel benchmark: our matmul variants against tfjs-backend-webgpu's matMul and a naive WGSL
 * kernel, on the same adapter in the same process, at 1024^3 and the SiT-XL MLP shapes.
 *
 *   npx esbuild bench/kernels.ts --bundle --platform=node --format=esm --loader:.wgsl=text \
 *     --main-fields=module,main --external:webgpu --external:@tensorflow/* \
 *     --outfile=dist/bench/kernels.mjs
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node dist/bench/kernels.mjs \
 *     [--repeats=5] [--warmup=1] [--json=out/bench-kernels.json] [--only=<substring>]
 *
 * Columns: '<impl> gpu' is GPU time from timestamp queries (ours: Engine.profiler; tfjs:
 * tf.time's kernelMs); '<impl> wall' is submit -> queue idle by wall clock, sleeping before
 * the await so dawn.node's busy-wait does not steal a core from the software adapter.
 * Runs are warm (after `warmup` unmeasured runs, pipelines compiled).
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { Engine } from '../src/gpu/engine.js';
import { attentionTokenMajor } from '../src/gpu/ops/attention.js';
import { chooseVariant, matmul, type MatmulVariant } from '../src/gpu/ops/matmul.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { GpuWaiter, now } from '../src/gpu/wait.js';
import { formatTable, measureAll, type BenchCase, type Impl } from './core.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const repeats = Number(args.repeats ?? 5);
const warmup = Number(args.warmup ?? 1);

// Our engine first: once navigator.gpu exists (for tfjs), Engine.create() would take that path.
const engine = await Engine.create();
const tfjs = await startTfjs();

/** Runs `record` under the profiler and returns the GPU ms of what it dispatched. */
async function gpuMs(record: () => void): Promise<number> {
  engine.profiler.reset();
  engine.profiler.enabled = true;
  try {
    record();
    await engine.submit();
  } finally {
    engine.profiler.enabled = false;
  }
  return engine.profiler.rows().reduce((s, r) => s + r.totalMs, 0);
}

async function wallMs(record: () => void): Promise<number> {
  const t0 = now();
  record();
  await engine.sync();
  return now() - t0;
}

function random(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
}

/**
 * C[M, N] = A[M, K] · B, with B stored [N, K] when transB (a Linear weight, as in the model)
 * else [K, N].
 */
function matmulCase(name: string, M: number, N: number, K: number, transB: boolean): BenchCase {
  return {
    name,
    flops: 2 * M * N * K,
    async setup() {
      const a = random(M * K);
      const b = random(K * N);
      const bShape = transB ? [N, K] : [K, N];
      const ta = engine.upload(a, [M, K]);
      const tb = engine.upload(b, bShape);
      const out = engine.empty([M, N]);
      const best = chooseVariant(engine, { M, N, K, batch: 1, transA: false, transB, dtype: 'f32' });
      const ours = (variant: MatmulVariant) => () => matmul(engine, ta, tb, { transB, out, variant, label: variant });
      const xa = tfjs.tf.tensor2d(a, [M, K]);
      const xb = tfjs.tf.tensor2d(b, bShape as [number, number]);
      const impls: Impl[] = [
        { name: 'ours gpu', run: () => gpuMs(ours(best)) },
        { name: 'ours wall', run: () => wallMs(ours(best)) },
        { name: 'tfjs gpu', run: () => tfjs.gpuMs(() => tfjs.tf.matMul(xa, xb, false, transB)) },
        { name: 'tfjs wall', run: () => tfjs.wallMs(() => tfjs.tf.matMul(xa, xb, false, transB)) },
        // The GPU family's bodies are slow on a CPU adapter: fewer repeats. GEMV is for M <= 8, not these shapes.
        ...(['regblock', 'regblock16', 'tiled', 'tiled-scalar', 'splitk', 'naive'] as const)
          .filter((v) => v !== best)
          .map((v): Impl => ({ name: `${v} gpu`, run: () => gpuMs(ours(v)), repeats: v.startsWith('regblock') ? undefined : Math.min(3, repeats) })),
      ];
      console.log(`${name}: ours = ${best}`);
      return { impls, dispose: () => [ta, tb, out, xa, xb].forEach((t: Tensor | { dispose(): void }) => t.dispose()) };
    },
  };
}

/**
 * SiT-XL self-attention (T tokens, 16 heads of 72): our fused flash-style kernel reading q, k, v
 * in place from the qkv Linear output, against tfjs composing the same attention from its
 * batched matMul and softmax kernels (tfjs has no fused attention).
 */
function attentionCase(name: string, batch: number, T: number, heads: number, headDim: number): BenchCase {
  const width = heads * headDim;
  return {
    name,
    flops: batch * 4 * heads * T * T * headDim,
    async setup() {
      const qkvData = random(batch * T * 3 * width);
      const qkv = engine.upload(qkvData, [batch, T, 3 * width]);
      const ours = () => attentionTokenMajor(engine, qkv, heads).dispose();
      const tf = tfjs.tf;
      // [B, T, 3, H, Dh] -> three [B·H, T, Dh] operands.
      const [q, k, v] = tf.tidy(() =>
        tf.split(tf.reshape(tf.transpose(tf.tensor5d(qkvData, [batch, T, 3, heads, headDim]), [2, 0, 3, 1, 4]), [3, batch * heads, T, headDim]), 3, 0)
          .map((x) => tf.reshape(x, [batch * heads, T, headDim]) as TfCore.Tensor3D),
      );
      const scale = 1 / Math.sqrt(headDim);
      const theirs = () => tf.tidy(() => tf.matMul(tf.softmax(tf.mul(tf.matMul(q, k, false, true), scale)), v));
      const impls: Impl[] = [
        { name: 'ours gpu', run: () => gpuMs(ours) },
        { name: 'ours wall', run: () => wallMs(ours) },
        { name: 'tfjs gpu', run: () => tfjs.gpuMs(theirs) },
        { name: 'tfjs wall', run: () => tfjs.wallMs(theirs) },
      ];
      return { impls, dispose: () => [qkv, q, k, v].forEach((t: Tensor | { dispose(): void }) => t.dispose()) };
    },
  };
}

// One entry per case; a new kernel family adds its case here.
const CASES: BenchCase[] = [
  matmulCase('1024^3 A·B', 1024, 1024, 1024, false),
  matmulCase('SiT-XL fc1 b1 (256x1152 -> 4608)', 256, 4608, 1152, true),
  matmulCase('SiT-XL fc2 b1 (256x4608 -> 1152)', 256, 1152, 4608, true),
  matmulCase('SiT-XL fc1 b2 (512x1152 -> 4608)', 512, 4608, 1152, true),
  matmulCase('SiT-XL fc2 b2 (512x4608 -> 1152)', 512, 1152, 4608, true),
  attentionCase('SiT-XL attention b1 (T=256, 16x72)', 1, 256, 16, 72),
];

const cases = CASES.filter((c) => !args.only || c.name.includes(args.only));
console.log(`adapter: ${engine.describe()}`);
console.log(`profiler: ${engine.profiler.mode}; warm-up ${warmup}, median of ${repeats} (at most 3 for tiled/splitk/naive)`);
const samples = await measureAll(cases, { warmup, repeats, log: (l) => console.log('  ' + l) });
const report = { adapter: engine.describe(), profiler: engine.profiler.mode, warmup, repeats, samples };
console.log('\nGFLOP/s (median):');
console.log(
  formatTable(samples, [
    { name: 'ours/tfjs gpu', faster: 'ours gpu', slower: 'tfjs gpu' },
    { name: 'ours/tfjs wall', faster: 'ours wall', slower: 'tfjs wall' },
    { name: 'ours/naive gpu', faster: 'ours gpu', slower: 'naive gpu' },
  ]),
);
if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
console.log('\n' + JSON.stringify(report));
tfjs.tf.disposeVariables();
engine.dispose();
// Dawn keeps the event loop alive while its instances exist.
process.exit(0);

interface TfjsPeer {
  tf: typeof TfCore;
  wallMs(op: () => TfCore.Tensor): Promise<number>;
  gpuMs(op: () => TfCore.Tensor): Promise<number>;
}

/** tfjs-backend-webgpu on its own Dawn device, started the way environment.md describes. */
async function startTfjs(): Promise<TfjsPeer> {
  const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: Record<string, unknown> };
  Object.assign(globalThis, dawn.globals);
  (globalThis as { navigator?: unknown }).navigator = { gpu: dawn.create([]) };
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not start');
  await tf.ready();
  const backend = tf.backend() as unknown as { device: GPUDevice; endComputePassEncoder(): void; submitQueue(): void };
  const waiter = new GpuWaiter(true);
  return {
    tf,
    async wallMs(op: () => TfCore.Tensor): Promise<number> {
      const t0 = now();
      const c = op();
      // tfjs batches dispatches: flush them before waiting for the queue.
      backend.endComputePassEncoder();
      backend.submitQueue();
      waiter.submitted(1);
      await waiter.wait('tfjs', () => backend.device.queue.onSubmittedWorkDone());
      const ms = now() - t0;
      c.dispose();
      return ms;
    },
    async gpuMs(op: () => TfCore.Tensor): Promise<number> {
      let c: TfCore.Tensor | undefined;
      const info = await tf.time(() => { c = op(); });
      c?.dispose();
      if (typeof info.kernelMs !== 'number') throw new Error(`tfjs: no kernel time (${JSON.stringify(info.kernelMs)})`);
      return info.kernelMs;
    },
  };
}
