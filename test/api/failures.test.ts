/**
 * Every failure path of generate() and decodeToTexture() frees what the call allocated: a fault
 * is injected at each dispatch and each submit of a guided BA run (and of a VAE decode) in
 * turn, and the pool's live bytes must return to the weights' alone. A run after the faults
 * still equals a clean one. Non-finite values are reported as a typed error naming the first
 * bad step; non-finite and out-of-range options are refused before any GPU work.
 */
import { describe, expect, it } from 'vitest';
import { ImageGenerator } from '../../src/generator.js';
import type { Engine } from '../../src/gpu/engine.js';
import { scale } from '../../src/gpu/ops/elementwise.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { MAX_SEED, NonFiniteSampleError, sample, SamplerError, type VelocityModel } from '../../src/solver/index.js';
import { testEngine } from '../helpers/engine.js';
import { tinySideNetFile, tinySitFile, tinyVaeFile } from './tiny-models.js';

class InjectedFault extends Error {}

/** Makes the engine's n-th dispatch (or submit) from now throw; returns how to undo it. */
function faultAt(engine: Engine, method: 'dispatch' | 'submit', n: number): () => void {
  const original = engine[method];
  let calls = 0;
  (engine as unknown as Record<string, unknown>)[method] = function (this: Engine, ...args: unknown[]) {
    if (++calls === n) {
      if (method === 'submit') return Promise.reject(new InjectedFault(`submit ${n}`));
      throw new InjectedFault(`dispatch ${n}`);
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  return () => void delete (engine as unknown as Record<string, unknown>)[method];
}

function countCalls(engine: Engine, method: 'dispatch' | 'submit'): { count(): number; undo(): void } {
  const original = engine[method];
  let calls = 0;
  (engine as unknown as Record<string, unknown>)[method] = function (this: Engine, ...args: unknown[]) {
    calls++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  return { count: () => calls, undo: () => void delete (engine as unknown as Record<string, unknown>)[method] };
}

/** Fault points spread over 1..total: all of them when few, else every k-th plus the ends. */
function points(total: number, most = 60): number[] {
  const step = Math.max(1, Math.floor(total / most));
  const out = new Set<number>([1, 2, total]);
  for (let n = 1; n <= total; n += step) out.add(n);
  return [...out].sort((a, b) => a - b);
}

describe('failure paths free what they allocated', () => {
  it('a fault at any dispatch or submit of a guided BA run rejects with that fault and leaves only the weights live; the next run equals a clean one', async () => {
    const engine = await testEngine();
    await engine.sync();
    const before = engine.poolStats().liveBytes; // the browser run shares one engine across test files
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(), sidenet: tinySideNetFile() });
    const options = { labels: [1, 4, 10], solver: 'ba' as const, nfe: 3, guidance: 1.5, seed: 5 };
    await engine.sync();
    const weights = engine.poolStats().liveBytes;
    const dispatches = countCalls(engine, 'dispatch');
    const submits = countCalls(engine, 'submit');
    const clean = await generator.generate(options);
    dispatches.undo();
    submits.undo();
    const expected = await clean.readFloat32();
    clean.dispose();
    expect(dispatches.count()).toBeGreaterThan(50);
    for (const method of ['dispatch', 'submit'] as const) {
      const total = (method === 'dispatch' ? dispatches : submits).count();
      for (const n of points(total)) {
        const undo = faultAt(engine, method, n);
        try {
          await expect(generator.generate(options)).rejects.toThrow(InjectedFault);
        } finally {
          undo();
        }
        expect({ method, n, live: engine.poolStats().liveBytes, pending: engine.pendingDispatches }).toEqual({ method, n, live: weights, pending: 0 });
      }
    }
    const again = await generator.generate(options);
    expect(Array.from(await again.readFloat32())).toEqual(Array.from(expected));
    again.dispose();
    generator.dispose();
    expect(engine.poolStats().liveBytes).toBe(before);
  });

  it('a fault anywhere inside a VAE decode rejects and frees the decoder\'s intermediates', async () => {
    const engine = await testEngine();
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(21, null), vae: tinyVaeFile() });
    const latent = await generator.generate({ labels: [2, 3], solver: 'euler', nfe: 2 });
    const texture = await generator.decodeToTexture(latent);
    await engine.sync();
    const before = engine.poolStats().liveBytes;
    const dispatches = countCalls(engine, 'dispatch');
    await generator.decodeToTexture(latent, { texture });
    dispatches.undo();
    for (const n of points(dispatches.count())) {
      const undo = faultAt(engine, 'dispatch', n);
      try {
        await expect(generator.decodeToTexture(latent, { texture })).rejects.toThrow(InjectedFault);
      } finally {
        undo();
      }
      expect({ n, live: engine.poolStats().liveBytes }).toEqual({ n, live: before });
    }
    latent.dispose();
    generator.dispose();
  });
});

