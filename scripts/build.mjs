// Bundles the engine with esbuild: a Node build, a browser build, the CLIs, and (with --tests)
// the GPU test files for headless Chromium. WGSL files are inlined as text.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const common = {
  bundle: true,
  format: 'esm',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  // wgsl_reflect's "main" build is CommonJS-in-ESM and fails to import; its module build works.
  mainFields: ['module', 'main'],
  alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
  logLevel: 'warning',
  absWorkingDir: root,
};

const args = new Set(process.argv.slice(2));

if (args.has('--tests')) {
  // Every GPU test file in these folders runs in the browser too, except `*.node.test.ts`
  // (they read fixtures from disk).
  const dirs = ['test/kernels', 'test/gpu', 'test/solver', 'test/train', 'test/api'];
  const files = dirs.flatMap((d) =>
    readdirSync(join(root, d)).filter((f) => f.endsWith('.test.ts') && !f.endsWith('.node.test.ts')).map((f) => `${d}/${f}`));
  const out = join(root, 'dist/test');
  mkdirSync(out, { recursive: true });
  const entry = join(out, 'entry.ts');
  writeFileSync(entry, files.map((f) => `import '../../${f}';`).join('\n') + `\nexport { runRegisteredTests } from '../../test/browser/vitest-shim.ts';\n`);
  await build({
    ...common,
    entryPoints: [entry],
    outfile: join(out, 'tests.js'),
    platform: 'browser',
    alias: { ...common.alias, vitest: join(root, 'test/browser/vitest-shim.ts') },
    external: ['webgpu', 'node:*'],
  });
  copyFileSync(join(root, 'test/browser/index.html'), join(out, 'index.html'));
  console.log(`browser tests: ${files.length} files -> dist/test/tests.js`);
} else if (args.has('--demo')) {
  // The demo page (browser bundle + index.html) and its static file server (Node).
  const out = join(root, 'dist/demo');
  mkdirSync(out, { recursive: true });
  await build({ ...common, entryPoints: ['demo/main.ts'], outfile: join(out, 'main.js'), platform: 'browser', target: 'es2022', external: ['webgpu', 'node:*'] });
  await build({ ...common, entryPoints: ['demo/serve.ts'], outfile: join(out, 'serve.mjs'), platform: 'node', target: 'node20' });
  copyFileSync(join(root, 'demo/index.html'), join(out, 'index.html'));
  console.log('demo: dist/demo (serve: node dist/demo/serve.mjs)');
} else if (args.has('--bench')) {
  // Node benchmarks; the peers (tfjs, onnxruntime) stay external and load from node_modules.
  const entries = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts') && f !== 'core.ts' && !f.startsWith('random'));
  await build({
    ...common,
    entryPoints: entries.map((f) => `bench/${f}`),
    outdir: 'dist/bench',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    target: 'node20',
    external: ['webgpu', '@tensorflow/*', 'onnxruntime-*'],
  });
  console.log(`benchmarks: ${entries.join(', ')} -> dist/bench`);
} else {
  const cli = { ...common, platform: 'node', target: 'node20', external: ['webgpu'], banner: { js: '#!/usr/bin/env node' } };
  await build({ ...cli, entryPoints: ['tools/ba-webgpu.ts'], outfile: 'dist/tools/ba-webgpu.mjs' });
  if (args.has('--cli')) process.exit(0);
  // The package's entry points (package.json "exports"), split so that they share one copy of
  // the engine: classes and errors stay the same objects whichever subpath an app imports.
  const library = { ...common, splitting: true, chunkNames: 'chunks/[name]-[hash]' };
  // Chunk names carry hashes: clear old builds so that `npm pack` ships only this one.
  for (const dir of ['dist/node', 'dist/browser', 'dist/types']) rmSync(join(root, dir), { recursive: true, force: true });
  const entryPoints = { index: 'src/index.ts', eval: 'src/eval/index.ts', train: 'src/train/index.ts' };
  await build({ ...library, entryPoints: { ...entryPoints, node: 'src/node.ts' }, outdir: 'dist/node', platform: 'node', target: 'node20', external: ['webgpu'] });
  // No externals: a Node-only import reaching the browser build (see src/platform) fails here.
  await build({ ...library, entryPoints, outdir: 'dist/browser', platform: 'browser', target: 'es2022' });
  // Type declarations for the package's `types` entry.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  console.log('built dist/node, dist/browser, dist/tools, dist/types');
}
