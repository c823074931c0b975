/**
 * A read-only npm registry on loopback, so that the consumer test installs the packed tarball
 * exactly as `npm install ba-webgpu webgpu` would, with no network: it serves one version of
 * each package (a packument and its tarball) and records what npm asked for.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';

export interface RegistryPackage {
  /** The package.json that goes into the packument (name, version, dependencies, peers, ...). */
  manifest: { name: string; version: string } & Record<string, unknown>;
  /** Path of the .tgz that `npm pack` made. */
  tarball: string;
}

export interface Registry {
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startRegistry(packages: readonly RegistryPackage[]): Promise<Registry> {
  const tarballs = new Map<string, Buffer>();
  const packuments = new Map<string, () => string>();
  let url = '';
  for (const { manifest, tarball } of packages) {
    const bytes = readFileSync(tarball);
    const file = basename(tarball);
    tarballs.set(`/-/${file}`, bytes);
    const dist = {
      tarball: `/-/${file}`,
      integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      shasum: createHash('sha1').update(bytes).digest('hex'),
    };
    // Tarball URLs are absolute, and the port is known only once the server listens.
    packuments.set(manifest.name, () => JSON.stringify({
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: { [manifest.version]: { ...manifest, dist: { ...dist, tarball: url + dist.tarball } } },
    }));
  }
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://registry').pathname);
    requests.push(path);
    const tarball = tarballs.get(path);
    const packument = packuments.get(path.slice(1));
    if (tarball) res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length }).end(tarball);
    else if (packument) res.writeHead(200, { 'content-type': 'application/json' }).end(packument());
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
