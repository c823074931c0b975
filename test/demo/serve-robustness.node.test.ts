/**
 * Both static servers (the demo's, `npm run demo`, and the bench pages', `npm run bench:serve`)
 * answer malformed requests with a status and keep serving: a URL that does not decode is 400
 * (it used to throw URIError out of the request handler and kill the process), a POST is 405.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../demo/serve.js';

const root = new URL('../../', import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), 'ba-serve-test-'));
writeFileSync(join(folder, 'hello.txt'), 'hello');
writeFileSync(join(folder, 'index.html'), '<p>index</p>');
symlinkSync('loop', join(folder, 'loop')); // stat fails with ELOOP: an error no request should cause
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with `path` sent as is (fetch would normalise it before it leaves). */
function send(origin: string, method: string, path: string): Promise<Reply> {
  const { hostname, port } = new URL(origin);
  return new Promise((done, failed) => {
    const req = request({ host: hostname, port, method, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', failed);
    req.end();
  });
}

/** The same checks for either server; `file` is a path it serves from `folder`. */
function survivesBadRequests(origin: () => string, file: string) {
  it('answers a URL that does not decode with 400 and keeps serving', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/models/%ZZ', '/%00']) {
      expect((await send(origin(), 'GET', path)).status, path).toBe(400);
    }
    const ok = await send(origin(), 'GET', file);
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('hello');
  });

  it('answers methods other than GET and HEAD with 405 and Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const reply = await send(origin(), method, file);
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    const head = await send(origin(), 'HEAD', file);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('5');
    expect((await send(origin(), 'GET', file)).body).toBe('hello');
  });

  it('answers a failure while serving with 500 and keeps serving', async () => {
    expect((await send(origin(), 'GET', '/models/loop')).status).toBe(500);
    expect((await send(origin(), 'GET', file)).status).toBe(200);
  });

  it('says 404 for names that cannot exist', async () => {
    for (const path of ['/models/hello.txt/inside', `/models/${'a'.repeat(300)}`, '/models/absent.txt']) {
      expect((await send(origin(), 'GET', path)).status, path.slice(0, 40)).toBe(404);
    }
  });

  it('refuses paths outside its folders', async () => {
    for (const path of ['/../package.json', '/..%2fpackage.json', '/models/..%2f..%2fpackage.json', '/models/%2e%2e/%2e%2e/package.json']) {
      expect((await send(origin(), 'GET', path)).status, path).toBe(404);
    }
  });
}

describe('demo static server (demo/serve.ts)', () => {
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    ({ server, origin } = await serveStatic([['/models/', folder], ['/', folder]]));
  });
  afterAll(() => server?.close());

  it('binds 127.0.0.1 by default', () => {
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  survivesBadRequests(() => origin, '/models/hello.txt');
});

describe('bench page server (bench/browser/serve.mjs, run as npm run bench:serve does)', () => {
  let child: ChildProcess;
  let origin = '';
  let output = '';
  beforeAll(async () => {
    // --no-build: the pages are not needed here, only the server (and its /models/ mount).
    child = spawn(process.execPath, ['bench/browser/serve.mjs', '--no-build', '--port=0', `--models=${folder}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d) => (output += d));
    origin = await new Promise<string>((found, failed) => {
      child.stdout!.on('data', (d) => {
        output += d;
        const match = /http:\/\/[^/\s]+/.exec(output);
        if (match) found(match[0]);
      });
      child.on('exit', (code) => failed(new Error(`serve.mjs exited (${code}):\n${output}`)));
    });
  });
  afterAll(() => {
    child?.kill();
  });

  it('binds 127.0.0.1 by default', () => {
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
  survivesBadRequests(() => origin, '/models/hello.txt');

  it('is still running after all of the above', () => {
    expect(child.exitCode, output).toBeNull();
  });
});
