import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SideNetModel } from '../../src/model/sidenet.js';
import { convert } from '../../tools/convert-weights/index.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { readSafetensorsFile, type FixtureTensor } from '../helpers/safetensors.js';

const fixtureRoot = 'test/fixtures/sidenet';
const out = mkdtempSync(join(tmpdir(), 'ba-sidenet-'));
/**
 * Relative to the output's largest magnitude. The PyTorch reference runs in f64; the f32 engine
 * lands within ~1e-6 of max|Δv|. Swapping FiLM's scale and shift misses by O(1).
 */
const TOL = { atol: 0, rtol: 0, scaleTol: 2e-5 };
/** delta() against per-offset forward calls: the same arithmetic on the same rows. */
const BATCH_TOL = { atol: 0, rtol: 0, scaleTol: 1e-6 };

async function loadFixture(name: string) {
  const engine = await testEngine();
  const io = readSafetensorsFile(join(fixtureRoot, name, 'io.safetensors'));
  const config = JSON.parse(io.metadata.config);
  const converted = join(out, `${name}.safetensors`);
  await convert({ input: join(fixtureRoot, name, config.checkpoint), output: converted, heads: config.heads });
  const model = await SideNetModel.load(engine, converted);
  const upload = (t: FixtureTensor) => engine.upload(t.data, t.shape);
  const host = (key: string) => Array.from(io.tensors.get(key)!.data);
  return { engine, io, config, model, x: upload(io.tensors.get('x_t')!), v: upload(io.tensors.get('v_t')!), t: host('t'), h: host('h'), y: host('y') };
}

describe('SideNet forward equals the PyTorch reference (converter → engine)', () => {
  for (const name of readdirSync(fixtureRoot)) {
    it(name, async () => {
      const { io, config, model, x, v, t, h, y } = await loadFixture(name);
      expect(model.arch).toEqual({
        channels: config.C, embed: config.E, blocks: config.L, attnBlock: config.attn_index, heads: config.heads, classes: config.classes, latentChannels: 4,
      });
      const delta = model.forward(x, v, t, h, y);
      const expected = io.tensors.get('delta')!;
      expect(delta.shape).toEqual(expected.shape);
      const got = await delta.readFloat32();
      expectClose(got, expected.data, TOL, `${name} delta`);
      // h = 0 rows are exactly zero (every fixture has one).
      const image = got.length / h.length;
      const zeroRows = h.flatMap((hk, n) => (hk === 0 ? [n] : []));
      expect(zeroRows.length).toBeGreaterThan(0);
      for (const n of zeroRows) expect(got.subarray(n * image, (n + 1) * image).every((d) => d === 0)).toBe(true);
      for (const tensor of [delta, x, v]) tensor.dispose();
      model.dispose();
    });
  }

  it('delta() batches offsets into one forward, offset-major', async () => {
    const { model, x, v, t, y } = await loadFixture('side_c24_e40_l3_16x16');
    const offsets = [0.3, -0.125, 0, 0.05];
    const batched = model.delta(x, v, t, offsets, y);
    const [N, C, H, W] = x.shape;
    expect(batched.shape).toEqual([offsets.length * N, C, H, W]);
    const all = await batched.readFloat32();
    const block = N * C * H * W;
    for (const [k, offset] of offsets.entries()) {
      const single = model.forward(x, v, t, Array(N).fill(offset), y);
      const expected = await single.readFloat32();
      expectClose(all.subarray(k * block, (k + 1) * block), expected, BATCH_TOL, `offset ${offset}`);
      if (offset === 0) expect(all.subarray(k * block, (k + 1) * block).every((d) => d === 0)).toBe(true);
      else expect(expected.some((d) => d !== 0)).toBe(true);
      single.dispose();
    }
    // A single offset is a plain forward.
    const one = model.delta(x, v, t, [0.3], y);
    expectClose(await one.readFloat32(), all.subarray(0, block), BATCH_TOL, 'single offset');
    for (const tensor of [batched, one, x, v]) tensor.dispose();
    model.dispose();
  });

  it('a planned probe equals an unplanned one and records no conditioning dispatches', async () => {
    const { engine, model, x, v, t, y } = await loadFixture('side_c24_e40_l3_16x16');
    const probes = [{ t, offsets: [0.3, -0.125] }, { t: t.map((s) => s - 0.1), offsets: [0.05] }];
    const unplanned = probes.map((p) => model.delta(x, v, p.t, p.offsets, y));
    const plan = model.plan(probes, y);
    const before = engine.pendingDispatches;
    const first = model.delta(x, v, probes[0].t, probes[0].offsets, y);
    const withConditioning = engine.pendingDispatches - before;
    const second = model.delta(x, v, probes[1].t, probes[1].offsets, y);
    const planned = engine.pendingDispatches - before - withConditioning;
    // The whole plan's conditioning came with the first probe; the second records only its trunk.
    expect(planned).toBeLessThan(withConditioning);
    // A probe outside the plan (other labels) still gets its own conditioning.
    const other = model.delta(x, v, probes[1].t, probes[1].offsets, y.map((c) => (c + 1) % 10));
    expect(engine.pendingDispatches - before - withConditioning - planned).toBeGreaterThan(planned);
    // Bit for bit: the conditioning's Linears run a body whose rows do not depend on the row count.
    for (const [k, got] of [first, second].entries()) {
      expect(Array.from(await got.readFloat32())).toEqual(Array.from(await unplanned[k].readFloat32()));
    }
    plan.dispose();
    for (const tensor of [...unplanned, first, second, other, x, v]) tensor.dispose();
    model.dispose();
  });

  it('names shape mistakes', async () => {
    const { engine, model, x, v, t, h, y } = await loadFixture('side_c32_e32_l4_8x8');
    const [N] = x.shape;
    expect(() => model.forward(engine.zeros([N, 8, 8, 8]), v, t, h, y)).toThrow(/x must be \[N, 4, H, W\], got \[4, 8, 8, 8\]/);
    expect(() => model.forward(x, engine.zeros([N, 4, 8, 16]), t, h, y)).toThrow(/v must have the shape of x \[4, 4, 8, 8\], got \[4, 4, 8, 16\]/);
    expect(() => model.forward(x, v, t.slice(1), h, y)).toThrow(/t and y need 4 entries \(batch of x\), got 3 and 4/);
    expect(() => model.forward(x, v, t, h.slice(1), y)).toThrow(/h needs 4 entries/);
    expect(() => model.forward(x, v, t, h, [0, 1, 2, 11])).toThrow(/ids\[3\] = 11 is not a row/);
    expect(() => model.delta(x, v, t, [], y)).toThrow(/offsets is empty/);
    expect(() => model.delta(x, v, t, [0.1], y.slice(2))).toThrow(/t and y need 4 entries/);
    for (const tensor of [x, v]) tensor.dispose();
    model.dispose();
  });

  it('refuses a file that is not a SideNet', async () => {
    const engine = await testEngine();
    const converted = join(out, 'sit.safetensors');
    await convert({ input: 'test/fixtures/sit/repa_d2_h144_p2_8x8/model.pt', output: converted, heads: 2 });
    await expect(SideNetModel.load(engine, converted)).rejects.toThrow(/expected SideNet weights, but the file holds a sit/);
  });
});
