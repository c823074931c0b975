import { describe, expect, it } from 'vitest';
import type { OptionalFeature } from '../../src/gpu/device.js';
import { variantKey } from '../../src/gpu/pipelines.js';
import { ALL_VARIANTS } from '../../src/gpu/ops/variants.js';
import { testEngine } from '../helpers/engine.js';

// Every variant an op can dispatch must compile, f16 ones included, so a shader that only some
// shape or dtype reaches cannot hide a WGSL error until a user hits it.
describe('every kernel variant compiles', () => {
  it('the variant list has no duplicates', () => {
    const keys = ALL_VARIANTS.map((v) => variantKey(v.kernel.name, v.dtype, v.constants ?? {}));
    expect(new Set(keys).size).toBe(keys.length);
  });

  for (const spec of ALL_VARIANTS) {
    it(variantKey(spec.kernel.name, spec.dtype, spec.constants ?? {}), async (ctx) => {
      const engine = await testEngine();
      // The f16 storage type, and any extension the kernel enables itself (e.g. subgroups).
      const needs = [...(spec.dtype === 'f16' ? ['shader-f16'] : []), ...[...spec.kernel.source.matchAll(/^\s*enable\s+(\w+)/gm)].map((m) => m[1])];
      const missing = needs.find((f) => !engine.has(f as OptionalFeature));
      if (missing) return ctx.skip(`adapter lacks ${missing}`);
      const pipeline = await engine.pipelines.pipeline(engine.pipelines.variant(spec.kernel, spec.dtype, spec.constants));
      expect(pipeline).toBeInstanceOf(GPUComputePipeline);
    });
  }
});
