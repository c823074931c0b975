/**
 * For tests that drive a page in Chromium against files served from memory: a page bundle
 * (esbuild, as the package's browser build resolves) and a loopback server whose files the test
 * may replace between loads. Every response carries an ETag of its bytes (so the browser weight
 * cache can revalidate) and `no-store`; every request is recorded as 'METHOD /path'.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';

const root = new URL('../../', import.meta.url).pathname;

/** A page that loads ./page.js as a module. */
export const PAGE_HTML = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./page.js"></script>';

/** One browser bundle of `entry` (a path from the repository root), as text. */
export async function bundlePage(entry: string): Promise<string> {
  const bundle = await build({
    entryPoints: [`${root}${entry}`], bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
    loader: { '.wgsl': 'text' }, mainFields: ['module', 'main'], alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
    external: ['webgpu', 'node:*'], logLevel: 'warning', absWorkingDir: root,
  });
  return bundle.outputFiles[0].text;
}

export async function serveFiles(files: Map<string, Uint8Array | string>): Promise<{ server: Server; origin: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(`${req.method} ${path}`);
    const body = files.get(path);
    if (body === undefined) return void res.writeHead(404).end();
    const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const type = path.endsWith('.js') ? 'text/javascript' : path.endsWith('.html') ? 'text/html' : 'application/octet-stream';
    const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`;
    res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, etag, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, requests };
}
