/**
 * Waiting for the GPU without dawn.node's busy-wait. While any GPU promise is pending,
 * dawn.node spins a core polling the device (about 65 % of one on these machines), which on a
 * software adapter steals that core from the GPU's own worker threads. So in Node we first
 * sleep, with no promise pending, until shortly before the submitted work should be done, and
 * only then await. Browsers do not spin: there we await at once.
 *
 * The estimate is per dispatch: the engine reports every submission, so a wait after a long
 * backlog (a whole training iteration submitted without waiting) expects proportionally longer
 * than one after a single step, instead of spinning through the backlog.
 */
export class GpuWaiter {
  /** Measured ms of GPU time per submitted dispatch, per kind of wait. */
  private readonly msPerDispatch = new Map<string, number>();
  /** Dispatches submitted since the last completed wait, and when the first of them was. */
  private backlog = 0;
  private backlogSince = 0;

  constructor(private readonly sleepFirst: boolean) {}

  /** Dispatches submitted since the last completed wait: at most this much work is still queued. */
  get queued(): number {
    return this.backlog;
  }

  /** Called for every queue submission of `dispatches` dispatches. */
  submitted(dispatches: number): void {
    if (this.backlog === 0) this.backlogSince = now();
    this.backlog += Math.max(dispatches, 1);
  }

  /** Awaits `start()` (a GPU promise that settles once all submitted work is done). */
  async wait<T>(kind: string, start: () => Promise<T>): Promise<T> {
    const rate = this.msPerDispatch.get(kind);
    const backlog = this.backlog;
    const since = this.backlogSince;
    const remaining = rate === undefined || backlog === 0 ? 0 : since + rate * backlog - now();
    const slept = this.sleepFirst && remaining > 2;
    if (slept) await sleep(remaining * 0.85);
    const t1 = now();
    const result = await start();
    const t2 = now();
    this.backlog = 0;
    if (backlog > 0) {
      const sample = (t2 - since) / backlog;
      // Done by the end of the sleep: the elapsed time only measures the sleep, so halve the
      // estimate. Otherwise follow a slow drift up quickly and a speed-up slowly: oversleeping
      // costs more than spinning.
      const next = rate === undefined ? sample : slept && t2 - t1 < 1 ? 0.5 * rate : sample < rate ? 0.5 * rate + 0.5 * sample : 0.8 * rate + 0.2 * sample;
      this.msPerDispatch.set(kind, next);
    }
    return result;
  }
}

/**
 * Hands the thread back to the app between budgeted submits: in a visible page, until after
 * the next animation frame's callbacks (a macrotask after our own frame callback, so the app's
 * frame is submitted before the engine's next work); elsewhere (workers, Node, hidden pages,
 * where requestAnimationFrame would stall) one macrotask.
 */
export function yieldToApp(): Promise<void> {
  const g = globalThis as { requestAnimationFrame?: (cb: () => void) => number; document?: { visibilityState?: string } };
  const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (g.requestAnimationFrame && g.document?.visibilityState === 'visible') return new Promise<void>((resolve) => g.requestAnimationFrame!(() => resolve())).then(macrotask);
  return macrotask();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
