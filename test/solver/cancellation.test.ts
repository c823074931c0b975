import { describe, expect, it } from 'vitest';
import { sample, SamplingAbortedError, type SolverName } from '../../src/solver/index.js';
import { testEngine } from '../helpers/engine.js';
import { GaussianCorrector, GaussianField, GaussianModel } from './oracle.js';

const field = new GaussianField(0.5, [0.5, -0.5, 0]);
const size = [3, 5] as const;
const SOLVERS: SolverName[] = ['ba', 'ba-single', 'euler', 'heun', 'dpm++2m', 'rk4'];

async function setup() {
  const engine = await testEngine();
  return { engine, model: new GaussianModel(engine, field), sidenet: new GaussianCorrector(engine, field) };
}

describe('cancellation stops sampling between steps and frees everything', () => {
  for (const solver of SOLVERS) {
    it(`${solver}: an abort after step k runs no further step, rejects with an AbortError, leaves no tensor or recorded dispatch behind`, async () => {
      const { engine, model, sidenet } = await setup();
      const nfe = 5;
      for (const guided of [false, true]) {
        for (const abortAfter of [1, 3, 4]) {
          await engine.sync();
          const live = engine.poolStats().liveBytes;
          const controller = new AbortController();
          const steps: number[] = [];
          let callsAtAbort = -1;
          model.calls = 0;
          const run = sample(engine, {
            model, sidenet, solver, nfe, labels: [0, 1], noise: 7, size, guidance: guided ? { scale: 2, interval: null } : undefined,
            signal: controller.signal,
            onStep: (s) => {
              steps.push(s.step);
              if (s.step === abortAfter) {
                controller.abort();
                callsAtAbort = model.calls;
              }
            },
          });
          const err = await run.catch((e: unknown) => e);
          expect(err).toBeInstanceOf(SamplingAbortedError);
          expect((err as SamplingAbortedError).name).toBe('AbortError');
          expect((err as SamplingAbortedError).message).toBe(`sampling aborted before step ${abortAfter + 1} of ${nfe}`);
          expect(steps).toEqual(Array.from({ length: abortAfter }, (_, i) => i + 1));
          // No backbone call after the abort, nothing left recorded, every run tensor released.
          expect(model.calls).toBe(callsAtAbort);
          expect(engine.pendingDispatches).toBe(0);
          expect(engine.poolStats().liveBytes).toBe(live);
        }
      }
    });
  }

  it('an already aborted signal rejects before any GPU work', async () => {
    const { engine, model, sidenet } = await setup();
    await engine.sync();
    const before = engine.poolStats();
    model.calls = 0;
    const controller = new AbortController();
    controller.abort();
    await expect(sample(engine, { model, sidenet, solver: 'ba', nfe: 4, labels: [0], noise: 1, size, signal: controller.signal })).rejects.toThrow(/aborted before step 1 of 4/);
    expect(model.calls).toBe(0);
    expect(engine.pendingDispatches).toBe(0);
    const after = engine.poolStats();
    expect([after.liveBytes, after.created, after.reused]).toEqual([before.liveBytes, before.created, before.reused]);
  });

  it('an abort from outside (a timer) while steps run stops the run at the next step boundary', async () => {
    const { engine, model, sidenet } = await setup();
    await engine.sync();
    const live = engine.poolStats().liveBytes;
    const controller = new AbortController();
    const steps: number[] = [];
    // Each step waits a little for the GPU, so the timer fires between steps of a long run.
    const run = sample(engine, {
      model, sidenet, solver: 'ba', nfe: 200, labels: [0], noise: 2, size, signal: controller.signal,
      onStep: (s) => steps.push(s.step), debugState: () => engine.sync(),
    });
    setTimeout(() => controller.abort(), 50);
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamplingAbortedError);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThan(200);
    expect((err as Error).message).toBe(`sampling aborted before step ${steps.length + 1} of 200`);
    expect(engine.pendingDispatches).toBe(0);
    expect(engine.poolStats().liveBytes).toBe(live);
  });

  it('after a cancelled run the same engine and models sample exactly as before', async () => {
    const { engine, model, sidenet } = await setup();
    const options = { model, sidenet, solver: 'ba' as const, nfe: 4, labels: [1, 0], noise: 5, size };
    const first = await sample(engine, options);
    const expected = await first.latent.readFloat32();
    first.latent.dispose();
    const controller = new AbortController();
    await sample(engine, { ...options, signal: controller.signal, onStep: (s) => s.step === 2 && controller.abort() }).catch(() => undefined);
    const again = await sample(engine, options);
    expect(Array.from(await again.latent.readFloat32())).toEqual(Array.from(expected));
    again.latent.dispose();
  });
});
