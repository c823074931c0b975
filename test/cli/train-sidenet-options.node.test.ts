/**
 * `ba-webgpu train-sidenet` run as a shell runs it (the bundled CLI in a child process): every
 * bad option is a usage error (exit 2, one stderr line naming the flag) found before any work,
 * i.e. before a GPU device is created (no 'device:' line); then, on a tiny model, resuming past
 * a corrupted checkpoint and stopping on a non-finite loss (exit 1, one line).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED } from '../../src/cli/common.js';
import { checkpointPath } from '../../src/train/node.js';
import { tinySitFile } from '../api/tiny-models.js';
import { bundleCli, errorLines, type BundledCli, type CliRun } from '../helpers/cli.js';

let tmp: string;
let cli: BundledCli;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ba-train-cli-'));
  cli = await bundleCli();
}, 120_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  cli?.remove();
});

const trainSidenet = (args: string[]): Promise<CliRun> => cli.run(['train-sidenet', ...args], { cwd: tmp });

/** Existing input files (the checks only need them to exist) and a writable --out. */
function files(): string[] {
  writeFileSync(join(tmp, 'images.gz'), 'not read');
  writeFileSync(join(tmp, 'labels.gz'), 'not read');
  return ['--backbone', SHIPPED.sit, '--images', join(tmp, 'images.gz'), '--labels', join(tmp, 'labels.gz'), '--out', join(tmp, 'out')];
}

/** Each bad option, with what its one line must say. */
const BAD: [args: string[], message: RegExp][] = [
  [['--steps', '0'], /--steps: expected an integer in \[1, ∞\], got '0'/],
  [['--steps', '2.5'], /--steps: expected an integer in \[1, ∞\], got '2\.5'/],
  [['--steps', ''], /--steps: expected an integer/],
  [['--steps', 'many'], /--steps: expected an integer/],
  [['--batch', '0'], /--batch: expected an integer in \[1, ∞\], got '0'/],
  [['--chain', '0'], /--chain: expected an integer in \[1, ∞\]/],
  [['--roll-nodes', '5'], /--roll-nodes: expected an integer in \[1, 4\], got '5'/],
  [['--links-per-pass=-1'], /--links-per-pass: expected an integer in \[0, ∞\]/],
  [['--seed=-1'], /--seed: expected an integer in \[0, 4294967295\]/],
  // parseArgs's own message, three lines long, made one.
  [['--seed', '-1'], /Option '--seed' argument is ambiguous\. Did you forget .* use '--seed=-XYZ'\./],
  [['--seed', '4294967296'], /--seed: expected an integer in \[0, 4294967295\]/],
  [['--init-seed', '1.5'], /--init-seed: expected an integer in \[0, 4294967295\]/],
  [['--channels', '0'], /--channels: expected an integer in \[1, ∞\]/],
  [['--embed=-8'], /--embed: expected an integer in \[1, ∞\]/],
  [['--blocks', '0'], /--blocks: expected an integer in \[1, ∞\]/],
  [['--heads', '0'], /--heads: expected an integer in \[1, ∞\]/],
  [['--channels', '10', '--heads', '4'], /--channels 10: must be divisible by --heads 4/],
  [['--channels', '512', '--heads', '2'], /--channels 512 \/ --heads 2: head size 256 exceeds the largest supported \(128\)/],
  [['--limit', '0'], /--limit: expected an integer in \[1, ∞\]/],
  [['--checkpoint-every=-1'], /--checkpoint-every: expected an integer in \[0, ∞\]/],
  [['--keep', '0'], /--keep: expected an integer in \[1, ∞\]/],
  [['--log-every', '0'], /--log-every: expected an integer in \[1, ∞\]/],
  [['--lr-decay-steps', '1.5'], /--lr-decay-steps: expected an integer in \[0, ∞\]/],
  [['--steps', '10', '--lr-decay-steps', '20'], /--lr-decay-steps 20: must lie in \[0, --steps 10\]/],
  [['--lr', '0'], /--lr: expected a finite number > 0, got '0'/],
  [['--lr', 'NaN'], /--lr: expected a finite number > 0, got 'NaN'/],
  [['--lr', 'Infinity'], /--lr: expected a finite number > 0/],
  [['--lr-final=-1e-5'], /--lr-final: expected a finite number ≥ 0/],
  [['--beta1', '1'], /--beta1: expected a finite number in \[0, 1\)/],
  [['--beta2=-0.1'], /--beta2: expected a finite number in \[0, 1\)/],
  [['--eps', '0'], /--eps: expected a finite number > 0/],
  [['--weight-decay=-1'], /--weight-decay: expected a finite number ≥ 0/],
  [['--clip=-1'], /--clip: expected a finite number ≥ 0/],
  [['--ema', '1'], /--ema: expected a finite number in \[0, 1\)/],
  [['--label-drop', '1.5'], /--label-drop: expected a finite number in \[0, 1\]/],
  [['--h-rate', '0'], /--h-rate: expected a finite number > 0/],
  [['--p-forward', '2'], /--p-forward: expected a finite number in \[0, 1\]/],
  [['--lr', ''], /--lr: expected a finite number > 0, got ''/],
];

