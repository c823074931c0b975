/**
 * The subset of vitest's API our GPU tests use, so the same test files run in headless
 * Chromium (bundled by esbuild with `vitest` aliased here). Tests register on import; the page
 * calls runRegisteredTests() and reports every result.
 */
type TestFn = (ctx: { skip: (reason?: string) => never }) => unknown;
interface TestCase { name: string; fn: TestFn }
interface Hook { prefix: string; fn: () => unknown }

const cases: TestCase[] = [];
const beforeAllHooks: Hook[] = [];
const prefix: string[] = [];

class SkipSignal extends Error {}

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}

export function it(name: string, fn: TestFn): void {
  cases.push({ name: [...prefix, name].join(' > '), fn });
}
export const test = it;

export function beforeAll(fn: () => unknown): void {
  beforeAllHooks.push({ prefix: prefix.join(' > '), fn });
}

export interface TestResult { name: string; status: 'passed' | 'failed' | 'skipped'; message?: string; ms: number }

export async function runRegisteredTests(onResult: (r: TestResult) => void): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const ranHooks = new Set<Hook>();
  for (const c of cases) {
    const t0 = performance.now();
    let result: TestResult;
    try {
      for (const h of beforeAllHooks) {
        if (!ranHooks.has(h) && c.name.startsWith(h.prefix)) {
          ranHooks.add(h);
          await h.fn();
        }
      }
      await c.fn({ skip: (reason?: string) => { throw new SkipSignal(reason ?? 'skipped'); } });
      result = { name: c.name, status: 'passed', ms: performance.now() - t0 };
    } catch (err) {
      result = err instanceof SkipSignal
        ? { name: c.name, status: 'skipped', message: err.message, ms: performance.now() - t0 }
        : { name: c.name, status: 'failed', message: String((err as Error)?.stack ?? err), ms: performance.now() - t0 };
    }
    results.push(result);
    onResult(result);
  }
  return results;
}

class AssertionError extends Error {
  override name = 'AssertionError';
}

function fmt(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || Array.isArray(a) !== Array.isArray(b)) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function matchesError(err: unknown, expected?: unknown): boolean {
  if (expected === undefined) return true;
  const message = (err as Error)?.message ?? String(err);
  if (typeof expected === 'string') return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === 'function') return err instanceof (expected as new () => unknown);
  return false;
}

function matchers(actual: unknown, negate: boolean) {
  const check = (ok: boolean, what: string) => {
    if (ok === negate) throw new AssertionError(`expected ${fmt(actual)} ${negate ? 'not ' : ''}${what}`);
  };
  return {
    toBe: (e: unknown) => check(Object.is(actual, e), `to be ${fmt(e)}`),
    toEqual: (e: unknown) => check(deepEqual(actual, e), `to equal ${fmt(e)}`),
    toBeLessThan: (e: number) => check((actual as number) < e, `to be < ${e}`),
    toBeLessThanOrEqual: (e: number) => check((actual as number) <= e, `to be <= ${e}`),
    toBeGreaterThan: (e: number) => check((actual as number) > e, `to be > ${e}`),
    toBeGreaterThanOrEqual: (e: number) => check((actual as number) >= e, `to be >= ${e}`),
    toBeCloseTo: (e: number, digits = 2) => check(Math.abs((actual as number) - e) < 10 ** -digits / 2, `to be close to ${e}`),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toMatch: (re: RegExp | string) => check(typeof re === 'string' ? String(actual).includes(re) : re.test(String(actual)), `to match ${re}`),
    toBeDefined: () => check(actual !== undefined, 'to be defined'),
    toBeTruthy: () => check(!!actual, 'to be truthy'),
    toThrow: (expected?: unknown) => {
      let threw = false;
      let error: unknown;
      try {
        (actual as () => unknown)();
      } catch (err) {
        threw = true;
        error = err;
      }
      if (negate ? threw : !threw || !matchesError(error, expected)) {
        throw new AssertionError(`expected function ${negate ? 'not ' : ''}to throw ${fmt(String(expected ?? ''))}, got ${threw ? fmt((error as Error)?.message) : 'no error'}`);
      }
    },
  };
}

export function expect(actual: unknown) {
  return {
    ...matchers(actual, false),
    not: matchers(actual, true),
    rejects: {
      toThrow: async (expected?: unknown) => {
        try {
          await actual;
        } catch (err) {
          if (!matchesError(err, expected)) throw new AssertionError(`expected rejection matching ${fmt(String(expected))}, got ${fmt((err as Error)?.message)}`);
          return;
        }
        throw new AssertionError('expected promise to reject');
      },
    },
  };
}
