/**
 * onnxruntime-node's WebGPU execution provider (its own native Dawn, here on the same Vulkan
 * driver) as a benchmark peer, in its own process so its Dawn never shares ours: one JSON
 * request per line on stdin, one reply per line on stdout (see `JsonLinePeer` in core.ts).
 *   {op:'info'} | {op:'setup', size, batch} | {op:'run'} -> {ms} | {op:'free'}
 * setup exports `out/bench/onnx/sit-<size>2-b<batch>.onnx` with tools/reference/export_onnx.py
 * when missing (the same export as the browser ORT page). onnxruntime-node is not a
 * dependency of the package: install it beside (`npm install --no-save onnxruntime-node`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const root = new URL('../../', import.meta.url).pathname;
const onnxDir = `${root}out/bench/onnx`;
// A computed specifier: the bundle must not resolve it at build time.
const ortModule = 'onnxruntime-node';
type Ort = typeof import('onnxruntime-common') & { InferenceSession: { create(path: string, options: object): Promise<any> } };
let ort: Ort | undefined;
let session: any;
let feeds: Record<string, unknown> | undefined;

async function handle(req: { op: string; size?: string; batch?: number }): Promise<object> {
  ort ??= ((await import(ortModule)) as { default: Ort }).default;
  switch (req.op) {
    case 'info':
      return { onnxruntime: ort.env.versions?.node ?? ort.env.versions?.common, ep: 'webgpu' };
    case 'setup': {
      const { size, batch } = req as { size: string; batch: number };
      const base = `${onnxDir}/sit-${size}2-b${batch}`;
      if (!existsSync(`${base}.onnx`)) {
        const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [`${root}tools/reference/export_onnx.py`, `--size=${size}`, `--batch=${batch}`, `--out=${onnxDir}`], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`export_onnx.py failed: ${r.stderr.slice(-2000)}`);
      }
      const io = JSON.parse(readFileSync(`${base}.io.json`, 'utf8')) as { x: number[]; t: number[]; y: number[] };
      await session?.release();
      session = await ort.InferenceSession.create(`${base}.onnx`, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' });
      feeds = {
        x: new ort.Tensor('float32', Float32Array.from(io.x), [batch, 4, 32, 32]),
        t: new ort.Tensor('float32', Float32Array.from(io.t), [batch]),
        y: new ort.Tensor('int64', BigInt64Array.from(io.y.map((v) => BigInt(v))), [batch]),
      };
      return {};
    }
    case 'run': {
      const t0 = performance.now();
      await session.run(feeds);
      return { ms: performance.now() - t0 };
    }
    case 'free':
      await session?.release();
      session = undefined;
      return {};
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let reply: object;
  try {
    reply = await handle(JSON.parse(line));
  } catch (err) {
    reply = { error: (err as Error).message };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
// Dawn keeps the event loop alive while its instances exist.
process.exit(0);
