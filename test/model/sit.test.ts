import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SitModel } from '../../src/model/sit.js';
import { convert } from '../../tools/convert-weights/index.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { fixtureNames } from '../helpers/fixtures.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const fixtureRoot = 'test/fixtures/sit';
const out = mkdtempSync(join(tmpdir(), 'ba-sit-'));
/**
 * Relative to the output's largest magnitude. The PyTorch reference runs in f64; an f32 engine
 * lands within ~1e-6. Exact GELU instead of the tanh form would miss by ~1e-4, a dropped
 * pos_embed by ~0.5: both fail.
 */
const TOL = { atol: 0, rtol: 0, scaleTol: 2e-5 };

describe('SiT forward equals the PyTorch reference (converter → engine)', () => {
  for (const name of fixtureNames(fixtureRoot)) {
    it(name, async () => {
      const engine = await testEngine();
      const io = readSafetensorsFile(join(fixtureRoot, name, 'io.safetensors'));
      const config = JSON.parse(io.metadata.config);
      const converted = join(out, `${name}.safetensors`);
      await convert({ input: join(fixtureRoot, name, config.checkpoint), output: converted, heads: config.heads });
      const model = await SitModel.load(engine, converted);
      expect(model.convention).toBe(config.convention);
      const x = io.tensors.get('x')!;
      const t = Array.from(io.tensors.get('t')!.data);
      const y = Array.from(io.tensors.get('y')!.data);
      const xt = engine.upload(x.data, x.shape);
      const v = model.forward(xt, t, y);
      expect(v.shape).toEqual(io.tensors.get('v')!.shape);
      expectClose(await v.read(), io.tensors.get('v')!.data, TOL, `${name} v`);
      if (config.cfg_scale != null) {
        const guided = model.velocity(xt, t, y, { scale: config.cfg_scale, interval: config.cfg_interval ?? undefined, channels: config.cfg_channels });
        expectClose(await guided.read(), io.tensors.get('v_cfg')!.data, TOL, `${name} v_cfg`);
      }
      model.dispose();
    });
  }

  it('names shape mistakes', async () => {
    const engine = await testEngine();
    const name = 'repa_d2_h144_p2_8x8';
    const converted = join(out, 'shape-check.safetensors');
    await convert({ input: join(fixtureRoot, name, 'model.pt'), output: converted, heads: 2 });
    const model = await SitModel.load(engine, converted);
    expect(() => model.forward(engine.zeros([1, 4, 16, 16]), [0.5], [1])).toThrow(/x must be \[B, 4, 8, 8\], got \[1, 4, 16, 16\]/);
    expect(() => model.forward(engine.zeros([2, 4, 8, 8]), [0.5], [1, 2])).toThrow(/t and y need 2 entries/);
    expect(() => model.forward(engine.zeros([1, 4, 8, 8]), [0.5], [11])).toThrow(/ids\[0\] = 11 is not a row/);
    model.dispose();
  });
});

describe('SiT in f16 storage (f32 accumulation)', () => {
  it('stays close to the PyTorch reference with f16 weights and activations (needs shader-f16)', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const name = 'repa_qknorm_d2_h96_p2_32x32';
    const io = readSafetensorsFile(join(fixtureRoot, name, 'io.safetensors'));
    const config = JSON.parse(io.metadata.config);
    const converted = join(out, `${name}-f16.safetensors`);
    await convert({ input: join(fixtureRoot, name, config.checkpoint), output: converted, heads: config.heads, dtype: 'f16' });
    const model = await SitModel.load(engine, converted);
    expect(model.dtype).toBe('f16');
    const x = io.tensors.get('x')!;
    const v = model.forward(engine.upload(x.data, x.shape, 'f16'), Array.from(io.tensors.get('t')!.data), Array.from(io.tensors.get('y')!.data));
    expect(v.dtype).toBe('f16');
    // f16 weights (rounded once, ~5e-4 relative) and f16 activations between kernels: ~1 % of the output scale.
    expectClose(await v.read(), io.tensors.get('v')!.data, { atol: 0, rtol: 0, scaleTol: 1.5e-2 }, `${name} f16`);
    model.dispose();
  });
});
