/**
 * The package as apps get it: `npm pack` of a clean copy of the working tree (prepack builds
 * dist/), installed from the tarball into fresh apps through a loopback registry (no network),
 * then used the way each kind of app uses it:
 *  1. a Node app (`npm install ba-webgpu webgpu`) renders an image with the shipped model, and
 *     without `webgpu` Engine.create() says what to install;
 *  2. a page bundled by esbuild and by Vite, with no warnings from either, renders in a Web
 *     Worker and on the main thread in headless Chromium;
 *  3. a TypeScript app type-checks against the declarations under `bundler` and `node16`.
 * The app sources are in test/package/app. Run with `npm run test:package`.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';
import { build as viteBuild, createLogger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../demo/serve.js';
import { launchChromium } from '../helpers/chromium.js';
import { startRegistry, type Registry, type RegistryPackage } from './registry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const appSources = join(root, 'test/package/app');
/** Tarballs packed from node_modules (webgpu's takes 8 s to pack), reused across runs. */
const tarballCache = join(root, '.cache/package-test');
const request = { labels: [1, 7], solver: 'ba', nfe: 5, seed: 42 };

interface Image { pixels: Uint8Array; width: number; height: number }
interface PackResult { filename: string; size: number; unpackedSize: number; files: { path: string }[] }

let work: string;
let registry: Registry;
let packed: PackResult;
let nodeApp: string;
let browserApp: string;
/** The Node app's image, which the browser images are compared with. */
let nodeImage: Image | undefined;
/** Registry paths requested by each app's install. */
const installRequests = new Map<string, string[]>();

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, { cwd, env: userEnvironment(), maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${String(err)}\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** A user's shell: none of the npm_* variables that `npm run` hands its scripts. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
  return { ...env, XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR ?? tmpdir() };
}

/** `npm pack` in a copy of the tracked and untracked-but-not-ignored files: no dist/, no out/. */
async function packCleanCheckout(): Promise<{ result: PackResult; manifest: RegistryPackage['manifest'] }> {
  const checkout = join(work, 'checkout');
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  for (const file of listed.split('\0').filter((f) => f && existsSync(join(root, f)))) {
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    copyFileSync(join(root, file), join(checkout, file));
  }
  symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'));
  // prepack's build logs go to stdout before npm's JSON.
  const stdout = await run('npm', ['pack', '--json', '--pack-destination', work], checkout);
  const [result] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[\n') + 1)) as PackResult[];
  return { result, manifest: JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) };
}

