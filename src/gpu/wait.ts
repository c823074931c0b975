/**
 * Waiting for the GPU without dawn.node's busy-wait. While any GPU promise is pending,
 * dawn.node polls the device from a `setImmediate` loop, which keeps the JS thread spinning
 * (about 65 % of a core); on a software adapter that core is taken from the GPU's own worker
 * threads, and under a competing CPU load the spin takes their share exactly when it is
 * scarce. dawn.node looks `setImmediate` up on the global object at every poll, so in Node,
 * once one of our waits has been pending for a while, its native poll callback is deferred to a
 * timer instead: polling every 1–4 ms costs next to no CPU and at most a few ms of latency,
 * whatever the wait's length, with nothing to estimate. Browsers do not spin: there we simply
 * await.
 */
export class GpuWaiter {
  /** Dispatches submitted since the last completed wait. */
  private backlog = 0;
  /** Completed waits and their total milliseconds, per kind of wait (diagnostics). */
  readonly stats = new Map<string, { waits: number; ms: number }>();

  constructor(private readonly throttlePolling: boolean) {}

  /** Dispatches submitted since the last completed wait: at most this much work is still queued. */
  get queued(): number {
    return this.backlog;
  }

  /** Called for every queue submission of `dispatches` dispatches. */
  submitted(dispatches: number): void {
    this.backlog += Math.max(dispatches, 1);
  }

  /** Awaits `start()` (a GPU promise that settles once all submitted work is done). */
  async wait<T>(kind: string, start: () => Promise<T>): Promise<T> {
    const t0 = now();
    const release = this.throttlePolling ? throttleDawnPolling() : undefined;
    try {
      const result = await start();
      this.backlog = 0;
      const stat = this.stats.get(kind) ?? { waits: 0, ms: 0 };
      stat.waits++;
      stat.ms += now() - t0;
      this.stats.set(kind, stat);
      return result;
    } finally {
      release?.();
    }
  }
}

type SetImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;
/**
 * Waits spin as before for their first milliseconds: short waits cost little spinning, and with
 * every poll throttled a 3,000-step run's memory maps grew by ~900 before levelling off
 * (test/api/long-run.node.test.ts), presumably as Dawn's objects were released later.
 */
const BUSY_POLL_MS = 20;
let throttlers = 0;
let throttleSince = 0;
let unthrottled: SetImmediate | undefined;
let throttled: SetImmediate | undefined;

/**
 * After BUSY_POLL_MS, defers native `setImmediate` callbacks (dawn.node's device polling; JS
 * callbacks are left alone) to a timer until the returned release is called by every
 * overlapping caller. The interval grows with the wait (2 % of it so far, 1–4 ms), so a wait
 * overshoots by at most about 2 %.
 */
function throttleDawnPolling(): () => void {
  const g = globalThis as unknown as { setImmediate?: SetImmediate };
  if (!g.setImmediate) return () => {};
  if (throttlers++ === 0) {
    const original = g.setImmediate;
    throttleSince = now();
    unthrottled = original;
    throttled = (callback, ...args) => {
      const pending = now() - throttleSince;
      if (pending < BUSY_POLL_MS || !isNative(callback)) return original(callback, ...args);
      return setTimeout(callback, Math.min(4, Math.max(1, 0.02 * pending)), ...args);
    };
    g.setImmediate = throttled;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Someone else (fake timers) may have replaced it meanwhile: then theirs stays.
    if (--throttlers === 0 && g.setImmediate === throttled) g.setImmediate = unthrottled;
  };
}

function isNative(fn: unknown): boolean {
  return typeof fn === 'function' && Function.prototype.toString.call(fn).endsWith('{ [native code] }');
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
