/**
 * A small static file server for the demo (and the tests that drive it): serves the built page
 * (dist/demo) at / and the model files at /models/. Files are streamed, with their length, so
 * the page's loader reports progress.
 *
 *   npm run demo                  # builds the page, serves it on http://127.0.0.1:8080/
 *   node dist/demo/serve.mjs --port 9000 --host 0.0.0.0
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer, type Mounts } from '../scripts/static-server.mjs';

export type { Mounts };

/** Serves `mounts` on host:port (0 picks a free one); resolves with the server and its origin. */
export async function serveStatic(mounts: Mounts, port = 0, host = '127.0.0.1'): Promise<{ server: Server; origin: string }> {
  const { server, port: bound } = await startStaticServer({ mounts, port, host });
  return { server, origin: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}` };
}

/** The demo's mounts: the built page and the package's models/ folder. */
export function demoMounts(packageRoot: string): Mounts {
  return [['/models/', join(packageRoot, 'models')], ['/', join(packageRoot, 'dist/demo')]];
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  // Bundled to dist/demo/serve.mjs: the package root is two levels up.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  if (!existsSync(join(root, 'dist/demo/index.html'))) throw new Error('dist/demo is not built: run `node scripts/build.mjs --demo` (or `npm run demo`)');
  const { origin } = await serveStatic(demoMounts(root), Number(flag('--port') ?? process.env.PORT ?? 8080), flag('--host') ?? '127.0.0.1');
  console.log(`demo: ${origin}/  (models from ${join(root, 'models')}; Ctrl-C stops)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(String((err as Error)?.message ?? err));
    process.exitCode = 1;
  });
}
