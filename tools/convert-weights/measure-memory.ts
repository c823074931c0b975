/**
 * Measures the converter's peak memory on a synthetic SiT-XL/2-shaped checkpoint (~2.7 GB,
 * written without torch). Each conversion runs in a fresh child process so its peak RSS is
 * its own.
 *   npx esbuild tools/convert-weights/measure-memory.ts --bundle --platform=node --format=esm \
 *     --target=node20 --outfile=out/measure-memory.mjs && node out/measure-memory.mjs [--dir DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convert } from './convert.js';
import type { OutputDType } from './dtype.js';
import { writeSyntheticTorchZip, type SyntheticTensor } from './synthetic-torch.js';

/** SiT-XL/2 at 256 px, original release layout (learn_sigma: 8 output channels). */
function sitXl2(): SyntheticTensor[] {
  const D = 1152, depth = 28, p = 2, C = 4, Co = 8, T = 256, classes = 1000;
  const shapes: [string, number[]][] = [
    ['pos_embed', [1, T, D]],
    ['x_embedder.proj.weight', [D, C, p, p]],
    ['x_embedder.proj.bias', [D]],
    ['t_embedder.mlp.0.weight', [D, 256]],
    ['t_embedder.mlp.0.bias', [D]],
    ['t_embedder.mlp.2.weight', [D, D]],
    ['t_embedder.mlp.2.bias', [D]],
    ['y_embedder.embedding_table.weight', [classes + 1, D]],
  ];
  for (let i = 0; i < depth; i++) {
    shapes.push(
      [`blocks.${i}.attn.qkv.weight`, [3 * D, D]],
      [`blocks.${i}.attn.qkv.bias`, [3 * D]],
      [`blocks.${i}.attn.proj.weight`, [D, D]],
      [`blocks.${i}.attn.proj.bias`, [D]],
      [`blocks.${i}.mlp.fc1.weight`, [4 * D, D]],
      [`blocks.${i}.mlp.fc1.bias`, [4 * D]],
      [`blocks.${i}.mlp.fc2.weight`, [D, 4 * D]],
      [`blocks.${i}.mlp.fc2.bias`, [D]],
      [`blocks.${i}.adaLN_modulation.1.weight`, [6 * D, D]],
      [`blocks.${i}.adaLN_modulation.1.bias`, [6 * D]],
    );
  }
  shapes.push(
    ['final_layer.linear.weight', [p * p * Co, D]],
    ['final_layer.linear.bias', [p * p * Co]],
    ['final_layer.adaLN_modulation.1.weight', [2 * D, D]],
    ['final_layer.adaLN_modulation.1.bias', [2 * D]],
  );
  return shapes.map(([name, shape]) => ({
    name,
    shape,
    fill(out, start) {
      for (let i = 0; i < out.length; i++) out[i] = (((start + i) * 2654435761) % 4093) / 4093 - 0.5;
    },
  }));
}

async function child(input: string, output: string, dtype: OutputDType): Promise<void> {
  const t0 = performance.now();
  await convert({ input, output, dtype });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, seconds }));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: 'string' }, keep: { type: 'boolean', default: false }, child: { type: 'boolean', default: false } },
  });
  if (values.child) return child(positionals[0], positionals[1], positionals[2] as OutputDType);

  const dir = values.dir ?? join(tmpdir(), 'ba-convert-measure');
  await mkdir(dir, { recursive: true });
  const input = join(dir, 'sit-xl2-synthetic.pt');
  const t0 = performance.now();
  await writeSyntheticTorchZip(input, sitXl2());
  const inputBytes = (await stat(input)).size;
  const seconds = (performance.now() - t0) / 1000;
  console.log(`synthetic SiT-XL/2 checkpoint: ${(inputBytes / 1e9).toFixed(2)} GB in ${seconds.toFixed(1)} s`);
  for (const dtype of ['f32', 'f16'] as const) {
    const output = join(dir, `sit-xl2-${dtype}.safetensors`);
    const run = spawnSync(process.execPath, [process.argv[1], '--child', input, output, dtype], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`conversion failed: ${run.stderr}`);
    const { maxRssKiB, seconds } = JSON.parse(run.stdout) as { maxRssKiB: number; seconds: number };
    const outBytes = (await stat(output)).size;
    console.log(
      `convert --dtype ${dtype}: peak RSS ${(maxRssKiB / 1024).toFixed(0)} MiB, ` +
        `${seconds.toFixed(1)} s, output ${(outBytes / 1e9).toFixed(2)} GB (node ${process.version})`,
    );
    if (!values.keep) await rm(output);
  }
  if (!values.keep) await rm(input);
}

await main();
