/**
 * Kernel profiles: 'auto' picks the lavapipe-tuned kernels on lavapipe and the GPU family
 * elsewhere; EngineOptions.kernels and BA_KERNELS force either (so the GPU kernels are proven
 * on a CPU adapter); an autotuned choice is stored per adapter and handed back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import { loadTuning, tuningTable } from '../../src/gpu/ops/autotune.js';
import { autotuneMatmul, chooseVariant } from '../../src/gpu/ops/matmul.js';

const SHAPE = { M: 256, N: 1152, K: 1152, batch: 1, dtype: 'f32' as const, transA: false, transB: true };
const saved = process.env.BA_KERNELS;
afterEach(() => {
  if (saved === undefined) delete process.env.BA_KERNELS;
  else process.env.BA_KERNELS = saved;
});

describe('kernel profiles', () => {
  it('auto: the lavapipe-tuned family on lavapipe; the option and BA_KERNELS force either; bad values are named', async () => {
    delete process.env.BA_KERNELS;
    const auto = await Engine.create();
    const lavapipe = /llvmpipe|lavapipe/i.test(auto.describe());
    expect(auto.kernelProfile).toBe(lavapipe ? 'cpu' : 'gpu');
    auto.dispose();
    for (const kernels of ['gpu', 'cpu'] as const) {
      const engine = await Engine.create({ kernels });
      expect(engine.kernelProfile).toBe(kernels);
      expect(chooseVariant(engine, SHAPE)).toBe(kernels === 'gpu' ? 'tiled' : 'regblock16');
      engine.dispose();
    }
    process.env.BA_KERNELS = 'gpu';
    const fromEnv = await Engine.create();
    expect(fromEnv.kernelProfile).toBe('gpu');
    fromEnv.dispose();
    const explicit = await Engine.create({ kernels: 'cpu' });
    expect(explicit.kernelProfile).toBe('cpu'); // the option wins over the environment
    explicit.dispose();
    process.env.BA_KERNELS = 'fast';
    await expect(Engine.create()).rejects.toThrow(/kernel profile must be auto, gpu or cpu, got 'fast' \(BA_KERNELS\)/);
  });

  it('an autotuned choice is kept per adapter: an app stores tuningTable() and hands it back with loadTuning()', async () => {
    delete process.env.BA_KERNELS;
    const first = await Engine.create();
    const { winner } = await autotuneMatmul(first, { M: 40, N: 72, K: 64, batch: 1, transA: false, transB: false }, ['naive', 'tiled']);
    const stored = JSON.parse(JSON.stringify(tuningTable(first))) as Record<string, string>;
    first.dispose();
    expect(Object.keys(stored)).toHaveLength(1);
    expect(Object.keys(stored)[0]).toContain(first.adapterInfo.description);
    const second = await Engine.create();
    expect(chooseVariant(second, { M: 40, N: 72, K: 64, batch: 1, dtype: 'f32', transA: false, transB: false })).not.toBe('naive');
    loadTuning(second, stored);
    expect(chooseVariant(second, { M: 40, N: 72, K: 64, batch: 1, dtype: 'f32', transA: false, transB: false })).toBe(winner);
    second.dispose();
  });
});
