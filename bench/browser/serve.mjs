// The bench pages and their static server (issue 6). `npm run bench:serve` builds the pages and
// serves them for desktop Chrome (a real GPU); bench/browser/run.mjs and the page test use the
// same build and server headlessly.
//
//   node bench/browser/serve.mjs [--port=8080] [--host=127.0.0.1] [--models=models] [--no-build]
//
// Serves, with COOP same-origin / COEP require-corp (cross-origin isolation: onnxruntime-web's
// wasm threads need SharedArrayBuffer, and performance.now() gets its finest resolution):
//   /          dist/bench/browser (latency.html, index.html and their bundles)
//   /models/   the repo's models/ folder (the shipped model; --models=DIR serves another)
//   /ort/      node_modules/onnxruntime-web/dist (the ORT comparison page)
//   /model/    out/bench/onnx (ONNX exports made by run.mjs for the ORT comparison)
// WebGPU needs a secure context: open the page as http://localhost or http://127.0.0.1 (another
// host name over plain http has no navigator.gpu).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startStaticServer } from '../../scripts/static-server.mjs';

export const root = new URL('../../', import.meta.url).pathname;
export const pageDir = join(root, 'dist/bench/browser');

/**
 * bench/core.ts also holds the Node-only PyTorch peer client, whose node: imports esbuild keeps
 * in a browser bundle; the pages use only its pure helpers, so those imports become empty
 * modules (anything else importing a node: builtin stays external, as in the engine's bundle).
 */
const stubCoreNodeImports = {
  name: 'stub-core-node-imports',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.importer.endsWith(`${sep}bench${sep}core.ts`) ? { path: args.path, namespace: 'node-stub' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** Bundles the pages (bench/browser/*.ts) into dist/bench/browser with their HTML. */
export async function buildPages() {
  mkdirSync(pageDir, { recursive: true });
  await build({
    entryPoints: { latency: join(root, 'bench/browser/latency.ts'), page: join(root, 'bench/browser/page.ts') },
    outdir: pageDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true,
    loader: { '.wgsl': 'text' }, mainFields: ['module', 'main'], alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
    external: ['webgpu', 'node:*'], plugins: [stubCoreNodeImports], logLevel: 'warning', absWorkingDir: root,
  });
  for (const html of ['latency.html', 'index.html']) copyFileSync(join(root, 'bench/browser', html), join(pageDir, html));
}

/**
 * Starts the static server; resolves with its origin. `modelsDir` is served as /models/
 * (default: the repo's models/). Port 0 picks a free one.
 */
export async function startServer({ host = '127.0.0.1', port = 0, modelsDir = join(root, 'models') } = {}) {
  const mounts = [
    ['/models/', modelsDir],
    ['/ort/', join(root, 'node_modules/onnxruntime-web/dist')],
    ['/model/', join(root, 'out/bench/onnx')],
    ['/', pageDir],
  ];
  const headers = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
  };
  const { server, port: bound } = await startStaticServer({ mounts, index: 'latency.html', headers, port, host });
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { server, origin: `http://${shownHost}:${bound}`, close: () => new Promise((ok) => server.close(ok)) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.join('=')];
  }));
  if (!('no-build' in args)) await buildPages();
  const modelsDir = args.models ? resolve(args.models) : join(root, 'models');
  const { origin } = await startServer({ host: args.host || '127.0.0.1', port: Number(args.port || 8080), modelsDir });
  console.log(`serving dist/bench/browser, ${modelsDir} as /models/ (cross-origin isolated)`);
  console.log(`  per-NFE latency (BA-solver):  ${origin}/latency.html`);
  console.log(`    e.g. ${origin}/latency.html?sizes=S,B&batches=1&nfe=4&repeats=3 (parameters are listed on the page)`);
  console.log(`  onnxruntime-web comparison:   run by \`npm run bench:browser -- --pages=ort\` (index.html is driven by it)`);
  if (!existsSync(join(modelsDir, 'fashion-sit.safetensors'))) console.log(`  note: ${join(modelsDir, 'fashion-sit.safetensors')} is missing: the page will say 'shipped model not found'`);
  console.log('Ctrl-C stops the server.');
}
