/**
 * A fixed competing CPU load beside a measurement: `withCpuLoad(run)` starts one busy-looping
 * child process (`cpu-spin.mjs`, built next to the bench), waits until it spins, runs the
 * measurement and kills the child in a finally. The child also stops by itself after
 * `maxMs`, or once this process is gone.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export async function withCpuLoad<T>(run: () => Promise<T>, maxMs = 10 * 60_000): Promise<T> {
  const script = fileURLToPath(new URL('./cpu-spin.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, `--ms=${maxMs}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`cpu-spin exited (${code}) before spinning`)));
      child.stdout.once('data', () => resolve());
    });
    return await run();
  } finally {
    child.kill('SIGKILL');
  }
}
