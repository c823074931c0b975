/**
 * Lavapipe's worker count: the Node platform sets LP_NUM_THREADS to four workers per core before
 * Dawn loads the driver, unless the process set it (then it is respected). Each test file runs in
 * its own process, so this file sees the environment as it was at start.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/gpu/engine.js';

const presetThreads = process.env.LP_NUM_THREADS;

/** Lavapipe names its workers llvmpipe-0, llvmpipe-1, ... */
function lavapipeWorkers(): number {
  return readdirSync('/proc/self/task').filter((t) => /^llvmpipe-\d+$/.test(readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim())).length;
}

/** The documented policy (docs/app-integration.md): four workers per core, at most Mesa's 32. */
const lavapipeThreads = (cores: number) => Math.min(32, 4 * cores);

describe('lavapipe worker count', () => {
  it(presetThreads === undefined ? 'defaults LP_NUM_THREADS before the driver loads, and lavapipe starts that many workers' : 'keeps the LP_NUM_THREADS the process set', async () => {
    const engine = await Engine.create();
    const expected = presetThreads ?? String(lavapipeThreads(availableParallelism()));
    expect(process.env.LP_NUM_THREADS).toBe(expected);
    if (/llvmpipe/i.test(engine.describe())) expect(lavapipeWorkers()).toBe(Number(expected));
    else expect(lavapipeWorkers()).toBe(0);
    engine.dispose();
  });
});
