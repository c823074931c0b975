/**
 * The fixture folders of a fixture-driven test, named for failure: a missing or empty folder
 * (a bad checkout, a fixture generator that wrote elsewhere) must fail the run, not leave a
 * test file with zero tests that passes.
 */
import { existsSync, readdirSync } from 'node:fs';

export function fixtureNames(root: string): string[] {
  if (!existsSync(root)) throw new Error(`fixture folder ${root} is missing: regenerate it with tools/reference (see its README) or restore it from git`);
  const names = readdirSync(root).sort();
  if (!names.length) throw new Error(`fixture folder ${root} is empty: regenerate it with tools/reference (see its README)`);
  return names;
}
