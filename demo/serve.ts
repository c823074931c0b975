/**
 * A small static file server for the demo (and the tests that drive it): serves the built page
 * (dist/demo) at / and the model files at /models/. Files are streamed, with their length, so
 * the page's loader reports progress.
 *
 *   npm run demo                  # builds the page, serves it on http://127.0.0.1:8080/
 *   node dist/demo/serve.mjs --port 9000 --host 0.0.0.0
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** URL prefix → folder, first match wins (list longer prefixes first). */
export type Mounts = [prefix: string, folder: string][];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json',
  '.json': 'application/json', '.png': 'image/png', '.safetensors': 'application/octet-stream',
};

export async function serveStatic(mounts: Mounts, port = 0, host = '127.0.0.1'): Promise<{ server: Server; origin: string }> {
  const roots = mounts.map(([prefix, folder]) => [prefix, resolve(folder)] as const);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = roots.find(([prefix]) => path.startsWith(prefix));
    const file = mount && join(mount[1], path.slice(mount[0].length) || 'index.html');
    if (!mount || !file || !(file === mount[1] || file.startsWith(mount[1] + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size, 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done, failed) => {
    server.once('error', failed);
    server.listen(port, host, done);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
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
