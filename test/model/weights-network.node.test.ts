/**
 * Loading weights from URLs that fail: real HTTP servers on 127.0.0.1 that close mid-body,
 * stall, refuse or answer 404, and loads aborted through an AbortSignal. Every failure must be
 * a typed error naming the URL, and leave no GPU memory behind.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { SideNetModel } from '../../src/model/sidenet.js';
import { SitModel } from '../../src/model/sit.js';
import { VaeDecoder } from '../../src/model/vae.js';
import { loadWeights, WeightFileError, type LoadProgress } from '../../src/model/weights.js';
import { tinySideNetFile, tinySitFile, tinyVaeFile } from '../api/tiny-models.js';
import { testEngine } from '../helpers/engine.js';

/** Old loaders hung forever on a stalled server; fail fast instead. */
const NETWORK_TEST_TIMEOUT_MS = 15_000;

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.safetensors`;
}

/** Sends the headers for the whole file and its first `sentBytes`, then leaves the response open. */
function sendPrefix(res: ServerResponse, bytes: Uint8Array, sentBytes: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
  res.write(bytes.subarray(0, sentBytes));
}

async function rejection(load: Promise<unknown>): Promise<Error> {
  return load.then(
    () => { throw new Error('the load succeeded'); },
    (e: unknown) => e as Error,
  );
}

/** The load's error, after checking that it freed every tensor it had uploaded. */
async function failedLoad(engine: Engine, load: () => Promise<unknown>): Promise<Error> {
  const before = engine.poolStats().liveBytes;
  const error = await rejection(load());
  expect(engine.poolStats().liveBytes).toBe(before);
  return error;
}

describe('weights from a URL that fails', () => {
  it('names the URL and the bytes received when the server closes mid-body', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const bytes = tinySideNetFile();
    const half = bytes.length >> 1;
    const url = await serve((_req, res) => {
      sendPrefix(res, bytes, half);
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const error = await failedLoad(engine, () => loadWeights(engine, url));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toContain(url);
    expect(error.message).toMatch(new RegExp(`the connection closed after \\d+ of ${bytes.length} bytes`));
    expect(error.cause).toBeDefined();
  });

  it('aborts with a WeightFileError when the server stalls for stallTimeoutMs', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const bytes = tinySideNetFile();
    let connectionClosed: Promise<void> | undefined;
    const url = await serve((req, res) => {
      connectionClosed = new Promise((resolve) => req.socket.on('close', () => resolve()));
      sendPrefix(res, bytes, bytes.length >> 1);
    });
    const started = performance.now();
    const error = await failedLoad(engine, () => loadWeights(engine, url, { stallTimeoutMs: 300 }));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/stalled: no bytes for 300 ms after \d+ of \d+ bytes/);
    expect(performance.now() - started).toBeLessThan(5_000);
    await connectionClosed; // the stalled download is torn down, not left open
  });

  it('aborts with a WeightFileError when the server never answers', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const url = await serve(() => undefined);
    const error = await failedLoad(engine, () => loadWeights(engine, url, { stallTimeoutMs: 300 }));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/stalled: no response for 300 ms/);
  });

  it('names a refused connection', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const url = await serve(() => undefined);
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const error = await failedLoad(engine, () => loadWeights(engine, url));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/connection refused/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('names the HTTP status', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const url = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such model');
    });
    const error = await failedLoad(engine, () => loadWeights(engine, url));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(new RegExp(`${url.replace(/[.]/g, '\\.')}.*HTTP 404 Not Found`));
  });
});

describe('aborting a load', () => {
  /** Aborts `controller` once the load has uploaded a tensor, so there is something to free. */
  function abortAfterFirstTensor(controller: AbortController): (p: LoadProgress) => void {
    return () => controller.abort();
  }

  it('rejects with an AbortError mid-download, frees the uploaded tensors and closes the connection', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const bytes = tinySideNetFile();
    let connectionClosed: Promise<void> | undefined;
    const url = await serve((req, res) => {
      connectionClosed = new Promise((resolve) => req.socket.on('close', () => resolve()));
      sendPrefix(res, bytes, bytes.length >> 1);
    });
    const controller = new AbortController();
    let uploaded = 0;
    const error = await failedLoad(engine, () => loadWeights(engine, url, {
      signal: controller.signal,
      onProgress: (p) => { uploaded++; abortAfterFirstTensor(controller)(p); },
    }));
    expect(uploaded).toBeGreaterThan(0);
    expect(error.name).toBe('AbortError');
    await connectionClosed;
  });

  it('rejects with an AbortError for stream and path sources', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const bytes = tinySideNetFile();
    const controller = new AbortController();
    // A stream that delivers the first half and then waits forever.
    const stream = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(bytes.slice(0, bytes.length >> 1)) });
    const error = await failedLoad(engine, () => loadWeights(engine, stream, { signal: controller.signal, onProgress: abortAfterFirstTensor(controller) }));
    expect(error.name).toBe('AbortError');

    const aborted = AbortSignal.abort();
    expect((await failedLoad(engine, () => loadWeights(engine, 'test/model/no-such-file.safetensors', { signal: aborted }))).name).toBe('AbortError');
    expect((await failedLoad(engine, () => loadWeights(engine, bytes, { signal: aborted }))).name).toBe('AbortError');
  });

  it('applies the stall timeout to streams', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const bytes = tinySideNetFile();
    const stream = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(bytes.slice(0, bytes.length >> 1)) });
    const error = await failedLoad(engine, () => loadWeights(engine, stream, { stallTimeoutMs: 200 }));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/stalled: no bytes for 200 ms/);
  });

  it('refuses a stall timeout that is not a positive duration', async () => {
    const engine = await testEngine();
    for (const stallTimeoutMs of [0, -1, Number.NaN]) {
      await expect(loadWeights(engine, tinySideNetFile(), { stallTimeoutMs })).rejects.toThrow(/stallTimeoutMs must be a positive number/);
    }
  });

  it('threads signal and stallTimeoutMs through the model loaders', { timeout: NETWORK_TEST_TIMEOUT_MS }, async () => {
    const engine = await testEngine();
    const files = { sit: tinySitFile(), sidenet: tinySideNetFile(), vae: tinyVaeFile() };
    const url = await serve((req, res) => {
      const kind = new URL(req.url!, 'http://127.0.0.1').searchParams.get('kind') as keyof typeof files;
      sendPrefix(res, files[kind], files[kind].length >> 1);
    });
    const loaders = {
      sit: SitModel.load,
      sidenet: SideNetModel.load,
      vae: VaeDecoder.load,
    };
    for (const [kind, load] of Object.entries(loaders)) {
      const stalled = await failedLoad(engine, () => load(engine, `${url}?kind=${kind}`, { stallTimeoutMs: 200 }));
      expect(stalled.message, kind).toMatch(/stalled/);
      const controller = new AbortController();
      const aborted = await failedLoad(engine, () => load(engine, `${url}?kind=${kind}`, { signal: controller.signal, onProgress: () => controller.abort() }));
      expect(aborted.name, kind).toBe('AbortError');
    }
  });
});
