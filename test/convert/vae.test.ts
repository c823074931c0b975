import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArchInferenceError,
  MissingKeyError,
  SafetensorsWriter,
  ShapeMismatchError,
  UnknownKeyError,
  convert,
  type ConvertOptions,
} from '../../tools/convert-weights/index.js';
import { parseSafetensors, tempDir } from './helpers.js';

const VAE_FIXTURES = join(__dirname, '..', 'fixtures', 'vae');
const DIFFUSERS = join(VAE_FIXTURES, 'diffusers_c8-12-16-16_g4');
const LDM = join(VAE_FIXTURES, 'ldm_c8-8-16_g2');
const SAFETENSORS = join(DIFFUSERS, 'diffusion_pytorch_model.safetensors');

async function run(input: string, options: Partial<ConvertOptions> = {}) {
  const output = join(tempDir(), 'vae.safetensors');
  const result = await convert({ input, output, groups: 4, ...options });
  return { result, file: parseSafetensors(output) };
}

/** The fixture's tensors, edited, written as a new safetensors file. */
async function edited(edit: (tensors: Map<string, { shape: number[]; bytes: Uint8Array }>) => void): Promise<string> {
  const source = parseSafetensors(SAFETENSORS);
  const tensors = new Map([...source.tensors].map(([k, t]) => [k, { shape: t.shape, bytes: t.bytes }]));
  edit(tensors);
  const path = join(tempDir(), 'edited.safetensors');
  const writer = await SafetensorsWriter.create(path, [...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape })), {});
  for (const [name, t] of tensors) await writer.write(name, t.bytes);
  await writer.close();
  return path;
}

const isDecoderKey = (k: string) => !k.startsWith('encoder.') && !k.startsWith('quant_conv.');

