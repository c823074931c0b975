/**
 * `ba-webgpu convert` on the command line: usage errors (unknown flag, bad value, missing or
 * absent input, an output that is the input) go to the dispatcher, which prints one line and
 * exits 2; checkpoint problems exit 1; a good run exits 0.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/common.js';
import { convertCommand } from '../../tools/convert-weights/cli.js';
import { bundleCli, type BundledCli } from '../helpers/cli.js';
import { fixture, tempDir } from './helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const sit = fixture('sit_bare.pt');

/** The ways convert's arguments can be wrong, each with what the message must say. */
const USAGE_ERRORS: [string, (dir: string) => string[], RegExp][] = [
  ['an unknown flag', () => ['--bogus'], /Unknown option '--bogus'/],
  ['no input', (dir) => ['-o', join(dir, 'out.safetensors')], /need one input checkpoint, got 0/],
  ['two inputs', (dir) => [sit, sit, '-o', join(dir, 'out.safetensors')], /need one input checkpoint, got 2/],
  ['an absent input', (dir) => [join(dir, 'absent.pt'), '-o', join(dir, 'out.safetensors')], /input checkpoint not found: .*absent\.pt/],
  ['no output', () => [sit], /need -o OUTPUT \(or --dry-run\)/],
  ['a bad --dtype', (dir) => [sit, '-o', join(dir, 'o'), '--dtype', 'f8'], /--dtype must be one of f32, f16, got 'f8'/],
  ['a bad --heads', (dir) => [sit, '-o', join(dir, 'o'), '--heads', '2.5'], /--heads needs a positive integer, got '2\.5'/],
  ['a bad --source', (dir) => [sit, '-o', join(dir, 'o'), '--source', 'best'], /--source must be one of auto, ema, model/],
  ['a bad --latent-codec', (dir) => [sit, '-o', join(dir, 'o'), '--latent-codec', 'x'], /--latent-codec must look like/],
  ['a flag missing its value', () => [sit, '--dtype'], /Option '--dtype <value>' argument missing/],
  ['an output that is the input', (dir) => {
    const input = join(dir, 'in.pt');
    writeFileSync(input, readFileSync(sit));
    return [input, '-o', input];
  }, /-o: .*in\.pt is the input file/],
  ['an output that is a folder', (dir) => [sit, '-o', dir], /-o: cannot write .*it is a directory/],
];

describe('convertCommand (in process)', () => {
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(USAGE_ERRORS)('leaves %s to the dispatcher as a usage error', async (_, args, message) => {
    const run = convertCommand(args(tempDir()));
    await expect(run).rejects.toThrow(message);
    await run.catch((e: unknown) => {
      const parseArgsError = e instanceof TypeError && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
      expect(e instanceof UsageError || parseArgsError, String(e)).toBe(true);
    });
  });

  it('returns 1 for a checkpoint it cannot convert, 0 when it converts', async () => {
    const dir = tempDir();
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a checkpoint');
    expect(await convertCommand([notes, '-o', join(dir, 'out.safetensors')])).toBe(1);
    expect(await convertCommand([sit, '-o', join(dir, 'out.safetensors'), '--heads', '2', '--quiet'])).toBe(0);
    expect(existsSync(join(dir, 'out.safetensors'))).toBe(true);
  });
});

describe('ba-webgpu convert (the dispatcher, as a process)', () => {
  let cli: BundledCli;
  beforeAll(async () => {
    cli = await bundleCli();
  });
  afterAll(() => cli?.remove());

  it.each(USAGE_ERRORS)('exits 2 with one line for %s', async (_, args, message) => {
    const run = await cli.run(['convert', ...args(tempDir())], { cwd: root });
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^ba-webgpu convert: /);
    expect(lines[0]).toMatch(message);
  });
});
