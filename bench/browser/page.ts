/**
 * Browser side of the onnxruntime-web comparison (bench/browser/run.mjs drives it): one SiT
 * forward, timed in the page, by our engine (random weights generated here, straight into
 * GPU tensors) or by onnxruntime-web's native WebGPU execution provider (the same SiT
 * exported by tools/reference/export_onnx.py). Both on the page's default WebGPU adapter
 * (SwiftShader in headless Chromium). Each timed run ends with the output [B, 4, 32, 32]
 * read back to JS, as ORT returns CPU tensors by default.
 */
import { Engine } from '../../src/gpu/engine.js';
import { autotuneMatmul } from '../../src/gpu/ops/matmul.js';
import { Rng, randomSit, sitArch, type SitSize } from '../random-models.js';

export interface BenchRequest {
  size: SitSize;
  batch: number;
  warmup: number;
  repeats: number;
  /** Ours only: one more forward under the profiler; its per-kernel table comes back. */
  profile?: boolean;
  /** Ours only: autotune the matmul variant for the backbone's Linear shapes before timing. */
  autotune?: boolean;
}

export interface BenchReply {
  impl: string;
  adapter: string;
  timesMs: number[];
  warmupMs: number[];
  setupMs: number;
  note?: string;
  profile?: string;
}

const log = (line: string) => {
  document.getElementById('log')!.textContent += line + '\n';
  console.log(`__BENCH__ ${line}`);
};

async function adapterName(): Promise<string> {
  const a = await navigator.gpu.requestAdapter();
  return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'none';
}

async function benchOurs(req: BenchRequest): Promise<BenchReply> {
  const t0 = performance.now();
  const engine = await Engine.create();
  const arch = sitArch(req.size);
  const { model, params } = randomSit(engine, arch, 1);
  const rng = new Rng(7);
  const x = engine.upload(rng.uniform(req.batch * 4 * 32 * 32, 1.7), [req.batch, 4, 32, 32]);
  const t = Array.from({ length: req.batch }, (_, i) => (i + 0.5) / req.batch);
  const y = Array.from({ length: req.batch }, (_, i) => (17 * i + 3) % 1000);
  await engine.sync();
  if (req.autotune) {
    const D = arch.hidden;
    const M = req.batch * 256;
    for (const [N, K] of [[3 * D, D], [D, D], [4 * D, D], [D, 4 * D]]) {
      const r = await autotuneMatmul(engine, { M, N, K, batch: 1, transA: false, transB: true });
      log(`autotune ${M}x${K} -> ${N}: ${r.winner} ${JSON.stringify(Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, Math.round(v)])))}`);
    }
  }
  const setupMs = performance.now() - t0;
  log(`ours: SiT-${req.size}/2 ${(params / 1e6).toFixed(1)} M params ready in ${(setupMs / 1e3).toFixed(1)} s on ${engine.describe()}`);
  const once = async () => {
    const t1 = performance.now();
    const out = model.forward(x, t, y);
    const values = await out.readFloat32();
    const ms = performance.now() - t1;
    out.dispose();
    if (!values.every(Number.isFinite)) throw new Error('non-finite output');
    return ms;
  };
  const warmupMs: number[] = [];
  const timesMs: number[] = [];
  for (let i = 0; i < req.warmup; i++) {
    warmupMs.push(await once());
    log(`ours warm-up ${i + 1}: ${warmupMs[i].toFixed(0)} ms`);
  }
  for (let i = 0; i < req.repeats; i++) {
    timesMs.push(await once());
    log(`ours run ${i + 1}: ${timesMs[i].toFixed(0)} ms`);
  }
  let profile: string | undefined;
  if (req.profile) {
    engine.profiler.reset();
    engine.profiler.enabled = true;
    model.forward(x, t, y).dispose();
    await engine.submit();
    engine.profiler.enabled = false;
    profile = engine.profiler.table();
    log(profile);
  }
  const adapter = engine.describe();
  x.dispose();
  model.dispose();
  engine.dispose();
  return { impl: 'ours', adapter, timesMs, warmupMs, setupMs, profile };
}

interface IoFixture {
  x: number[];
  t: number[];
  y: number[];
  out: number[];
  shape: number[];
}

async function benchOrt(req: BenchRequest & { model: string; io: string }): Promise<BenchReply> {
  const t0 = performance.now();
  const url = '/ort/ort.webgpu.min.mjs';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ort: any = await import(/* @vite-ignore */ url);
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.logLevel = 'warning';
  const session = await ort.InferenceSession.create(req.model, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all', logSeverityLevel: 2 });
  const io: IoFixture = await (await fetch(req.io)).json();
  const B = req.batch;
  const feeds = {
    x: new ort.Tensor('float32', Float32Array.from(io.x), [B, 4, 32, 32]),
    t: new ort.Tensor('float32', Float32Array.from(io.t), [B]),
    y: new ort.Tensor('int64', BigInt64Array.from(io.y.map((v) => BigInt(v))), [B]),
  };
  const setupMs = performance.now() - t0;
  log(`ort: session for ${req.model} ready in ${(setupMs / 1e3).toFixed(1)} s (ort ${ort.env.versions?.web ?? '?'})`);
  let note = '';
  const once = async () => {
    const t1 = performance.now();
    const result = await session.run(feeds);
    const ms = performance.now() - t1;
    const out = result.out.data as Float32Array;
    if (!note) {
      let maxErr = 0;
      let maxRef = 0;
      for (let i = 0; i < out.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(out[i] - io.out[i]));
        maxRef = Math.max(maxRef, Math.abs(io.out[i]));
      }
      note = `ORT output vs PyTorch: max |diff| / max |ref| = ${(maxErr / maxRef).toExponential(2)}`;
      log(note);
    }
    result.out.dispose?.();
    return ms;
  };
  const warmupMs: number[] = [];
  const timesMs: number[] = [];
  for (let i = 0; i < req.warmup; i++) {
    warmupMs.push(await once());
    log(`ort warm-up ${i + 1}: ${warmupMs[i].toFixed(0)} ms`);
  }
  for (let i = 0; i < req.repeats; i++) {
    timesMs.push(await once());
    log(`ort run ${i + 1}: ${timesMs[i].toFixed(0)} ms`);
  }
  await session.release();
  return { impl: 'onnxruntime-web webgpu', adapter: await adapterName(), timesMs, warmupMs, setupMs, note };
}

Object.assign(window, { benchOurs, benchOrt, adapterName });
