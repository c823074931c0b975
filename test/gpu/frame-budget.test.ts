/**
 * Frame-budgeted submits: a step split into several submits of about `frameBudgetMs` of GPU
 * work each, waited for one by one with the app's turn between them, gives bit-identical
 * results; timed submits report GPU time; and a budgeted sampling run equals an unbudgeted one.
 */
import { describe, expect, it } from 'vitest';
import { ImageGenerator } from '../../src/generator.js';
import { matmul } from '../../src/gpu/ops/matmul.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { tinySideNetFile, tinySitFile } from '../api/tiny-models.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';

/** Records a chain of `count` matmuls (each feeding the next), the same work every call. */
function recordChain(engine: Awaited<ReturnType<typeof testEngine>>, x: Tensor, w: Tensor, count: number): Tensor {
  let y = x;
  for (let i = 0; i < count; i++) {
    const next = matmul(engine, y, w);
    if (y !== x) y.dispose();
    y = next;
  }
  return y;
}

describe('frame-budgeted submits', () => {
  it('split a step into budget-sized submits with the app\'s turn between them; results are bit-identical to one submit', async () => {
    const engine = await testEngine();
    const rng = new Rng(5);
    const x = engine.upload(rng.array(96 * 96, -0.1, 0.1), [96, 96]);
    const w = engine.upload(rng.array(96 * 96, -0.1, 0.1), [96, 96]);
    const reference = recordChain(engine, x, w, 24);
    const whole = await engine.submit({ timed: true });
    expect(whole?.submits).toBe(1);
    expect(whole!.gpuMs).toBeGreaterThan(0);
    const expected = await reference.readFloat32();
    reference.dispose();

    // A budget below any dispatch's cost: every dispatch is a submit of its own (the first also
    // measures the new kernel), with the app's turn between each. A budget above the step, now
    // that the costs are known: one submit.
    let yields = 0;
    const yieldBetween = async () => void yields++;
    for (const [budget, submits] of [[1e-9, 24], [1e9, 1]] as const) {
      yields = 0;
      const y = recordChain(engine, x, w, 24);
      const sliced = await engine.submit({ frameBudgetMs: budget, yieldBetween });
      expect({ budget, submits: sliced!.submits }).toEqual({ budget, submits });
      expect(yields).toBe(budget < 1 ? submits - 1 : 0);
      expect(sliced!.gpuMs).toBeGreaterThan(0);
      expect(Array.from(await y.readFloat32())).toEqual(Array.from(expected));
      y.dispose();
    }
    expect(await engine.submit({ frameBudgetMs: 0 })).toBe(undefined); // nothing recorded: nothing checked
    recordChain(engine, x, w, 1).dispose();
    await expect(engine.submit({ frameBudgetMs: -1 })).rejects.toThrow(/frameBudgetMs must be a positive number/);
    x.dispose();
    w.dispose();
  });

  it('a budgeted generation equals an unbudgeted one bit for bit, reporting each step once the GPU has finished it', async () => {
    const engine = await testEngine();
    const generator = await ImageGenerator.load(engine, { sit: tinySitFile(), sidenet: tinySideNetFile() });
    const request = { labels: [2, 7], solver: 'ba' as const, nfe: 3, guidance: 1.5, seed: 3 };
    const plain = await generator.generate(request);
    const expected = await plain.readFloat32();
    plain.dispose();
    const steps: { step: number; gpuMs: number; submits: number }[] = [];
    const budgeted = await generator.generate({ ...request, frameBudgetMs: 0.05, onStep: (s) => steps.push({ step: s.step, gpuMs: s.gpuMs, submits: s.submits }) });
    expect(Array.from(await budgeted.readFloat32())).toEqual(Array.from(expected));
    budgeted.dispose();
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    for (const s of steps) {
      expect(s.gpuMs).toBeGreaterThan(0);
      expect(s.submits).toBeGreaterThan(1);
    }
    generator.dispose();
  });
});
