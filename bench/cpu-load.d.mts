/** Runs `run` beside one busy-looping child process (at most `maxMs`, default 10 min); see cpu-load.mjs. */
export function withCpuLoad<T>(run: () => Promise<T>, maxMs?: number): Promise<T>;
