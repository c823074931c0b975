/**
 * Command line: convert a SiT / REPA / SideNet PyTorch checkpoint into a ba-webgpu safetensors file.
 * Build: npx esbuild tools/convert-weights/cli.ts --bundle --platform=node --format=esm
 *        --target=node20 --outfile=dist/tools/convert-weights.mjs
 */
import { parseArgs } from 'node:util';
import { convert, ConvertError, planConversion, type ConvertOptions } from './index.js';

const USAGE = `usage: convert-weights <input.pt|.pth|.safetensors> -o <output.safetensors>
         [--dtype f32|f16] [--source auto|ema|model] [--no-ema] [--kind sit|sidenet]
         [--heads N] [--convention repa|sit] [--dry-run] [--quiet]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      dtype: { type: 'string', default: 'f32' },
      source: { type: 'string', default: 'auto' },
      'no-ema': { type: 'boolean', default: false },
      kind: { type: 'string' },
      heads: { type: 'string' },
      convention: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const input = positionals[0];
  if (positionals.length !== 1 || (!values.output && !values['dry-run'])) return usageError('need one input and -o OUTPUT');
  const dtype = oneOf(values.dtype, ['f32', 'f16'], '--dtype');
  const source = values['no-ema'] ? 'model' : oneOf(values.source, ['auto', 'ema', 'model'], '--source');
  const heads = values.heads === undefined ? undefined : Number(values.heads);
  if (heads !== undefined && !(Number.isInteger(heads) && heads > 0)) return usageError('--heads needs a positive integer');
  const options: ConvertOptions = {
    input,
    output: values.output ?? '',
    dtype,
    source,
    kind: values.kind === undefined ? undefined : oneOf(values.kind, ['sit', 'sidenet'] as const, '--kind'),
    heads,
    convention: values.convention === undefined ? undefined : oneOf(values.convention, ['repa', 'sit'] as const, '--convention'),
    onProgress: values.quiet ? undefined : progressBar(),
  };
  const result = values['dry-run'] ? await planConversion(options) : await convert(options);
  for (const note of result.notes) console.error(`note: ${note}`);
  console.log(JSON.stringify(result.metadata, null, 2));
  return 0;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}`);
  return value as T;
}

class UsageError extends Error {}

function usageError(message: string): number {
  console.error(`${message}\n${USAGE}`);
  return 2;
}

/** Redraws one stderr line at most every 100 ms. */
function progressBar(): (written: number, total: number) => void {
  let last = 0;
  return (written, total) => {
    const now = Date.now();
    if (written < total && now - last < 100) return;
    last = now;
    const frac = total === 0 ? 1 : written / total;
    const bar = '#'.repeat(Math.round(frac * 30)).padEnd(30, '.');
    const mb = (n: number) => (n / 2 ** 20).toFixed(0);
    process.stderr.write(`\r[${bar}] ${(frac * 100).toFixed(1)}% ${mb(written)}/${mb(total)} MiB`);
    if (written === total) process.stderr.write('\n');
  };
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError) process.exitCode = usageError(e.message);
    else if (e instanceof ConvertError || (e instanceof Error && 'code' in e)) {
      // Converter errors and file-system errors (ENOENT, EACCES...) are the user's to fix: no stack.
      console.error(`\nerror (${e.name}): ${e.message}`);
      process.exitCode = 1;
    } else throw e;
  },
);
