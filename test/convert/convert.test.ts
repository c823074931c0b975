import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArchInferenceError,
  ConvertError,
  DtypeError,
  LegacyTorchFormatError,
  METADATA_KEY,
  MissingKeyError,
  SafetensorsWriter,
  ShapeMismatchError,
  TruncatedFileError,
  UnknownKeyError,
  UnsupportedFormatError,
  convert,
  planConversion,
  type ConvertOptions,
} from '../../tools/convert-weights/index.js';
import { base64Bytes, expectedTensors, fixture, parseSafetensors, tempDir } from './helpers.js';

async function run(input: string, options: Partial<ConvertOptions> = {}) {
  const output = join(tempDir(), 'out.safetensors');
  const result = await convert({ input: fixture(input), output, ...options });
  return { result, file: parseSafetensors(output), output };
}

/** Every tensor of `expectedName` is in the output with exactly the expected bytes. */
function expectTensors(
  file: ReturnType<typeof parseSafetensors>,
  expectedName: string,
  dtype: 'f32' | 'f16',
  skip: (key: string) => boolean = () => false,
) {
  const expected = [...expectedTensors(expectedName)].filter(([k]) => !skip(k));
  expect(file.names).toEqual(expected.map(([k]) => k));
  for (const [key, e] of expected) {
    const t = file.tensors.get(key)!;
    expect(t.dtype, key).toBe(dtype === 'f32' ? 'F32' : 'F16');
    expect(t.shape, key).toEqual(e.shape);
    expect(Buffer.from(t.bytes).equals(base64Bytes(dtype === 'f32' ? e.f32! : e.f16!)), `${key} bytes`).toBe(true);
  }
}

describe('convert: SiT checkpoints', () => {
  it('converts a bare original-SiT state_dict exactly and infers its architecture', async () => {
    const { result, file } = await run('sit_bare.pt', { heads: 2 });
    expectTensors(file, 'sit_bare.pt', 'f32');
    const metadata = {
      format: 'ba-webgpu/1',
      kind: 'sit',
      arch: {
        depth: 2, hidden: 8, heads: 2, patch: 2, inChannels: 4, outChannels: 8, learnSigma: true,
        classes: 10, inputSize: 8, mlpHidden: 32, qkNorm: false,
      },
      convention: 'sit',
      source_layout: 'sit',
      dtype: 'f32',
      source_file: 'sit_bare.pt',
      source_key: null,
    };
    expect(file.metadata).toEqual({ [METADATA_KEY]: JSON.stringify(metadata) });
    expect(result.metadata).toEqual(metadata);
  });

  it('rounds to f16 exactly as torch does', async () => {
    const { file, result } = await run('sit_bare.pt', { heads: 2, dtype: 'f16' });
    expectTensors(file, 'sit_bare.pt', 'f16');
    expect(result.metadata.dtype).toBe('f16');
  });

  it('reads views: storage offsets, transposes, strided slices, stride 0, shared storages', async () => {
    const { file } = await run('sit_views.pt', { heads: 2 });
    expectTensors(file, 'sit_views.pt', 'f32');
  });

  it.each(['sit_f16.pt', 'sit_bf16.pt'])('widens %s to f32 and rounds it to f16', async (name) => {
    expectTensors((await run(name, { heads: 2 })).file, name, 'f32');
    expectTensors((await run(name, { heads: 2, dtype: 'f16' })).file, name, 'f16');
  });

  it('takes the EMA weights of a REPA training checkpoint, strips module., drops projectors', async () => {
    const { result, file } = await run('repa_train.pt');
    expectTensors(file, 'repa_train.pt#ema', 'f32', (k) => k.startsWith('projectors.'));
    expect(result.metadata.source_key).toBe('ema');
    expect(result.metadata.source_layout).toBe('repa');
    expect(result.metadata.convention).toBe('repa');
    // q_norm's width is the head dimension, so no --heads is needed.
    expect(result.metadata.arch).toMatchObject({ heads: 2, qkNorm: true, outChannels: 4, learnSigma: false });
    expect(result.dropped).toEqual(['projectors.0.0.weight', 'projectors.0.0.bias']);
    expect(result.notes.join('\n')).toMatch(/dropped 2 projectors\.\* tensors/);
  });

  it('takes the raw model weights with source: model, and honours --convention', async () => {
    const { result, file } = await run('repa_train.pt', { source: 'model', convention: 'sit' });
    expectTensors(file, 'repa_train.pt#model', 'f32', (k) => k.startsWith('projectors.'));
    expect(result.metadata.source_key).toBe('model');
    expect(result.metadata.convention).toBe('sit');
  });

  it('reports progress up to the total', async () => {
    const calls: [number, number][] = [];
    const { output } = await run('sit_bare.pt', { heads: 2, onProgress: (w, t) => calls.push([w, t]) });
    const total = calls[0][1];
    expect(calls[0][0]).toBe(0);
    expect(calls.at(-1)).toEqual([total, total]);
    const header = Number(readFileSync(output).readBigUInt64LE(0));
    expect(readFileSync(output).length).toBe(8 + header + total);
  });

  it('plans without writing', async () => {
    const plan = await planConversion({ input: fixture('sit_bare.pt'), heads: 2 });
    expect(plan.metadata.arch).toMatchObject({ depth: 2, hidden: 8 });
    expect(plan.tensors.size).toBe(expectedTensors('sit_bare.pt').size);
  });

  it('re-converts its own safetensors output (safetensors input)', async () => {
    const first = await run('sit_bare.pt', { heads: 2 });
    const output = join(tempDir(), 'again.safetensors');
    const again = await convert({ input: first.output, output, heads: 2, dtype: 'f16' });
    expect(again.metadata.arch).toEqual(first.result.metadata.arch);
    expectTensors(parseSafetensors(output), 'sit_bare.pt', 'f16');
  });
});

