import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SideNetModel } from '../../src/model/sidenet.js';
import type { SideNetArch } from '../../src/model/weights.js';
import * as op from '../../src/train/ops.js';
import { parseSafetensors } from '../../src/train/safetensors.js';
import { SideNetGraph } from '../../src/train/sidenet-graph.js';
import { Tape } from '../../src/train/tape.js';
import { convert } from '../../tools/convert-weights/index.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const out = mkdtempSync(join(tmpdir(), 'ba-train-graph-'));
const GRAD_DIR = 'test/fixtures/train/grad_c16_e24_l3_8x8';
/**
 * Gradients: the reference runs in f64, the engine in f32 (reductions over up to B·H·W = 192
 * terms and ~15 chained ops). Per parameter, the error relative to that parameter's largest
 * |grad| is 1.0e-6 on lavapipe; 2e-5 leaves margin for other adapters. A wrong FiLM half, a missing
 * residual path or a transposed weight gradient misses by O(1).
 */
const GRAD_TOL = { atol: 0, rtol: 0, scaleTol: 2e-5 };
/** The same forward on the same weights, one run fused differently (SiLU epilogue): ~1e-7. */
const FWD_TOL = { atol: 0, rtol: 0, scaleTol: 1e-5 };

function gradFixture() {
  const io = readSafetensorsFile(join(GRAD_DIR, 'io.safetensors'));
  const cfg = JSON.parse(io.metadata.config);
  const arch: SideNetArch = { channels: cfg.C, embed: cfg.E, blocks: cfg.L, attnBlock: cfg.attn_index, heads: cfg.heads, classes: cfg.classes, latentChannels: 4 };
  return { io, cfg, arch, weights: new Uint8Array(readFileSync(join(GRAD_DIR, 'weights.safetensors'))) };
}

