/**
 * The command line on the shipped Fashion-MNIST model set (models/): sample, eval and bench run
 * in-process on the test adapter with tiny settings; bad flags fail with a message that names
 * the problem. eval needs Debian's dataset-fashion-mnist (installed by
 * scripts/install-system-deps.sh); without it that test is skipped and says why.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { benchCommand } from '../../src/cli/bench.js';
import { SHIPPED, UsageError } from '../../src/cli/common.js';
import { evalCommand } from '../../src/cli/eval.js';
import { sampleCommand } from '../../src/cli/sample.js';
import { trainSidenetCommand } from '../../src/cli/train-sidenet.js';
import { tinySitFile, tinyVaeFile } from '../api/tiny-models.js';
import { decodePng } from '../helpers/png.js';

const haveData = existsSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz');
let out: string;
let stdout: string[];

beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'ba-cli-'));
  stdout = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void stdout.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe('ba-webgpu CLI on the shipped model', () => {
  it('the shipped model set is committed', () => {
    for (const path of Object.values(SHIPPED)) expect(existsSync(path), path).toBe(true);
  });

  it('sample: a PNG grid of one row per class, with per-NFE time in the JSON line', async () => {
    const png = join(out, 'grid.png');
    const code = await sampleCommand(['--solver', 'ba', '--nfe', '3', '--classes', '1,7', '--per-class', '3', '--scale', '1', '--out', png, '--json']);
    expect(code).toBe(0);
    const image = decodePng(readFileSync(png));
    expect(image.channels).toBe(1);
    // 3 columns × 2 rows of 28×28 tiles with borders.
    expect(image.width).toBeGreaterThanOrEqual(3 * 28);
    expect(image.width).toBeLessThan(3 * 28 + 20);
    expect(image.height).toBeGreaterThanOrEqual(2 * 28);
    expect(image.height).toBeLessThan(2 * 28 + 20);
    const stats = JSON.parse(stdout.at(-1)!) as { backboneCalls: number; images: number; msPerNfe: number };
    expect(stats.backboneCalls).toBe(3);
    expect(stats.images).toBe(6);
    expect(stats.msPerNfe).toBeGreaterThan(0);
    // Not blank: the samples have both ink and background.
    const values = new Set(image.pixels);
    expect(values.size).toBeGreaterThan(20);
  });

  it('sample: a SiT on VAE latents decodes through --vae into an RGB grid (the ImageGenerator path apps use); without --vae it is a usage error', async () => {
    writeFileSync(join(out, 'sit.safetensors'), tinySitFile(21, null));
    writeFileSync(join(out, 'vae.safetensors'), tinyVaeFile());
    const png = join(out, 'vae-grid.png');
    const args = ['--model', join(out, 'sit.safetensors'), '--solver', 'euler', '--nfe', '2', '--classes', '0,3,9', '--per-class', '2', '--scale', '2', '--batch', '4', '--out', png];
    await expect(sampleCommand(args)).rejects.toThrow(/--vae: .* works on VAE latents .*: pass the converted VAE decoder/);
    expect(await sampleCommand([...args, '--vae', join(out, 'vae.safetensors')])).toBe(0);
    const image = decodePng(readFileSync(png));
    // 2 columns × 3 rows of 16×16 images (8×8 latents, ×2 VAE) at scale 2, 2-pixel borders.
    expect([image.channels, image.width, image.height]).toEqual([3, 2 * (32 + 2) + 2, 3 * (32 + 2) + 2]);
    expect(new Set(image.pixels).size).toBeGreaterThan(20);
    await expect(sampleCommand(['--vae', join(out, 'vae.safetensors'), '--out', png])).rejects.toThrow(/--vae: .* works on pixels .*: it needs no VAE/);
  });

  it('sample: unknown solver, bad NFE, a class the model lacks and a missing file are usage errors that name the problem', async () => {
    await expect(sampleCommand(['--solver', 'rk5'])).rejects.toThrow(UsageError);
    await expect(sampleCommand(['--solver', 'rk5'])).rejects.toThrow(/unknown solver 'rk5'/);
    await expect(sampleCommand(['--nfe', '0'])).rejects.toThrow(/--nfe: expected an integer in \[1, 100000\], got '0'/);
    await expect(sampleCommand(['--model', join(out, 'nope.safetensors')])).rejects.toThrow(/SiT weights \(--model\) not found/);
    await expect(sampleCommand(['--solver', 'euler', '--classes', '12', '--out', join(out, 'x.png')])).rejects.toThrow(/--classes: 12 is not a class of this model \(0\.\.9\)/);
  });

  it('train-sidenet: an anneal window longer than the run is a usage error that names it', async () => {
    const files = ['--backbone', SHIPPED.sit, '--images', 'i.gz', '--labels', 'l.gz', '--out', out];
    await expect(trainSidenetCommand([...files, '--steps', '10', '--lr-decay-steps', '20'])).rejects.toThrow(/--lr-decay-steps 20: must lie in \[0, --steps 10\]/);
  });

  it.skipIf(!haveData)('train-sidenet (skipped without dataset-fashion-mnist): progress lines with the annealed lr, checkpoint and EMA export', async () => {
    const fashion = '/usr/share/datasets/fashion-mnist/train';
    const code = await trainSidenetCommand([
      '--backbone', SHIPPED.sit, '--images', `${fashion}-images-idx3-ubyte.gz`, '--labels', `${fashion}-labels-idx1-ubyte.gz`, '--out', out,
      '--limit', '32', '--batch', '2', '--chain', '2', '--channels', '8', '--embed', '8', '--blocks', '2', '--heads', '2',
      '--steps', '3', '--lr', '2e-3', '--lr-decay-steps', '2', '--lr-final', '0',
    ]);
    expect(code).toBe(0);
    const progress = stdout.filter((line) => line.startsWith('step '));
    expect(progress.map((line) => / lr (\S+) /.exec(line)?.[1])).toEqual(['2.00e-3', '1.00e-3', '0.00e+0']);
    expect(existsSync(join(out, 'ckpt-00000003.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'sidenet-ema.safetensors'))).toBe(true);
  });

  it.skipIf(!haveData)('eval (skipped without dataset-fashion-mnist): every output file, one cell per solver × NFE, BA ahead of Euler at equal NFE', async () => {
    const code = await evalCommand([
      '--solvers', 'euler,ba', '--nfe', '2,4', '--samples', '40', '--error-samples', '8', '--rk4-steps', '16', '--euler-reference', '8',
      '--batch', '40', '--grid-nfe', '4', '--out', out,
    ]);
    expect(code).toBe(0);
    for (const f of ['eval.json', 'eval.md', 'error.svg', 'error.png', 'fd.svg', 'fd.png', 'accuracy.svg', 'accuracy.png', 'grid-euler-nfe4.png', 'grid-ba-nfe4.png']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const report = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as {
      cells: { solver: string; nfe: number; backboneCalls: number; error: number; fd: number; accuracy: number }[];
    };
    expect(report.cells.map((c) => `${c.solver}@${c.nfe}`)).toEqual(['euler@2', 'euler@4', 'ba@2', 'ba@4', 'euler@8']);
    for (const c of report.cells) {
      expect(c.backboneCalls).toBe(c.nfe);
      expect(c.accuracy).toBeGreaterThanOrEqual(0);
      expect(c.accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(c.fd)).toBe(true);
    }
    const cell = (s: string, n: number) => report.cells.find((c) => c.solver === s && c.nfe === n)!;
    // More steps get closer to the RK4 solution, and BA-solver is closer than Euler at equal NFE.
    expect(cell('euler', 8).error).toBeLessThan(cell('euler', 4).error);
    expect(cell('ba', 4).error).toBeLessThan(cell('euler', 4).error);
    expect(readFileSync(join(out, 'eval.md'), 'utf8')).toContain('### Targets');

    // A rerun reuses the cached cells; --cached-only reports without computing the new NFE.
    const started = performance.now();
    expect(await evalCommand([
      '--solvers', 'euler,ba', '--nfe', '2,4,5', '--samples', '40', '--error-samples', '8', '--rk4-steps', '16', '--euler-reference', '8',
      '--batch', '40', '--grid-nfe', '4', '--out', out, '--cached-only',
    ])).toBe(0);
    const again = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as typeof report & { missing: string[] };
    expect(again.cells).toEqual(report.cells);
    expect(again.missing).toEqual(['euler at 5 NFE', 'ba at 5 NFE']);
    expect(readFileSync(join(out, 'eval.md'), 'utf8')).toContain('Not computed (–): euler at 5 NFE, ba at 5 NFE.');
    console.info(`cached rerun: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it('bench: a latency row per solver × NFE, relative to Euler', async () => {
    const json = join(out, 'bench.json');
    expect(await benchCommand(['--solvers', 'euler,ba', '--nfe', '2', '--batch', '2', '--repeats', '1', '--json', json])).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { cells: { solver: string; msPerNfe: number; vsEuler: number }[] };
    expect(report.cells.map((c) => c.solver)).toEqual(['euler', 'ba']);
    expect(report.cells[0].vsEuler).toBe(1);
    expect(report.cells[1].msPerNfe).toBeGreaterThan(0);
  });
});