/** The tiny SiT whose output becomes ±Inf/NaN from its `badFrom`-th call on. */
class PoisonedModel implements VelocityModel {
  calls = 0;
  constructor(private readonly inner: VelocityModel, private readonly engine: Engine, private readonly badFrom: number) {}
  get channels() { return this.inner.channels; }
  get convention() { return this.inner.convention; }
  get nullClass() { return this.inner.nullClass; }
  forward(x: Tensor, t: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    const out = this.inner.forward(x, t, y);
    if (++this.calls < this.badFrom) return out;
    const bad = scale(this.engine, out, Infinity);
    out.dispose();
    return bad;
  }
}

describe('non-finite samples and options', () => {
  it('the first step whose state holds NaN/Inf is named (Euler and guided BA), and the failed run frees everything', async () => {
    const engine = await testEngine();
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(), sidenet: tinySideNetFile() });
    await engine.sync();
    const weights = engine.poolStats().liveBytes;
    for (const [solver, badFrom, firstBadStep] of [['euler', 1, 1], ['euler', 3, 3], ['ba', 2, 1], ['ba', 4, 3]] as const) {
      // BA calls the backbone at the start of step 1 and at the end of every step but the last.
      const model = new PoisonedModel(generator.sit, engine, badFrom);
      const noise = engine.upload(new Float32Array(2 * 4 * 8 * 8).fill(0.5), [2, 4, 8, 8]);
      const run = sample(engine, { model, sidenet: generator.sidenet, solver, nfe: 4, labels: [0, 1], noise, guidance: { scale: 2 } });
      const err = await run.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteSampleError);
      expect({ solver, badFrom, step: (err as NonFiniteSampleError).step, of: (err as NonFiniteSampleError).of }).toEqual({ solver, badFrom, step: firstBadStep, of: 4 });
      noise.dispose();
      expect(engine.poolStats().liveBytes).toBe(weights);
    }
    generator.dispose();
  });

  it('non-finite and out-of-range options are refused before any GPU work', async () => {
    const engine = await testEngine();
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(), sidenet: tinySideNetFile() });
    await engine.sync();
    const created = engine.poolStats().created;
    const bad: [Parameters<ImageGenerator['generate']>[0], RegExp][] = [
      [{ labels: [0], guidance: NaN }, /guidance\.scale must be a finite number, got NaN/],
      [{ labels: [0], guidance: Infinity }, /guidance\.scale must be a finite number/],
      [{ labels: [0], guidance: { scale: 2, interval: [0.9, 0.1] } }, /guidance\.interval must be \[lo, hi\] with lo <= hi/],
      [{ labels: [0], guidance: { scale: 2, interval: [NaN, 1] } }, /guidance\.interval/],
      [{ labels: [0], grid: { shift: NaN } }, /shift must be > 0/],
      [{ labels: [0], nfe: 2.5 }, /nfe must be a positive integer, got 2.5/],
      [{ labels: [0], seed: 1e30 }, /seed must be an integer in \[0, 4294967295\], got 1e\+30/],
      [{ labels: [0], seed: MAX_SEED + 1 }, /seed must be an integer in \[0, 4294967295\]/],
      [{ labels: [0], seed: -1 }, /seed must be an integer/],
    ];
    for (const [options, message] of bad) await expect(generator.generate(options)).rejects.toThrow(message);
    await expect(generator.generate({ labels: [0], guidance: NaN })).rejects.toThrow(SamplerError);
    expect(engine.poolStats().created).toBe(created);
    expect(engine.pendingDispatches).toBe(0);
    // The largest seed is valid, and seeds past 2³² no longer collapse into one picture.
    const last = await generator.generate({ labels: [0, 0], seed: MAX_SEED, solver: 'euler', nfe: 1 });
    const [a, b] = [(await last.readFloat32()).slice(0, 256), (await last.readFloat32()).slice(256)];
    expect(Array.from(a)).not.toEqual(Array.from(b));
    last.dispose();
    generator.dispose();
  });
});