describe('convert: the SD-VAE decoder', () => {
  it('converts a diffusers safetensors VAE: decoder tensors byte for byte, encoder dropped, arch inferred', async () => {
    const { result, file } = await run(SAFETENSORS);
    const source = parseSafetensors(SAFETENSORS);
    const decoderKeys = source.names.filter(isDecoderKey);
    expect(file.names).toEqual(decoderKeys);
    for (const key of decoderKeys) {
      expect(file.tensors.get(key)!.shape, key).toEqual(source.tensors.get(key)!.shape);
      expect(Buffer.from(file.tensors.get(key)!.bytes).equals(Buffer.from(source.tensors.get(key)!.bytes)), key).toBe(true);
    }
    expect(JSON.parse(file.metadata.ba_webgpu)).toMatchObject({
      kind: 'vae',
      arch: { blockOutChannels: [8, 12, 16, 16], layersPerBlock: 2, groups: 4, latentChannels: 4, outChannels: 3, scalingFactor: 0.18215 },
      source_layout: 'diffusers-vae',
      dtype: 'f32',
    });
    expect(result.dropped.sort()).toEqual(source.names.filter((k) => !isDecoderKey(k)).sort());
    expect(result.notes.join('\n')).toMatch(/dropped 3 encoder\.\* tensors: the VAE encoder/);
    // Shortcuts exist exactly where the channels change (up_blocks.2: 16 -> 12, up_blocks.3: 12 -> 8).
    expect(file.names.filter((k) => k.includes('conv_shortcut.weight'))).toEqual([
      'decoder.up_blocks.2.resnets.0.conv_shortcut.weight', 'decoder.up_blocks.3.resnets.0.conv_shortcut.weight',
    ]);
  });

  it('reads the torch .bin with the pre-0.15 attention names (query/key/value/proj_attn) into the same file', async () => {
    const fromSafetensors = (await run(SAFETENSORS)).file;
    const { result, file } = await run(join(DIFFUSERS, 'diffusion_pytorch_model.bin'), { dtype: 'f16' });
    expect(result.notes.join('\n')).toMatch(/renamed 8 keys from an older VAE layout/);
    expect([...file.names].sort()).toEqual([...fromSafetensors.names].sort());
    expect(file.tensors.get('decoder.mid_block.attentions.0.to_out.0.weight')!.dtype).toBe('F16');
    expect(JSON.parse(file.metadata.ba_webgpu).source_layout).toBe('diffusers-vae');
  });

  it("reads a full SD checkpoint's first_stage_model.* in the latent-diffusion layout", async () => {
    const { result, file } = await run(join(LDM, 'model.ckpt'), { groups: 2, scalingFactor: 0.13025 });
    expect(JSON.parse(file.metadata.ba_webgpu)).toMatchObject({
      kind: 'vae',
      arch: { blockOutChannels: [8, 8, 16], layersPerBlock: 1, groups: 2, latentChannels: 4, outChannels: 3, scalingFactor: 0.13025 },
      source_layout: 'ldm-vae',
    });
    // up.2 (lowest resolution) is up_blocks.0; the attention's 1x1 convs become [C, C].
    expect(file.tensors.get('decoder.up_blocks.0.upsamplers.0.conv.weight')!.shape).toEqual([16, 16, 3, 3]);
    expect(file.tensors.has('decoder.up_blocks.2.upsamplers.0.conv.weight')).toBe(false);
    expect(file.tensors.get('decoder.up_blocks.1.resnets.0.conv_shortcut.weight')!.shape).toEqual([8, 16, 1, 1]);
    expect(file.tensors.get('decoder.mid_block.attentions.0.to_q.weight')!.shape).toEqual([16, 16]);
    expect(file.names.every((k) => k.startsWith('decoder.') || k.startsWith('post_quant_conv.'))).toBe(true);
    expect(result.dropped).toContain('model.diffusion_model.input_blocks.0.0.weight');
    expect(result.dropped).toContain('encoder.conv_in.weight');
    expect(result.notes.join('\n')).toMatch(/dropped 4 tensors outside first_stage_model\.\*/);
  });

  it('is detected from its keys, and chosen by kind: vae', async () => {
    const detected = await run(SAFETENSORS, { kind: undefined });
    const forced = await run(SAFETENSORS, { kind: 'vae' });
    expect(forced.file.names).toEqual(detected.file.names);
    await expect(run(SAFETENSORS, { kind: 'sit' })).rejects.toThrow(MissingKeyError);
  });

  it('names an unknown key', async () => {
    const path = await edited((t) => t.set('decoder.mid_block.attentions.0.rel_pos.weight', { shape: [2], bytes: new Uint8Array(8) }));
    await expect(run(path)).rejects.toThrow(UnknownKeyError);
    await expect(run(path)).rejects.toThrow(/unknown vae key: decoder\.mid_block\.attentions\.0\.rel_pos\.weight/);
  });

  it('names a missing key', async () => {
    const path = await edited((t) => t.delete('decoder.up_blocks.1.resnets.2.norm2.bias'));
    await expect(run(path)).rejects.toThrow(MissingKeyError);
    await expect(run(path)).rejects.toThrow(/missing vae key: decoder\.up_blocks\.1\.resnets\.2\.norm2\.bias/);
  });

  it('names a tensor of the wrong shape with the expected one', async () => {
    const path = await edited((t) => t.set('decoder.up_blocks.2.resnets.0.conv_shortcut.weight', { shape: [12, 16, 3, 3], bytes: new Uint8Array(12 * 16 * 9 * 4) }));
    await expect(run(path)).rejects.toThrow(ShapeMismatchError);
    await expect(run(path)).rejects.toThrow(/decoder\.up_blocks\.2\.resnets\.0\.conv_shortcut\.weight has shape \[12, 16, 3, 3\], expected \[Out, In, 1, 1\] = \[12, 16, 1, 1\]/);
  });

  it('asks for --groups when the default 32 does not divide the channels', async () => {
    await expect(run(SAFETENSORS, { groups: undefined })).rejects.toThrow(ArchInferenceError);
    await expect(run(SAFETENSORS, { groups: undefined })).rejects.toThrow(/GroupNorm groups 32 do not divide the decoder's channels \(block_out_channels \[8, 12, 16, 16\]\): pass --groups/);
    await expect(run(SAFETENSORS, { groups: 3 })).rejects.toThrow(/GroupNorm groups 3 do not divide/);
  });
});