describe('SideNet on the tape', () => {
  it('computes what SideNetModel computes (fixture side_c24_e40_l3_16x16, converter → both)', async () => {
    const engine = await testEngine();
    const name = 'side_c24_e40_l3_16x16';
    const io = readSafetensorsFile(join('test/fixtures/sidenet', name, 'io.safetensors'));
    const converted = join(out, `${name}.safetensors`);
    await convert({ input: join('test/fixtures/sidenet', name, 'sidenet.pt'), output: converted, heads: 4 });
    const model = await SideNetModel.load(engine, converted);
    const graph = new SideNetGraph(engine, model.arch);
    await graph.loadWeights(new Uint8Array(readFileSync(converted)));
    const up = (k: string) => engine.upload(io.tensors.get(k)!.data, io.tensors.get(k)!.shape);
    const host = (k: string) => Array.from(io.tensors.get(k)!.data);
    const [x, v] = [up('x_t'), up('v_t')];
    const expected = await model.forward(x, v, host('t'), host('h'), host('y')).readFloat32();
    const got = graph.deltaNoGrad({ x, v, t: host('t'), y: host('y') }, [host('h')]);
    expectClose(await got.readFloat32(), expected, FWD_TOL, 'graph vs SideNetModel');
    expectClose(await got.readFloat32(), io.tensors.get('delta')!.data, { atol: 0, rtol: 0, scaleTol: 2e-5 }, 'graph vs PyTorch');
    // Several offsets in one batched forward (x, v repeated per offset) = one forward per offset.
    const h = host('h');
    const offsets = [0.3, -1, 2].map((s) => h.map((hb) => s * hb));
    const batchedT = graph.deltaNoGrad({ x, v, t: host('t'), y: host('y') }, offsets);
    const batched = await batchedT.readFloat32();
    for (const [k, hk] of offsets.entries()) {
      const singleT = graph.deltaNoGrad({ x, v, t: host('t'), y: host('y') }, [hk]);
      const single = await singleT.readFloat32();
      expectClose(batched.subarray(k * single.length, (k + 1) * single.length), single, { atol: 0, rtol: 0, scaleTol: 1e-6 }, `offset ${k} of 3`);
      singleT.dispose();
    }
    batchedT.dispose();
    for (const t of [got, x, v]) t.dispose();
    graph.dispose();
    model.dispose();
  });

  it('gradients of every parameter equal PyTorch (f64) for one chain link', async () => {
    const engine = await testEngine();
    const { io, cfg, arch, weights } = gradFixture();
    const graph = new SideNetGraph(engine, arch);
    await graph.loadWeights(weights);
    const tape = new Tape(engine);
    const up = (k: string) => engine.upload(io.tensors.get(k)!.data, io.tensors.get(k)!.shape);
    const host = (k: string) => Array.from(io.tensors.get(k)!.data);
    const [x, v, target] = [up('x_t'), up('v_t'), up('target')];
    const params = graph.params(tape);
    const delta = graph.forward(tape, params, { x, v, t: host('t'), h: host('h'), y: host('y') });
    const loss = tape.keep(op.mse(tape, op.add(tape, tape.leaf(v), delta), tape.leaf(target), cfg.scale));
    tape.backward(loss);
    expect((await loss.tensor.readFloat32())[0]).toBeCloseTo(io.tensors.get('loss')!.data[0], 6);
    const grads = await graph.arena.stateDict('grads');
    let worst = 0;
    for (const s of graph.arena.specs) {
      const want = io.tensors.get(`grad.${s.name}`)!;
      expect(s.shape).toEqual(want.shape);
      const got = grads.get(s.name)!.data;
      const report = expectClose(got, want.data, GRAD_TOL, `grad ${s.name}`);
      const scale = Array.from(want.data).reduce((m, g) => Math.max(m, Math.abs(g)), 0);
      worst = Math.max(worst, report.maxAbsError / scale);
      expect(scale).toBeGreaterThan(0);
    }
    console.log(`worst per-parameter gradient error relative to max|grad|: ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(2e-5);
    tape.dispose();
    for (const t of [x, v, target]) t.dispose();
    graph.dispose();
  });

  it('exports the reference key layout: re-import is the identity, PyTorch loads it', async () => {
    const engine = await testEngine();
    const { io, arch, weights } = gradFixture();
    const graph = new SideNetGraph(engine, arch);
    await graph.loadWeights(weights);
    const exported = await graph.exportWeights('ema');
    const parsed = parseSafetensors(exported);
    const reference = parseSafetensors(weights);
    expect([...parsed.tensors.keys()]).toEqual([...reference.tensors.keys()]);
    for (const [k, t] of reference.tensors) {
      expect(parsed.tensors.get(k)!.shape).toEqual(t.shape);
      expect(parsed.tensors.get(k)!.data).toEqual(t.data);
    }
    // SideNetModel reads the export directly (ba_webgpu metadata) and agrees with the graph.
    const model = await SideNetModel.load(engine, exported);
    expect(model.arch).toEqual(arch);
    writeFileSync(join(out, 'export.safetensors'), exported);
    // The PyTorch side (make_train_fixtures.py --check-export, run offline): the committed
    // export loaded with load_state_dict(strict=True); its forward on the fixture inputs.
    const check = join(GRAD_DIR, 'export_check.safetensors');
    if (existsSync(check)) {
      expect(Buffer.from(readFileSync(join(GRAD_DIR, 'export.safetensors'))).equals(Buffer.from(exported))).toBe(true);
      const up = (k: string) => engine.upload(io.tensors.get(k)!.data, io.tensors.get(k)!.shape);
      const host = (k: string) => Array.from(io.tensors.get(k)!.data);
      const [x, v] = [up('x_t'), up('v_t')];
      const got = model.forward(x, v, host('t'), host('h'), host('y'));
      expectClose(await got.readFloat32(), readSafetensorsFile(check).tensors.get('delta')!.data, { atol: 0, rtol: 0, scaleTol: 2e-5 }, 'PyTorch forward of the export');
      for (const t of [got, x, v]) t.dispose();
    }
    model.dispose();
    graph.dispose();
  });
});
