/**
 * `ba-webgpu sample | eval | bench | convert` run as a shell runs them: a bad option is a usage
 * error (exit 2, one stderr line naming the flag) found before any work — before a GPU device
 * exists (no 'device:' line, no Dawn warning) and before any sampling. Then the non-finite
 * check end to end: a SiT with NaN weights fails with exit 1 and writes no PNG.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED } from '../../src/cli/common.js';
import { tinySitFile } from '../api/tiny-models.js';
import { bundleCli, errorLines, type BundledCli } from '../helpers/cli.js';

let tmp: string;
let cli: BundledCli;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ba-usage-'));
  cli = await bundleCli();
  writeFileSync(join(tmp, 'a-file'), '');
}, 120_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  cli?.remove();
});

const BAD: [command: string, args: string[], message: RegExp][] = [
  ['sample', ['--seed', '1e30'], /--seed: expected an integer in \[0, 4294967295\], got '1e30'/],
  ['sample', ['--seed', '4294967296'], /--seed: expected an integer in \[0, 4294967295\]/],
  ['sample', ['--seed', '1.5'], /--seed: expected an integer/],
  ['sample', ['--scale', '100000'], /--scale: expected an integer in \[1, 64\], got '100000'/],
  ['sample', ['--scale', '64', '--per-class', '100'], /--scale 64: the grid would be \d+ × \d+ pixels, over 16384 on a side/],
  ['sample', ['--out', '/a-file/x.png'], /--out: cannot write/],
  ['sample', ['--cfg-interval', '0.9,0.1'], /--cfg-interval: expected LO,HI/],
  ['sample', ['--cfg-interval', ',0.5'], /--cfg-interval: expected LO,HI/],
  ['sample', ['--classes', '1,,2'], /--classes: expected comma-separated non-negative integers, got '1,,2'/],
  ['sample', ['--classes', '12'], /--classes: 12 is not a class of this model \(0\.\.9\)/],
  ['sample', ['--cfg', 'NaN'], /--cfg: invalid value 'NaN'/],
  ['sample', ['--nfe', '2.5'], /--nfe: expected an integer in \[1, 100000\]/],
  ['sample', ['--batch', '0'], /--batch: expected an integer in \[1, 100000\]/],
  ['sample', ['--bogus'], /Unknown option '--bogus'/],
  ['sample', ['--model', SHIPPED.sidenet], /--model: .* holds a sidenet, not a SiT/],
  ['eval', ['--seed', '1e30'], /--seed: expected an integer in \[0, 4294967295\]/],
  ['eval', ['--out', '/a-file/eval'], /--out: cannot write/],
  ['eval', ['--cfg-interval', '0.9,0.1'], /--cfg-interval: expected LO,HI/],
  ['eval', ['--nfe', '3,,4'], /--nfe: expected comma-separated non-negative integers/],
  ['eval', ['--nfe', '0'], /--nfe: 0 is outside \[1, 100000\]/],
  ['eval', ['--samples', '1'], /--samples: expected an integer in \[2, 1000000\]/],
  ['bench', ['--json', '/a-file/bench.json'], /--json: cannot write/],
  ['bench', ['--repeats', '0'], /--repeats: expected an integer in \[1, 1000\]/],
  ['bench', ['--nfe', '4,x'], /--nfe: expected comma-separated non-negative integers/],
  ['convert', ['--bogus'], /Unknown option '--bogus'/],
];

describe('usage errors of every command: exit 2, one line, before any work', () => {
  it.each(BAD)('%s %j', async (command, args, message) => {
    const run = await cli.run([command, ...args.map((a) => a.replace('/a-file', join(tmp, 'a-file')))], { cwd: tmp });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1); // and no warning from a GPU device
    expect(run.stderr).toMatch(new RegExp(`^ba-webgpu ${command}: `));
    expect(run.stderr).toMatch(message);
    expect(run.stdout + run.stderr).not.toMatch(/device:/);
  });
});

describe('non-finite samples from the CLI', () => {
  it('a SiT with a NaN weight: exit 1 with NonFiniteSampleError naming the step; no PNG is written', async () => {
    const file = tinySitFile();
    // The first float of the data section (after the 8-byte length and the JSON header) becomes NaN.
    const headerLength = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
    new DataView(file.buffer, file.byteOffset).setFloat32(8 + headerLength, NaN, true);
    const model = join(tmp, 'nan-sit.safetensors');
    writeFileSync(model, file);
    const png = join(tmp, 'nan.png');
    const run = await cli.run(['sample', '--model', model, '--solver', 'euler', '--nfe', '3', '--classes', '0', '--per-class', '2', '--out', png], { cwd: tmp });
    expect(run.code, run.stderr).toBe(1);
    expect(errorLines(run).filter((l) => !/^(device|sampling|\d+\/\d+ images)/.test(l))).toEqual([
      'ba-webgpu sample: NonFiniteSampleError: sampling produced NaN or Inf values, first at step 1 of 3: the weights (a file with NaN/Inf values?) or the inputs are not finite, or the model diverged',
    ]);
    expect(existsSync(png)).toBe(false);
    expect(readFileSync(model).length).toBe(file.length);
  });
});
