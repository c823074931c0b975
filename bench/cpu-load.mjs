// A fixed competing CPU load beside a measurement, for the Node benches (bundled) and the
// browser bench runner (plain Node): `withCpuLoad(run)` starts one busy-looping child process,
// waits until it spins, runs the measurement and kills the child in a finally. The child spins
// on the clock for at most `maxMs` and also exits within ~0.1 s once its parent is gone
// (reparented), so a killed bench leaves no spinner behind.
import { spawn } from 'node:child_process';

// The child's whole program, run with `node -e`: nothing to build or locate beside the bench.
const SPINNER = `
const ms = Number(process.argv.find((a) => a.startsWith('--ms='))?.slice(5) ?? 0);
if (!(ms > 0)) throw new Error('cpu-spin: pass --ms=<positive milliseconds>');
const parentPid = process.ppid;
process.stdout.write('spinning\\n');
const until = Date.now() + ms;
let nextParentCheck = 0;
for (let t = Date.now(); t < until; t = Date.now()) {
  if (t >= nextParentCheck) {
    if (process.ppid !== parentPid) break;
    nextParentCheck = t + 100;
  }
}
process.exit(0);
`;

export async function withCpuLoad(run, maxMs = 10 * 60_000) {
  const child = spawn(process.execPath, ['-e', SPINNER, '--', `--ms=${maxMs}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`cpu-spin exited (${code}) before spinning`)));
      child.stdout.once('data', () => resolve());
    });
    return await run();
  } finally {
    child.kill('SIGKILL');
  }
}