describe('convert: SideNet checkpoints', () => {
  it('takes ema_side_model from a training checkpoint', async () => {
    const { result, file } = await run('sidenet_train.pt');
    expectTensors(file, 'sidenet_train.pt#ema_side_model', 'f32');
    expect(result.metadata).toMatchObject({
      kind: 'sidenet',
      source_layout: 'sidenet',
      convention: 'repa',
      source_key: 'ema_side_model',
      arch: { channels: 8, embed: 8, blocks: 4, attnBlock: 2, heads: 4, classes: 10, latentChannels: 4 },
    });
  });

  it('takes side_model with source: model and a --heads override', async () => {
    const { result, file } = await run('sidenet_train.pt', { source: 'model', heads: 2 });
    expectTensors(file, 'sidenet_train.pt#side_model', 'f32');
    expect(result.metadata.arch).toMatchObject({ heads: 2 });
  });
});

describe('convert: bad checkpoints', () => {
  const fails = (input: string, options: Partial<ConvertOptions> = {}) =>
    convert({ input, output: join(tempDir(), 'out.safetensors'), heads: 2, ...options });

  it('rejects integer weights, naming the key and dtype', async () => {
    await expect(fails(fixture('bad_int64.pt'))).rejects.toThrow(DtypeError);
    await expect(fails(fixture('bad_int64.pt'))).rejects.toThrow(
      /bad_int64\.pt: x_embedder\.proj\.bias has dtype I64; model weights must be floating point/,
    );
  });

  it('rejects a qkv weight that is not [3D, D]', async () => {
    await expect(fails(fixture('bad_qkv_shape.pt'))).rejects.toThrow(ShapeMismatchError);
    await expect(fails(fixture('bad_qkv_shape.pt'))).rejects.toThrow(
      'blocks.1.attn.qkv.weight has shape [16, 8], expected [3*D, D] = [24, 8]',
    );
  });

  it('lists missing keys, and the unknown ones beside them', async () => {
    await expect(fails(fixture('bad_keys.pt'))).rejects.toThrow(MissingKeyError);
    await expect(fails(fixture('bad_keys.pt'))).rejects.toThrow(
      'missing sit key: blocks.1.mlp.fc2.bias; unknown keys present: blocks.0.attn.extra.weight',
    );
  });

  it('rejects unknown keys', async () => {
    // A complete model plus one stray tensor, as safetensors input.
    const dir = tempDir();
    const tensors = [...expectedTensors('sit_bare.pt')];
    const specs = tensors.map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape }));
    specs.push({ name: 'blocks.0.attn.rope.freqs', dtype: 'F32', shape: [2] });
    const writer = await SafetensorsWriter.create(join(dir, 'stray.safetensors'), specs, {});
    for (const [name, t] of tensors) await writer.write(name, base64Bytes(t.f32!));
    await writer.write('blocks.0.attn.rope.freqs', new Uint8Array(8));
    await writer.close();
    await expect(fails(join(dir, 'stray.safetensors'))).rejects.toThrow(UnknownKeyError);
    await expect(fails(join(dir, 'stray.safetensors'))).rejects.toThrow('unknown sit key: blocks.0.attn.rope.freqs');
  });

  it('asks for --heads when the hidden size is not a known config', async () => {
    await expect(fails(fixture('sit_bare.pt'), { heads: undefined })).rejects.toThrow(ArchInferenceError);
    await expect(fails(fixture('sit_bare.pt'), { heads: undefined })).rejects.toThrow(
      /cannot infer the number of attention heads for hidden size 8 .*pass --heads/,
    );
  });

  it('rejects --heads that contradicts the qk_norm width', async () => {
    await expect(fails(fixture('repa_train.pt'), { heads: 4 })).rejects.toThrow(
      '--heads 4 contradicts blocks.0.attn.q_norm.weight (head dim 4, so 2 heads)',
    );
  });

  it('rejects --source ema on a bare state_dict', async () => {
    await expect(fails(fixture('sit_bare.pt'), { source: 'ema' })).rejects.toThrow(ConvertError);
    await expect(fails(fixture('sit_bare.pt'), { source: 'ema' })).rejects.toThrow(/is a bare state_dict/);
  });

  it('explains the legacy (pre-1.6) torch format', async () => {
    await expect(fails(fixture('legacy.pt'))).rejects.toThrow(LegacyTorchFormatError);
    await expect(fails(fixture('legacy.pt'))).rejects.toThrow(/legacy \(pre-1\.6\) torch\.save format.*torch>=1\.6/);
  });

  it('rejects compressed zip entries', async () => {
    await expect(fails(fixture('compressed.pt'))).rejects.toThrow(UnsupportedFormatError);
    await expect(fails(fixture('compressed.pt'))).rejects.toThrow(/zip entry sit_bare\/data\.pkl is compressed \(method 8\)/);
  });

  it('rejects a file that is neither zip nor safetensors', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'just some text, not a checkpoint\n');
    await expect(fails(path)).rejects.toThrow(UnsupportedFormatError);
    await expect(fails(path)).rejects.toThrow(/notes\.txt is neither a torch\.save zip archive .* nor a safetensors file/);
  });

  it.each([100, 20_000, 30_800])('rejects a torch zip truncated to %i bytes', async (length) => {
    const path = join(tempDir(), 'cut.pt');
    writeFileSync(path, readFileSync(fixture('sit_bare.pt')).subarray(0, length));
    await expect(fails(path)).rejects.toThrow(TruncatedFileError);
    await expect(fails(path)).rejects.toThrow(
      /cut\.pt starts like a zip archive but has no end-of-central-directory record: the file is truncated/,
    );
  });

  it('rejects a truncated safetensors file', async () => {
    const { output } = await run('sit_bare.pt', { heads: 2 });
    const path = join(tempDir(), 'cut.safetensors');
    const bytes = readFileSync(output);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    await expect(fails(path)).rejects.toThrow(TruncatedFileError);
    await expect(fails(path)).rejects.toThrow(
      /cut\.safetensors is truncated: tensor final_layer\.adaLN_modulation\.1\.bias needs bytes/,
    );
  });

  it('leaves no output behind when a conversion fails midway', async () => {
    // Break the zip local header of storage 0 (pos_embed, the first tensor written): it is
    // only read with the tensor's bytes, so the failure comes after the output file was started.
    const dir = tempDir();
    const bytes = readFileSync(fixture('sit_bare.pt'));
    const name = Buffer.from('sit_bare/data/0');
    let at = -1;
    for (let p = bytes.indexOf('PK\x01\x02', 0, 'latin1'); p >= 0; p = bytes.indexOf('PK\x01\x02', p + 1, 'latin1')) {
      if (bytes.readUInt16LE(p + 28) === name.length && bytes.subarray(p + 46, p + 46 + name.length).equals(name)) at = p;
    }
    bytes.writeUInt32LE(0, bytes.readUInt32LE(at + 42));
    writeFileSync(join(dir, 'in.pt'), bytes);
    const output = join(dir, 'out.safetensors');
    await expect(convert({ input: join(dir, 'in.pt'), output, heads: 2 })).rejects.toThrow(
      /in\.pt: bad zip local header for sit_bare\/data\/0/,
    );
    expect(readdirSync(dir)).toEqual(['in.pt']);
  });
});
