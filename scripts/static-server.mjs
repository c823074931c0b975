// The static file server behind `npm run demo` (demo/serve.ts, bundled by scripts/build.mjs) and
// `npm run bench:serve` (bench/browser/serve.mjs, run by node directly): plain JavaScript so
// both can use it. Types: static-server.d.mts.
//
// A request never takes the server down: a URL that does not decode gets 400, a method other
// than GET/HEAD 405, and anything else that throws while answering 500. Files outside the
// mounts (`..`, encoded or not) are 404.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json',
  '.json': 'application/json', '.png': 'image/png', '.wasm': 'application/wasm', '.safetensors': 'application/octet-stream',
};

/**
 * Starts serving `mounts` ([URL prefix, folder] pairs, first match wins: list longer prefixes
 * first); `index` answers a request for a prefix itself; `headers` go on every file response.
 * Resolves once listening, with the bound port (port 0 picks a free one).
 */
export async function startStaticServer({ mounts, index = 'index.html', headers = {}, port = 0, host = '127.0.0.1' }) {
  const roots = mounts.map(([prefix, folder]) => [prefix, resolve(folder)]);
  const server = createServer((req, res) => {
    try {
      answer(req, res, roots, index, headers);
    } catch (err) {
      fail(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  await new Promise((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      listening();
    });
  });
  return { server, port: server.address().port };
}

function answer(req, res, roots, index, headers) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end(`method ${req.method} not allowed\n`);
    return;
  }
  const path = decodePath(req.url ?? '/');
  if (path === undefined) {
    fail(res, 400, 'bad request: the URL does not decode');
    return;
  }
  const mount = roots.find(([prefix]) => path.startsWith(prefix));
  const file = mount && join(mount[1], path.slice(mount[0].length) || index);
  const stats = file && file.startsWith(mount[1] + sep) ? statIfPresent(file) : undefined;
  if (!stats?.isFile()) {
    fail(res, 404, `not found: ${path}`);
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': stats.size,
    'cache-control': 'no-store',
    ...headers,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // A read error after the headers went out cannot become a status: cut the response short.
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/** The request's path, percent-decoded; undefined when it does not decode (or holds a NUL). */
function decodePath(url) {
  try {
    const path = decodeURIComponent(new URL(url, 'http://x').pathname);
    return path.includes('\0') ? undefined : path;
  } catch {
    return undefined;
  }
}

/** The file's stats, undefined when no file has that name; other errors (ELOOP, EACCES) throw. */
function statIfPresent(file) {
  try {
    return statSync(file);
  } catch (err) {
    if (ABSENT.has(err?.code)) return undefined;
    throw err;
  }
}

const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG']);

function fail(res, status, message) {
  if (res.headersSent) res.destroy();
  else res.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
}
