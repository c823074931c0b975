/**
 * Waiting for the GPU without dawn.node's busy-wait. While any GPU promise is pending,
 * dawn.node spins a core polling the device (about 65 % of one on these machines), which on a
 * software adapter steals that core from the GPU's own worker threads. So in Node we first
 * sleep for most of the time the same kind of wait took before, with no promise pending, and
 * only then await. Browsers do not spin: there we await at once.
 */
export class GpuWaiter {
  private readonly expectedMs = new Map<string, number>();

  constructor(private readonly sleepFirst: boolean) {}

  /** Awaits `start()` (a GPU promise) for the wait kind `kind`, sleeping first in Node. */
  async wait<T>(kind: string, start: () => Promise<T>): Promise<T> {
    const t0 = now();
    const expected = this.expectedMs.get(kind) ?? 0;
    const slept = this.sleepFirst && expected > 2;
    if (slept) await sleep(expected * 0.85);
    const t1 = now();
    const result = await start();
    const t2 = now();
    const took = t2 - t0;
    // Done by the end of the sleep: the elapsed time only measures the sleep, so halve the
    // estimate. Otherwise one slow outlier (a cold shader compile) makes the next dozens of
    // waits oversleep, shrinking by only 7.5 % each.
    if (slept && t2 - t1 < 1) this.expectedMs.set(kind, 0.5 * expected);
    // Follow a slow drift up quickly and a speed-up slowly: oversleeping costs more than spinning.
    else this.expectedMs.set(kind, expected === 0 ? took : took < expected ? 0.5 * expected + 0.5 * took : 0.8 * expected + 0.2 * took);
    return result;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
