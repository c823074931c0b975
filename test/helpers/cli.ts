/**
 * The `ba-webgpu` CLI run as a shell runs it: bundled (like dist/tools/ba-webgpu.mjs, two levels
 * below the package root so it finds models/) into a folder of its own, so tests do not race
 * other builds of dist/tools, then spawned as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BundledCli {
  run(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
  remove(): void;
}

export async function bundleCli(): Promise<BundledCli> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const outdir = mkdtempSync(join(ROOT, 'dist', 'test-cli-'));
  const cli = join(outdir, 'ba-webgpu.mjs');
  await build({
    entryPoints: [join(ROOT, 'tools/ba-webgpu.ts')], outfile: cli, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    loader: { '.wgsl': 'text' }, mainFields: ['module', 'main'], alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
    external: ['webgpu'], logLevel: 'warning', absWorkingDir: ROOT,
  });
  return {
    run: (args, options = {}) => new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    }),
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** stderr without the warnings Dawn prints when it creates a device. */
export const errorLines = (run: CliRun): string[] => run.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('Warning: '));
