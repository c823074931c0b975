/**
 * The competing CPU load of `bench/cpu-load.ts`: one thread spinning on the clock for at most
 * `--ms` milliseconds, then exiting by itself; it also exits within ~0.1 s once its parent
 * is gone (reparented), so a killed bench leaves no spinner behind.
 */
const ms = Number(process.argv.find((a) => a.startsWith('--ms='))?.slice(5) ?? 0);
if (!(ms > 0)) throw new Error('cpu-spin: pass --ms=<positive milliseconds>');
const parentPid = process.ppid;
process.stdout.write('spinning\n');
const until = Date.now() + ms;
let nextParentCheck = 0;
for (let t = Date.now(); t < until; t = Date.now()) {
  if (t >= nextParentCheck) {
    if (process.ppid !== parentPid) break;
    nextParentCheck = t + 100;
  }
}
process.exit(0);