describe('train-sidenet option checks (before any work)', () => {
  it.each(BAD)('%j is a usage error', async (args, message) => {
    const run = await trainSidenet([...files(), ...args]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1); // and no warning from a GPU device
    expect(run.stderr).toMatch(message);
    expect(run.stdout).not.toMatch(/device:/);
  });

  it('missing inputs and an --out that cannot be written are usage errors found before loading anything', async () => {
    const ok = files();
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, '');
    const cases: [string, string, RegExp][] = [
      ['--backbone', join(tmp, 'nope.safetensors'), /SiT backbone \(--backbone\) not found: .*nope\.safetensors/],
      ['--images', join(tmp, 'nope-images.gz'), /images \(--images\) not found/],
      ['--labels', join(tmp, 'nope-labels.gz'), /labels \(--labels\) not found/],
      ['--out', join(blocker, 'run'), /--out: cannot write .*a-file\/run/],
    ];
    for (const [flag, value, message] of cases) {
      const args = [...ok];
      args[args.indexOf(flag) + 1] = value;
      const run = await trainSidenet(args);
      expect(run.code, `${flag}: ${run.stderr}`).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1); // and no warning from a GPU device
      expect(run.stderr).toMatch(message);
      expect(run.stdout).not.toMatch(/device:/);
    }
  });

  it('values on the edges of their ranges pass the checks (the run then gets as far as the GPU and the data)', async () => {
    const run = await trainSidenet([
      ...files(), '--steps', '1', '--lr-decay-steps', '1', '--checkpoint-every', '0', '--links-per-pass', '0', '--clip', '0', '--label-drop', '1',
      '--p-forward', '0', '--beta1', '0', '--lr-final', '0', '--seed', '4294967295', '--roll-nodes', '4', '--channels', '256', '--heads', '2',
    ]);
    // Past every check: the device is created and the bogus image file is what fails.
    expect(run.stdout).toMatch(/device:/);
    expect(run.code, run.stderr).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
  });
});

/** A tiny converted SiT (12×12 grayscale images ↔ 4×8×8 latents) and 16 IDX images for it. */
function tinyRunFiles(): string[] {
  const dir = join(tmp, 'tiny');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sit.safetensors'), tinySitFile());
  const n = 16;
  const images = new Uint8Array(16 + n * 144);
  images.set([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 12, 0, 0, 0, 12]);
  for (let i = 16; i < images.length; i++) images[i] = (i * 37) % 256;
  const labels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, n, ...Array.from({ length: n }, (_, i) => i % 10)]);
  writeFileSync(join(dir, 'images.idx'), images);
  writeFileSync(join(dir, 'labels.idx'), labels);
  return [
    '--backbone', join(dir, 'sit.safetensors'), '--images', join(dir, 'images.idx'), '--labels', join(dir, 'labels.idx'),
    '--batch', '2', '--chain', '2', '--channels', '8', '--embed', '8', '--blocks', '2', '--heads', '2', '--checkpoint-every', '1', '--keep', '3',
  ];
}

describe('train-sidenet on a tiny model', () => {
  it('--resume skips a corrupted newest checkpoint, says so, and continues from the previous one', async () => {
    const out = join(tmp, 'resume');
    const first = await trainSidenet([...tinyRunFiles(), '--out', out, '--steps', '2']);
    expect(first.code, first.stderr).toBe(0);
    const newest = checkpointPath(out, 2);
    const bytes = readFileSync(newest);
    bytes[bytes.length - 101] ^= 0x20;
    writeFileSync(newest, bytes);
    const resumed = await trainSidenet([...tinyRunFiles(), '--out', out, '--steps', '3', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/skipped checkpoint .*ckpt-00000002\.safetensors: checksum mismatch/);
    expect(resumed.stdout).toMatch(/resumed from .*ckpt-00000001\.safetensors \(step 1\)/);
    expect(resumed.stdout).toMatch(/step 2\/3 .*\n.*step 3\/3/);
  });

  it('a non-finite loss stops the run: exit 1, one line naming the step, nothing saved from it', async () => {
    const out = join(tmp, 'diverge');
    // lr 1e30: the first update throws the weights to ~1e30, and the next loss overflows.
    const run = await trainSidenet([...tinyRunFiles(), '--out', out, '--steps', '4', '--lr', '1e30']);
    expect(run.code, run.stderr).toBe(1);
    expect(errorLines(run)).toHaveLength(1);
    expect(run.stderr).toMatch(/TrainingDivergedError: training diverged at step 2: loss (NaN|Infinity)/);
    expect(run.stdout).toMatch(/step 1\/4/);
    expect(run.stdout).not.toMatch(/step 2\/4/);
    expect(() => readFileSync(checkpointPath(out, 2))).toThrow(/ENOENT/);
  });
});
