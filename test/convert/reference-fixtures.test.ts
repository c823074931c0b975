/**
 * Converts the checkpoints of test/fixtures/{sit,sidenet} (written by tools/reference) and
 * checks the inferred architecture against the config the reference stored beside them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert } from '../../tools/convert-weights/index.js';
import { fixtureNames } from '../helpers/fixtures.js';
import { parseSafetensors, tempDir } from './helpers.js';

const ROOT = join(__dirname, '..', 'fixtures');

function fixtureDirs(kind: 'sit' | 'sidenet'): string[] {
  const dir = join(ROOT, kind);
  return fixtureNames(dir).map((d) => join(dir, d));
}

function load(dir: string) {
  const config = JSON.parse(parseSafetensors(join(dir, 'io.safetensors')).metadata.config) as Record<string, unknown>;
  return { config, checkpoint: join(dir, config.checkpoint as string) };
}

describe('reference fixtures', () => {
  it.each(fixtureDirs('sit'))('SiT %s', async (dir) => {
    const { config: c, checkpoint } = load(dir);
    const output = join(tempDir(), 'out.safetensors');
    const { metadata } = await convert({ input: checkpoint, output, heads: c.heads as number });
    expect(metadata.arch).toEqual({
      depth: c.depth, hidden: c.hidden, heads: c.heads, patch: c.patch, inChannels: c.in_channels,
      outChannels: c.out_channels, learnSigma: c.learn_sigma, classes: c.classes, inputSize: c.input_size,
      mlpHidden: (c.mlp_ratio as number) * (c.hidden as number), qkNorm: c.qk_norm,
    });
    expect(metadata.convention).toBe(c.convention);
    expect(metadata.source_key).toBe(c.checkpoint_layout === 'training' ? (c.use_ema ? 'ema' : 'model') : null);
    const names = parseSafetensors(output).names;
    expect(names.some((n) => n.startsWith('module.') || n.startsWith('projectors.'))).toBe(false);
  });

  it.each(fixtureDirs('sidenet'))('SideNet %s', async (dir) => {
    const { config: c, checkpoint } = load(dir);
    const { metadata } = await convert({ input: checkpoint, output: join(tempDir(), 'out.safetensors') });
    expect(metadata.arch).toEqual({
      channels: c.C, embed: c.E, blocks: c.L, attnBlock: c.attn_index, heads: c.heads, classes: c.classes,
      latentChannels: 4,
    });
    expect(metadata.convention).toBe(c.convention);
    expect(metadata.source_key).toBe(c.use_ema ? 'ema_side_model' : 'side_model');
  });
});
