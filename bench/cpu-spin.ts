/**
 * The competing CPU load of `bench/cpu-load.ts`: one thread spinning on the clock for at most
 * `--ms` milliseconds, then exiting by itself (so a load whose parent died stops anyway).
 */
const ms = Number(process.argv.find((a) => a.startsWith('--ms='))?.slice(5) ?? 0);
if (!(ms > 0)) throw new Error('cpu-spin: pass --ms=<positive milliseconds>');
process.stdout.write('spinning\n');
const until = Date.now() + ms;
let sink = 0;
while (Date.now() < until) sink = (sink + 1) % 1e9;
process.exit(sink < 0 ? 1 : 0);
