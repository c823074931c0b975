import { existsSync, readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';
import { SOFTWARE_ICDS } from './src/gpu/device.js';

// Dawn reads VK_ICD_FILENAMES when it creates its Vulkan instance, and test workers get the
// environment of this process: choose the software ICD here, before any worker starts. A
// machine with a real GPU keeps its own drivers when BA_USE_SYSTEM_VULKAN=1.
if (!process.env.VK_ICD_FILENAMES && process.env.BA_USE_SYSTEM_VULKAN !== '1') {
  const icd = SOFTWARE_ICDS.find((p) => existsSync(p));
  if (icd) process.env.VK_ICD_FILENAMES = icd;
}
process.env.XDG_RUNTIME_DIR ??= '/tmp';

/** Imports .wgsl files as strings, like esbuild's text loader does for the bundles. */
const wgslText: Plugin = {
  name: 'wgsl-text',
  load(id) {
    if (id.endsWith('.wgsl')) return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
  },
};

export default defineConfig({
  plugins: [wgslText],
  resolve: {
    // wgsl_reflect's "main" build fails under Node ESM; its module build works everywhere.
    alias: { wgsl_reflect: 'wgsl_reflect/wgsl_reflect.module.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
