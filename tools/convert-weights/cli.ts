/**
 * Command line: convert a SiT / REPA / SideNet / SD-VAE PyTorch checkpoint into a ba-webgpu safetensors file.
 * Run: npm run convert -- <input> -o <output>  (the `convert` command of tools/ba-webgpu.ts)
 */
import { parseArgs } from 'node:util';
import { checkWritable, requireFile, UsageError } from '../../src/cli/common.js';
import type { PixelLatentCodec } from '../../src/model/pixel-latent.js';
import { convert, ConvertError, outputClash, planConversion, type ConvertOptions } from './index.js';

export const CONVERT_USAGE = `usage: ba-webgpu convert <input.pt|.pth|.safetensors> -o <output.safetensors>
         [--dtype f32|f16] [--source auto|ema|model] [--no-ema] [--kind|--layout sit|sidenet|vae]
         [--heads N] [--convention repa|sit] [--latent-codec pixel-unshuffle:FACTOR:PAD:CHANNELS]
         [--groups N] [--scaling-factor F] [--dry-run] [--quiet]
  --latent-codec: for SiTs trained on pixels rearranged into latents (the shipped Fashion-MNIST
  model: pixel-unshuffle:2:2:1); recorded in the metadata so apps know how to decode.
  --groups, --scaling-factor: a VAE's norm_num_groups (default 32) and scaling_factor (default
  0.18215), from its config.json; the weights do not record them.`;

/**
 * Usage errors (UsageError, parseArgs' ERR_PARSE_ARGS_* TypeErrors) propagate to the dispatcher
 * in tools/ba-webgpu.ts, which prints them as one line and exits 2.
 */
export async function convertCommand(argv: string[]): Promise<number> {
  try {
    return await convertMain(argv);
  } catch (e) {
    if (e instanceof ConvertError || (e instanceof Error && 'syscall' in e)) {
      // Converter errors and file-system errors (ENOENT, EACCES...) are the user's to fix: no stack.
      console.error(`\nerror (${e.name}): ${e.message}`);
      return 1;
    }
    throw e;
  }
}

async function convertMain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      dtype: { type: 'string', default: 'f32' },
      source: { type: 'string', default: 'auto' },
      'no-ema': { type: 'boolean', default: false },
      kind: { type: 'string' },
      layout: { type: 'string' },
      groups: { type: 'string' },
      'scaling-factor': { type: 'string' },
      heads: { type: 'string' },
      convention: { type: 'string' },
      'latent-codec': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(CONVERT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`need one input checkpoint, got ${positionals.length}`);
  const input = requireFile(positionals[0], 'input checkpoint');
  const output = values.output;
  if (output === undefined && !values['dry-run']) throw new UsageError('need -o OUTPUT (or --dry-run)');
  const options: ConvertOptions = {
    input,
    output: output ?? '',
    dtype: oneOf(values.dtype, ['f32', 'f16'] as const, '--dtype'),
    source: values['no-ema'] ? 'model' : oneOf(values.source, ['auto', 'ema', 'model'] as const, '--source'),
    kind: kindFlag(values.kind, values.layout),
    heads: positiveNumber(values.heads, '--heads', true),
    groups: positiveNumber(values.groups, '--groups', true),
    scalingFactor: positiveNumber(values['scaling-factor'], '--scaling-factor', false),
    convention: values.convention === undefined ? undefined : oneOf(values.convention, ['repa', 'sit'] as const, '--convention'),
    latentCodec: values['latent-codec'] === undefined ? undefined : parseLatentCodec(values['latent-codec']),
    onProgress: values.quiet ? undefined : progressBar(),
  };
  if (output !== undefined && !values['dry-run']) {
    const clash = outputClash(input, output);
    if (clash) throw new UsageError(`-o: ${clash}`);
    checkWritable(output, '-o');
  }
  const result = values['dry-run'] ? await planConversion(options) : await convert(options);
  for (const note of result.notes) console.error(`note: ${note}`);
  console.log(JSON.stringify(result.metadata, null, 2));
  return 0;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function parseLatentCodec(text: string): PixelLatentCodec {
  const match = /^pixel-unshuffle:(\d+):(\d+):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--latent-codec must look like pixel-unshuffle:FACTOR:PAD:CHANNELS, got '${text}'`);
  const [factor, pad, imageChannels] = match.slice(1).map(Number);
  if (factor < 1 || imageChannels < 1) throw new UsageError(`--latent-codec: factor and channels must be positive, got '${text}'`);
  return { kind: 'pixel-unshuffle', factor, pad, imageChannels };
}

/** --layout is another name for --kind; given both, they must agree. */
function kindFlag(kind: string | undefined, layout: string | undefined): ConvertOptions['kind'] {
  if (kind !== undefined && layout !== undefined && kind !== layout) throw new UsageError(`--kind ${kind} and --layout ${layout} disagree`);
  const value = kind ?? layout;
  return value === undefined ? undefined : oneOf(value, ['sit', 'sidenet', 'vae'] as const, kind !== undefined ? '--kind' : '--layout');
}

function positiveNumber(text: string | undefined, flag: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value)) || (integer && !Number.isInteger(value))) throw new UsageError(`${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${text}'`);
  return value;
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
