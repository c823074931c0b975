/**
 * The GPU machine's bundle (scripts/device-bundle.sh, issue 18) without running a bench: its
 * file list and the 60 MiB cap, run.sh's --help and --dry-run (node unpacked from node.xz, the
 * Vulkan ICD search, Dawn loaded through the bundle's node_modules/webgpu shim), and the
 * bench's --merge of ours + the PyTorch peer into one report. A few seconds once the compressed
 * node is cached in .cache/device-bundle/; the first build compresses it (about a minute).
 * The bench itself is proven by hand: bench/README.md, "GPU machine".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuReport, MergedReport, PeerReport } from '../../bench/gpu-report.js';

const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'ba-device-bundle-'));
const dir = join(work, 'bundle');
const lavapipe = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'].find((p) => existsSync(p));
const nvidiaIcd = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d']
  .some((d) => existsSync(d) && readdirSync(d).some((f) => /^nvidia_icd.*\.json$/.test(f)));

function files(base: string): string[] {
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(base, join(e.parentPath, e.name)))
    .sort();
}

function runSh(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(join(dir, 'run.sh'), args, { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The environment without a chosen ICD, so run.sh has to search for one. */
function envWithoutIcd(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.VK_ICD_FILENAMES;
  delete env.VK_DRIVER_FILES;
  return env;
}

beforeAll(() => {
  execFileSync(join(root, 'scripts/device-bundle.sh'), [dir], { stdio: 'pipe' });
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('device bundle', () => {
  it('holds node, Dawn behind a webgpu shim, the bench, the Vulkan loader and the peer, under 60 MiB', () => {
    expect(files(dir)).toEqual([
      'gpu.mjs', 'lib/libvulkan.so.1', 'node.version', 'node.xz',
      'node_modules/webgpu/dist/linux-x64/dawn.node', 'node_modules/webgpu/index.js', 'node_modules/webgpu/package.json',
      'reference/bench_torch_gpu.py', 'reference/sit.py', 'run.sh',
    ]);
    const total = files(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(60 * 2 ** 20);
    expect(readFileSync(join(dir, 'node.version'), 'utf8').trim()).toBe(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim());
    // One file: nothing but Dawn left to node_modules.
    expect(readFileSync(join(dir, 'gpu.mjs'), 'utf8')).not.toMatch(/from ['"](?!webgpu['"]|node:)[^'".][^'"]*['"]/);
  });

  it('refuses a non-empty directory', () => {
    const r = spawnSync(join(root, 'scripts/device-bundle.sh'), [dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is not empty');
  });

  it('run.sh --help prints its usage', () => {
    const r = runSh(['--help'], process.env);
    expect(r.status).toBe(0);
    expect(r.out).toContain('usage: run.sh [--quick] [--dry-run]');
    expect(runSh(['--bogus'], process.env).status).toBe(2);
  });

  it.runIf(lavapipe)('run.sh --dry-run unpacks node, takes the given ICD and loads Dawn from the bundle', () => {
    const r = runSh(['--dry-run'], { ...envWithoutIcd(), VK_ICD_FILENAMES: lavapipe, PYTHON: process.env.PYTHON ?? '/usr/bin/python3' });
    expect(r.out).toContain(`node ${process.version}`);
    expect(r.out).toContain(`Vulkan ICD ${lavapipe}`);
    expect(r.out).toContain(`Dawn loads from ${dir}/node_modules/webgpu`);
    expect(r.out).toContain('dry run, no bench run');
    expect(r.status).toBe(0);
  });

  it.runIf(!nvidiaIcd)('run.sh says so when no NVIDIA ICD is installed and none is given', () => {
    const r = runSh(['--dry-run'], envWithoutIcd());
    expect(r.status).toBe(1);
    expect(r.out).toContain('no NVIDIA Vulkan ICD (nvidia_icd.json)');
  });

  it('gpu.mjs --merge joins ours and the peer into per-shape ratios and the targets', () => {
    const ours = {
      bench: 'gpu', adapter: 'NVIDIA H200 via dawn-node', adapterInfo: { vendor: 'nvidia', architecture: '', device: '', description: 'NVIDIA H200' },
      features: ['shader-f16'], profiler: 'timestamp', peak: { name: 'NVIDIA H200 SXM', f32: 67, f16: 133.8 }, quick: false,
      settings: { size: 'XL', dtypes: ['f16'], batches: [1], nfe: 4, warmup: 1, repeats: 3, ablation: false }, loadavgStart: [0, 0, 0],
      cases: [{
        model: 'SiT-XL/2', dtype: 'f16', batch: 1, nfe: 4, wallPerNfe: 30, profiled: { backbone: 27, sidenet: 2.9, solver: 0.1 },
        sidenetQuadShare: 0.1, peakBytes: 2e9, weightBytes: 1.3e9, gflopPerNfe: { backbone: 237, sidenet: 9 },
        kernels: [{ phase: 'backbone', group: 'matmul', msPerNfe: 20, gflopPerNfe: 230, gflopsPerS: 11500, peakShare: 0.086 }],
        kernelMs: { backbone: {}, sidenet: {}, solver: {} }, dispatchesPerRun: {},
      }],
      skipped: [], complete: true,
    } satisfies GpuReport;
    const peer: PeerReport = {
      torch: '2.5', device: 'cuda', deviceName: 'NVIDIA H200',
      results: [{ size: 'XL', dtype: 'fp16', batch: 1, median_ms: 12 }, { size: 'XL', dtype: 'bf16', batch: 1, error: 'x' }], complete: true,
    };
    writeFileSync(join(work, 'ours.json'), JSON.stringify(ours));
    writeFileSync(join(work, 'peer.json'), JSON.stringify(peer));
    const report = join(work, 'report.json');
    const out = execFileSync('node', [join(dir, 'gpu.mjs'), '--merge', `--ours=${join(work, 'ours.json')}`, `--peer=${join(work, 'peer.json')}`,
      `--report=${report}`, '--note=a note'], { encoding: 'utf8' });
    const merged = JSON.parse(readFileSync(report, 'utf8')) as MergedReport;
    expect(merged.rows).toHaveLength(1);
    expect(merged.rows[0].backboneOverTorchFp16).toBeCloseTo(27 / 12);
    expect(merged.rows[0].wallOverTorchFp16).toBeCloseTo(30 / 12);
    expect(merged.rows[0].torch.bf16).toBeUndefined();
    expect(merged.targets.map((t) => t.met)).toEqual([true, undefined, false]);
    expect(merged.notes).toEqual(['a note']);
    expect(out).toContain('XL/2 f16 b1');
    expect(out).toContain('NOT met');
  });
});