/** The package in node_modules as a tarball (cached by name and version) for the registry. */
async function installedPackage(name: string): Promise<RegistryPackage> {
  const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as RegistryPackage['manifest'];
  const tarball = join(tarballCache, `${name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
  if (!existsSync(tarball)) {
    const scratch = mkdtempSync(join(work, 'pack-'));
    const [{ filename }] = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch, join(root, 'node_modules', name)], root)) as PackResult[];
    mkdirSync(tarballCache, { recursive: true });
    renameSync(join(scratch, filename), tarball); // atomic: a concurrent run never reads half a file
  }
  return { manifest, tarball };
}

/** `names` and everything they depend on, as installed in node_modules. */
function dependencyClosure(names: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    Object.keys(manifest.dependencies ?? {}).forEach(visit);
  };
  names.forEach(visit);
  return [...seen];
}

/** A fresh app with its own npm cache, installing `specs` from the loopback registry only. */
async function createApp(name: string, specs: string[]): Promise<string> {
  const app = join(work, name);
  cpSync(appSources, app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  writeFileSync(join(app, '.npmrc'), '');
  const before = registry.requests.length;
  // Anything not on loopback goes to a closed port: the install fails instead of going online.
  await run('npm', [
    'install', ...specs, `--registry=${registry.url}/`, `--cache=${join(work, `npm-cache-${name}`)}`, `--userconfig=${join(app, '.npmrc')}`,
    '--proxy=http://127.0.0.1:9', '--https-proxy=http://127.0.0.1:9', '--noproxy=127.0.0.1', '--no-audit', '--no-fund', '--no-update-notifier',
  ], app);
  installRequests.set(name, registry.requests.slice(before));
  return app;
}

function decodeImage(json: { pixels: number[] | string; width: number; height: number }): Image {
  const pixels = typeof json.pixels === 'string' ? new Uint8Array(Buffer.from(json.pixels, 'base64')) : Uint8Array.from(json.pixels);
  return { pixels, width: json.width, height: json.height };
}

/** Two Fashion-MNIST images side by side: dark background, a bright garment, opaque. */
function expectPlausibleImage(image: Image) {
  expect([image.width, image.height]).toEqual([56, 28]);
  const red = image.pixels.filter((_, i) => i % 4 === 0);
  const alpha = image.pixels.filter((_, i) => i % 4 === 3);
  expect(Math.min(...red)).toBeLessThan(40);
  expect(Math.max(...red)).toBeGreaterThan(200);
  expect(Math.min(...alpha)).toBe(255);
}

function worstDifference(a: Image, b: Image): number {
  return a.pixels.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b.pixels[i])), 0);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ba-package-'));
  const { result, manifest } = await packCleanCheckout();
  packed = result;
  console.log(`packed ${packed.filename}: ${(packed.size / 1e6).toFixed(1)} MB (unpacked ${(packed.unpackedSize / 1e6).toFixed(1)} MB, ${packed.files.length} files)`);
  const dependencies = dependencyClosure([...Object.keys(manifest.dependencies as Record<string, string>), ...Object.keys(manifest.peerDependencies as Record<string, string>)]);
  registry = await startRegistry([{ manifest, tarball: join(work, packed.filename) }, ...(await Promise.all(dependencies.map(installedPackage)))]);
  nodeApp = await createApp('node-app', ['ba-webgpu', 'webgpu']);
  browserApp = await createApp('browser-app', ['ba-webgpu']);
}, 600_000);

afterAll(async () => {
  await registry?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds what apps need and nothing else; its browser build has no Node-only import', () => {
    const paths = packed.files.map((f) => f.path);
    for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/node/index.js', 'dist/node/node.js', 'dist/browser/index.js', 'dist/browser/eval.js', 'dist/browser/train.js', 'dist/types/index.d.ts', 'dist/types/node.d.ts', 'dist/tools/ba-webgpu.mjs', 'models/fashion-sit.safetensors', 'models/fashion-sidenet.safetensors']) {
      expect(paths).toContain(file);
    }
    expect(paths.filter((p) => !/^(dist\/(node|browser|tools|types)|models)\/|^(package\.json|README\.md|LICENSE)$/.test(p))).toEqual([]);
    const browserDist = join(browserApp, 'node_modules/ba-webgpu/dist/browser');
    const scripts = readdirSync(browserDist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const nodeOnly = scripts.filter((f) => /["'](node:[\w/]+|webgpu)["']/.test(readFileSync(join(browserDist, f), 'utf8')));
    expect(nodeOnly).toEqual([]);
  });

  it('installs without Dawn for browser apps: webgpu is an optional peer dependency', () => {
    expect(existsSync(join(nodeApp, 'node_modules/webgpu/package.json'))).toBe(true);
    expect(existsSync(join(browserApp, 'node_modules/webgpu'))).toBe(false);
    const downloaded = installRequests.get('browser-app')!.filter((path) => path.startsWith('/-/'));
    expect(downloaded.filter((path) => /^\/-\/webgpu-\d/.test(path))).toEqual([]);
  });
});

describe('a Node app', () => {
  it('renders an image with the shipped model (ba-webgpu + ba-webgpu/eval + ba-webgpu/models/*)', async () => {
    const image = decodeImage(JSON.parse(await run(process.execPath, ['node-app.mjs', JSON.stringify(request)], nodeApp)));
    expectPlausibleImage(image);
    expect(readFileSync(join(nodeApp, 'image.png')).subarray(1, 4).toString()).toBe('PNG');
    nodeImage = image;
  }, 300_000);

  it('runs the package bin on the shipped model', async () => {
    await run(join(nodeApp, 'node_modules/.bin/ba-webgpu'), ['sample', '--classes', '3', '--per-class', '2', '--nfe', '3', '--out', 'grid.png'], nodeApp);
    expect(readFileSync(join(nodeApp, 'grid.png')).subarray(1, 4).toString()).toBe('PNG');
  }, 120_000);

  it('without webgpu installed, Engine.create() throws GpuUnavailableError naming `npm install webgpu`', async () => {
    const script = "import { Engine } from 'ba-webgpu'; await Engine.create().then(() => console.log('{}'), (e) => console.log(JSON.stringify({ name: e.name, message: e.message })));";
    const error = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', script], browserApp)) as { name?: string; message?: string };
    expect(error.name).toBe('GpuUnavailableError');
    expect(error.message).toContain('`npm install webgpu`');
  });
});

describe('a page bundled by esbuild and by Vite', () => {
  it('both bundle with no warnings and render in a Web Worker and on the main thread, equal to each other and to Node', async () => {
    const esbuildOut = join(browserApp, 'dist-esbuild');
    const esbuildResult = await esbuild({
      absWorkingDir: browserApp, entryPoints: ['main.js', 'worker.js'], outdir: esbuildOut, bundle: true, format: 'esm', minify: true, logLevel: 'silent',
    });
    expect(esbuildResult.warnings).toEqual([]);
    copyFileSync(join(browserApp, 'index.html'), join(esbuildOut, 'index.html'));

    const viteWarnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (message) => void viteWarnings.push(message);
    logger.warnOnce = logger.warn;
    await viteBuild({ root: browserApp, configFile: false, logLevel: 'warn', customLogger: logger, build: { outDir: 'dist-vite', emptyOutDir: true } });
    expect(viteWarnings).toEqual([]);

    const models = join(browserApp, 'node_modules/ba-webgpu/models');
    const chromium = await launchChromium();
    const images = new Map<string, Image>();
    try {
      for (const [bundler, out] of [['esbuild', esbuildOut], ['vite', join(browserApp, 'dist-vite')]]) {
        const { server, origin } = await serveStatic([['/models/', models], ['/', out]]);
        try {
          const page = await chromium.browser.newPage();
          const errors: string[] = [];
          page.on('pageerror', (err) => errors.push(String(err)));
          await page.goto(`${origin}/index.html`);
          await page.waitForFunction(() => (window as { ready?: boolean }).ready === true, { timeout: 60_000 });
          const sources = { sit: `${origin}/models/fashion-sit.safetensors`, sidenet: `${origin}/models/fashion-sidenet.safetensors` };
          for (const where of ['worker', 'main']) {
            const image = await page.evaluate((w, m, r) => (window as unknown as { generate: (...a: unknown[]) => Promise<{ pixels: number[]; width: number; height: number }> }).generate(w, m, r), where, sources, request);
            images.set(`${bundler} ${where}`, decodeImage(image));
          }
          expect(errors).toEqual([]);
          await page.close();
        } finally {
          server.close();
        }
      }
    } finally {
      await chromium.close();
    }
    const [first, ...rest] = [...images.values()];
    expectPlausibleImage(first);
    for (const image of rest) expect(image.pixels).toEqual(first.pixels);
    // SwiftShader here, lavapipe in Node: equal up to rounding.
    expect(nodeImage).toBeDefined();
    console.log(`browser vs Node: worst channel difference ${worstDifference(first, nodeImage!)}`);
    expect(worstDifference(first, nodeImage!)).toBeLessThanOrEqual(2);
  }, 600_000);
});

describe('a TypeScript app', () => {
  it.each(['bundler', 'node16'])('type-checks every subpath under moduleResolution %s', async (resolution) => {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022', module: resolution === 'bundler' ? 'ESNext' : 'node16', moduleResolution: resolution,
        lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true, skipLibCheck: false,
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(nodeApp, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2));
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${resolution}.json`], nodeApp);
  }, 120_000);
});
