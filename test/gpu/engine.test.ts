import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';
import {
  BindingError, DeviceLostError, DisposedError, FeatureMissingError, GpuValidationError, LimitExceededError, ShapeError,
} from '../../src/gpu/errors.js';
import { binary, unary, unaryKernel } from '../../src/gpu/ops/elementwise.js';
import type { Kernel } from '../../src/gpu/pipelines.js';
import { testEngine } from '../helpers/engine.js';

describe('engine: device and tensors', () => {
  it('reports the adapter, its optional features and raised limits', async () => {
    const engine = await testEngine();
    expect(engine.describe()).toMatch(/via (dawn-node|navigator)/);
    // Limits are raised to the adapter's, far above WebGPU's 128 MiB default buffer size on CPU adapters.
    expect(engine.limits.maxBufferSize).toBeGreaterThanOrEqual(256 * 2 ** 20);
    expect(engine.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
  });

  it('round-trips f32, f16, i32 and u32 tensors', async () => {
    const engine = await testEngine();
    expect(Array.from(await engine.upload([1.5, -2, 3.25], [3]).read())).toEqual([1.5, -2, 3.25]);
    expect(Array.from(await engine.upload([-7, 0, 2 ** 31 - 1], [3], 'i32').read())).toEqual([-7, 0, 2 ** 31 - 1]);
    expect(Array.from(await engine.upload([0, 7, 2 ** 32 - 1], [3], 'u32').read())).toEqual([0, 7, 2 ** 32 - 1]);
    // f16 storage rounds to nearest even: 1 + 2^-11 is a tie that rounds down to 1, 65504 is the max half.
    expect(Array.from(await engine.upload([1 + 2 ** -11, 0.1, 65504, 1e6], [4], 'f16').read())).toEqual([1, 0.0999755859375, 65504, Infinity]);
  });

  it('names the problem for bad uploads and shapes', async () => {
    const engine = await testEngine();
    expect(() => engine.upload([1, 2, 3], [2, 2])).toThrow(/3 values for shape \[2,2\] \(4 elements\)/);
    expect(() => engine.upload([1.5], [1], 'i32')).toThrow(/not a valid integer/);
    expect(() => engine.empty([2, -1])).toThrow(ShapeError);
    expect(() => engine.zeros([6]).reshape([4, 2])).toThrow(/cannot reshape \[6\] \(6 elements\) to \[4,2\]/);
  });

  it('rejects a tensor used after dispose()', async () => {
    const engine = await testEngine();
    const t = engine.upload([1, 2], [2]);
    t.dispose();
    expect(() => unary(engine, 'silu', t)).toThrow(DisposedError);
  });

  it('refuses a buffer larger than maxBufferSize, naming size and limit', async () => {
    const engine = await testEngine();
    const limit = engine.limits.maxBufferSize;
    const elements = Math.floor(limit / 4) + 1024;
    expect(() => engine.empty([elements])).toThrow(LimitExceededError);
    expect(() => engine.empty([elements])).toThrow(new RegExp(`exceeds the device limit maxBufferSize = ${limit}`));
  });

  it('refuses a dispatch with more workgroups than the device allows', async () => {
    const engine = await testEngine();
    const a = engine.zeros([4]);
    const out = engine.empty([4]);
    const tooMany = engine.limits.maxComputeWorkgroupsPerDimension + 1;
    expect(() => engine.dispatch({ kernel: unaryKernel, constants: { OP: 0, WG: 256 }, bindings: { a, out }, uniforms: { n: 4, alpha: 1, beta: 0 }, workgroups: [tooMany] }))
      .toThrow(/maxComputeWorkgroupsPerDimension/);
  });
});

describe('engine: arguments are checked against the reflected WGSL', () => {
  const call = (engine: Engine, bindings: Record<string, unknown>, uniforms: Record<string, number>) =>
    () => engine.dispatch({ kernel: unaryKernel, constants: { OP: 0, WG: 256 }, bindings: bindings as never, uniforms, workgroups: [1] });

  it('names missing, unknown and mistyped bindings', async () => {
    const engine = await testEngine();
    const a = engine.zeros([4]);
    const out = engine.empty([4]);
    const u = { n: 4, alpha: 1, beta: 0 };
    expect(call(engine, { a }, u)).toThrow(/missing tensor for binding 'out'/);
    expect(call(engine, { a, out, extra: a }, u)).toThrow(/no binding named 'extra'/);
    expect(call(engine, { a: engine.upload([1, 2, 3, 4], [4], 'i32'), out }, u)).toThrow(/binding 'a' holds f32 but the tensor is i32/);
    expect(call(engine, { a, out: a }, u)).toThrow(BindingError);
  });

  it('names missing, unknown and invalid uniforms', async () => {
    const engine = await testEngine();
    const a = engine.zeros([4]);
    const out = engine.empty([4]);
    expect(call(engine, { a, out }, { n: 4, alpha: 1 })).toThrow(/missing uniform 'beta'/);
    expect(call(engine, { a, out }, { n: 4, alpha: 1, beta: 0, gamma: 2 })).toThrow(/unknown uniform 'gamma'/);
    expect(call(engine, { a, out }, { n: 2.5, alpha: 1, beta: 0 })).toThrow(/uniform 'n' is u32 but got 2.5/);
    expect(call(engine, { a, out }, { n: -1, alpha: 1, beta: 0 })).toThrow(/does not fit u32/);
  });

  it('rejects uniforms for a kernel without a uniform struct, recording nothing', async () => {
    const engine = await testEngine();
    await engine.submit();
    const plain: Kernel = { name: 'plain', source: '@group(0) @binding(0) var<storage, read_write> out: array<T>;\n@compute @workgroup_size(1) fn main() { out[0] = T(1.0); }' };
    expect(() => engine.dispatch({ kernel: plain, bindings: { out: engine.empty([1]) }, uniforms: { n: 1 }, workgroups: [1] })).toThrow(/has no uniform struct but was given uniforms/);
    expect(engine.pendingDispatches).toBe(0);
  });

  it('refuses to bind one buffer as writable output and as input', async () => {
    const engine = await testEngine();
    const a = engine.zeros([4]);
    expect(() => binary(engine, 'add', a, engine.zeros([4]), 1, 1, a)).toThrow(/aliases a writable binding|bound twice/);
  });

  it('surfaces WGSL compile errors with the kernel name and line', async () => {
    const engine = await testEngine();
    const broken: Kernel = { name: 'broken', source: '@group(0) @binding(0) var<storage, read_write> out: array<T>;\n@compute @workgroup_size(1) fn main() { out[0] = undefined_fn(1.0); }' };
    engine.dispatch({ kernel: broken, bindings: { out: engine.empty([1]) }, workgroups: [1] });
    await expect(engine.submit()).rejects.toThrow(/compiling kernel broken:f32 failed[\s\S]*line 3/);
  });

  it('surfaces WebGPU validation errors as GpuValidationError', async () => {
    const engine = await testEngine();
    // 300 invocations per workgroup exceed the per-dimension limit on some adapters; 2048 exceeds all.
    engine.dispatch({ kernel: unaryKernel, constants: { OP: 0, WG: 2048 }, bindings: { a: engine.zeros([4]), out: engine.empty([4]) }, uniforms: { n: 4, alpha: 1, beta: 0 }, workgroups: [1] });
    await expect(engine.submit()).rejects.toThrow(GpuValidationError);
  });
});

describe('engine: features, ownership and device loss', () => {
  it('says which feature is missing when f16 is not granted', async () => {
    const engine = await Engine.create({ disableFeatures: ['shader-f16'] });
    try {
      expect(engine.has('shader-f16')).toBe(false);
      expect(() => binary(engine, 'add', engine.zeros([2], 'f16'), engine.zeros([2], 'f16'))).toThrow(FeatureMissingError);
      expect(() => binary(engine, 'add', engine.zeros([2], 'f16'), engine.zeros([2], 'f16'))).toThrow(/needs the WebGPU feature 'shader-f16'/);
    } finally {
      engine.dispose();
    }
  });

  it("shares a host's device without destroying it, and two engines do not interfere", async () => {
    const owner = await Engine.create();
    const first = await Engine.create({ device: owner.device });
    const second = await Engine.create({ device: owner.device });
    const x = first.upload([1, 2, 3], [3]);
    const y = second.upload([10, 20, 30], [3]);
    const sum1 = unary(first, 'identity', x, 2);
    first.dispose();
    expect(() => first.upload([1], [1])).toThrow(DisposedError);
    // The device survives the guest engine's dispose(); the other guest still works.
    expect(Array.from(await unary(second, 'identity', y, 1, 1).read())).toEqual([11, 21, 31]);
    expect(sum1.isDisposed).toBe(false);
    second.dispose();
    owner.dispose();
  });

  it('reports device loss as DeviceLostError', async () => {
    const engine = await Engine.create();
    let reported: DeviceLostError | undefined;
    const guest = await Engine.create({ device: engine.device, onDeviceLost: (e) => (reported = e) });
    engine.device.destroy();
    await engine.device.lost;
    await new Promise((r) => setTimeout(r, 0));
    expect(() => guest.upload([1], [1])).toThrow(DeviceLostError);
    expect(reported).toBeInstanceOf(DeviceLostError);
    guest.dispose();
    engine.dispose();
  });
});

describe('engine: buffer pool', () => {
  it('reuses released buffers and tracks live, idle and peak bytes', async () => {
    const engine = await Engine.create();
    try {
      const a = engine.zeros([1000]);
      await engine.sync();
      const before = engine.poolStats();
      a.dispose();
      const after = engine.poolStats();
      expect(after.liveBytes).toBe(before.liveBytes - 4096);
      expect(after.idleBytes).toBe(before.idleBytes + 4096);
      engine.zeros([1000]);
      expect(engine.poolStats().reused).toBe(before.reused + 1);
      expect(engine.poolStats().peakBytes).toBeGreaterThanOrEqual(4096);
    } finally {
      engine.dispose();
    }
  });

  it('never hands a buffer still read by unsubmitted work to an upload', async () => {
    const engine = await Engine.create();
    try {
      const x = engine.upload([1, 2, 3, 4], [4]);
      const y = unary(engine, 'identity', x, 10);
      x.dispose(); // released while the dispatch reading it is only recorded
      const z = engine.upload([7, 7, 7, 7], [4]); // must not land in x's buffer before the read
      expect(Array.from(await y.read())).toEqual([10, 20, 30, 40]);
      expect(Array.from(await z.read())).toEqual([7, 7, 7, 7]);
    } finally {
      engine.dispose();
    }
  });

  it('lets later kernel outputs of the same step reuse a released buffer', async () => {
    const engine = await Engine.create();
    try {
      const x = engine.upload([1, 2, 3, 4], [4]);
      await engine.sync();
      const created = engine.poolStats().created;
      const y = unary(engine, 'identity', x, 2);
      const z = unary(engine, 'identity', y, 3); // reads y ...
      y.dispose(); // ... then y's buffer is free for the next output in this step
      const w = unary(engine, 'identity', z, 1, 1);
      expect(engine.poolStats().created).toBe(created + 2);
      expect(Array.from(await w.read())).toEqual([7, 13, 19, 25]);
    } finally {
      engine.dispose();
    }
  });

  it('with pooling off, destroys released buffers; idle memory respects its cap', async () => {
    const noPool = await Engine.create({ debug: { pooling: false } });
    const capped = await Engine.create({ maxIdlePoolBytes: 8192 });
    try {
      noPool.zeros([1000]).dispose();
      expect(noPool.poolStats().idleBytes).toBe(0);
      const ts = [0, 1, 2, 3].map(() => capped.zeros([1000]));
      ts.forEach((t) => t.dispose());
      expect(capped.poolStats().idleBytes).toBeLessThanOrEqual(8192);
    } finally {
      noPool.dispose();
      capped.dispose();
    }
  });
});

describe('engine: debug switches and profiler', () => {
  it('dumps the final WGSL of each new variant', async () => {
    const dumped: string[] = [];
    const engine = await Engine.create({ debug: { dumpWgsl: (key, code) => dumped.push(`${key}\n${code}`) } });
    try {
      unary(engine, 'silu', engine.zeros([3]));
      expect(dumped.length).toBe(1);
      expect(dumped[0]).toMatch(/^unary:f32:OP=1,WG=256\nalias T = f32;/);
    } finally {
      engine.dispose();
    }
  });

  for (const mode of ['timestamp', 'wallclock'] as const) {
    it(`profiles per-kernel time (${mode})`, async (ctx) => {
      const engine = await Engine.create(mode === 'wallclock' ? { disableFeatures: ['timestamp-query'] } : {});
      try {
        if (engine.profiler.mode !== mode) return ctx.skip('adapter lacks timestamp-query');
        engine.profiler.enabled = true;
        const x = engine.upload(new Float32Array(5000).fill(1), [5000]);
        for (let i = 0; i < 3; i++) unary(engine, 'gelu', x).dispose();
        binary(engine, 'add', x, x);
        await engine.sync();
        const rows = engine.profiler.rows();
        expect(rows.find((r) => r.kernel === 'gelu')?.calls).toBe(3);
        expect(rows.find((r) => r.kernel === 'add')?.calls).toBe(1);
        expect(rows.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 5);
        expect(engine.profiler.table()).toMatch(/gelu\s+3\s/);
      } finally {
        engine.dispose();
      }
    });
  }
});

describe('engine: views into a shared buffer', () => {
  it('binds, reads and writes aligned views; refuses misaligned ones', async () => {
    const engine = await testEngine();
    const align = engine.limits.minStorageBufferOffsetAlignment / 4; // in f32 elements
    const arena = engine.zeros([4 * align]);
    const a = engine.view(arena, align, [5]);
    const b = engine.view(arena, 2 * align, [5]);
    await engine.write(a, [1, 2, 3, 4, 5]);
    const doubled = unary(engine, 'identity', a, 2);
    expect(Array.from(await doubled.read())).toEqual([2, 4, 6, 8, 10]);
    unary(engine, 'identity', doubled, 1, 1, engine.view(arena, 3 * align, [5]));
    expect(Array.from(await engine.view(arena, 3 * align, [5]).read())).toEqual([3, 5, 7, 9, 11]);
    expect(Array.from(await b.read())).toEqual([0, 0, 0, 0, 0]);
    const all = await arena.read();
    expect(all[align - 1]).toBe(0);
    expect(all[align + 5]).toBe(0);
    expect(() => engine.view(arena, 1, [5])).toThrow(/not a multiple of minStorageBufferOffsetAlignment/);
    expect(() => engine.view(arena, 3 * align, [align + 1])).toThrow(/does not fit/);
    // Two views of one buffer in one dispatch, one writable: WebGPU forbids it, we name it first.
    expect(() => unary(engine, 'identity', a, 1, 0, b)).toThrow(/aliases a writable binding|bound twice/);
  });
});
