/**
 * SideNet training past one machine: the public BA-solver reference trainer (PyTorch, under
 * `accelerate launch` on any number of GPUs) saves checkpoints/BA_side_NNNNNN.pt holding
 * side_model, ema_side_model, a real AdamW optimizer state and the step. `ba-webgpu convert`
 * must take the EMA weights from exactly such a file (made by
 * tools/reference/make_trainer_checkpoint.py) and the engine must load the result.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SideNetModel } from '../../src/model/sidenet.js';
import { convert } from '../../tools/convert-weights/index.js';
import { testEngine } from '../helpers/engine.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';
import { tempDir } from './helpers.js';

const DIR = new URL('../fixtures/convert/reference-trainer/', import.meta.url).pathname;

describe('a checkpoint saved by the reference trainer', () => {
  it('converts to its EMA weights, bit for bit, and loads as a SideNet', async () => {
    const output = join(tempDir(), 'sidenet.safetensors');
    const result = await convert({ input: join(DIR, 'BA_side_000002.pt'), output, heads: 2 });
    expect(result.metadata).toMatchObject({
      kind: 'sidenet', source_key: 'ema_side_model', convention: 'repa',
      arch: { channels: 16, embed: 16, blocks: 4, attnBlock: 2, heads: 2, classes: 10, latentChannels: 4 },
    });
    const expected = readSafetensorsFile(join(DIR, 'ema.safetensors')).tensors;
    const converted = readSafetensorsFile(output).tensors;
    for (const [name, tensor] of expected) {
      expect(converted.get(name)?.shape, name).toEqual(tensor.shape);
      expect(Array.from(converted.get(name)!.data), name).toEqual(Array.from(tensor.data));
    }
    expect(converted.size).toBe(expected.size);
    const engine = await testEngine();
    const model = await SideNetModel.load(engine, output);
    expect(model.arch.channels).toBe(16);
    model.dispose();
  });
});
