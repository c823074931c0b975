/**
 * The `ba-webgpu` command line (package.json `bin`): one program, one subcommand per job.
 *   ba-webgpu sample | eval | bench | train-sidenet | convert  [--help]
 * Bundled by scripts/build.mjs to dist/tools/ba-webgpu.mjs (`npm run cli -- <command> ...`).
 */
import { benchCommand, BENCH_USAGE } from '../src/cli/bench.js';
import { UsageError } from '../src/cli/common.js';
import { evalCommand, EVAL_USAGE } from '../src/cli/eval.js';
import { sampleCommand, SAMPLE_USAGE } from '../src/cli/sample.js';
import { trainSidenetCommand, TRAIN_SIDENET_USAGE } from '../src/cli/train-sidenet.js';
import { convertCommand, CONVERT_USAGE } from './convert-weights/cli.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string; summary: string }> = {
  sample: { run: sampleCommand, usage: SAMPLE_USAGE, summary: 'generate images into a PNG grid (default: the shipped Fashion-MNIST model, BA-solver, 5 NFE)' },
  eval: { run: evalCommand, usage: EVAL_USAGE, summary: 'quality against NFE per solver: error vs RK4, FD, classifier accuracy; JSON, Markdown, SVG/PNG plots' },
  bench: { run: benchCommand, usage: BENCH_USAGE, summary: 'per-NFE sampling latency of a model set, per solver' },
  'train-sidenet': { run: trainSidenetCommand, usage: TRAIN_SIDENET_USAGE, summary: 'train a SideNet next to a frozen SiT on the GPU (Algorithm 2)' },
  convert: { run: convertCommand, usage: CONVERT_USAGE, summary: 'convert a PyTorch checkpoint (SiT, REPA, SideNet) to the engine format' },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return `usage: ba-webgpu <command> [options]   (ba-webgpu <command> --help for its options)\n\n${
    Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`ba-webgpu: unknown command '${name}'\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      // One line: what is wrong and where the options are listed.
      console.error(`ba-webgpu ${name}: ${err.message.replace(/\s*\n\s*/g, ' ')} (ba-webgpu ${name} --help lists the options)`);
      return 2;
    }
    // Errors from the engine name the problem; a stack adds nothing for a user.
    console.error(`ba-webgpu ${name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    if (process.env.BA_DEBUG) console.error(err);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
