/** One engine per test file (Node: each vitest worker; browser: the page). */
import { Engine } from '../../src/gpu/engine.js';

let shared: Promise<Engine> | undefined;

export function testEngine(): Promise<Engine> {
  shared ??= Engine.create();
  return shared;
}
