import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { GpuOutOfMemoryError } from '../../src/gpu/errors.js';
import { SideNetModel } from '../../src/model/sidenet.js';
import { SitModel } from '../../src/model/sit.js';
import { VaeDecoder } from '../../src/model/vae.js';
import { WeightFileError } from '../../src/model/weights.js';
import { tinySideNetFile, tinySitFile, tinyVaeFile } from '../api/tiny-models.js';
import { testEngine } from '../helpers/engine.js';
import { dropTensor, editMetadata } from './weight-file-edits.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs a load that must fail with a WeightFileError-like error; checks it left no GPU memory behind. */
async function expectFailedLoadFreesAll(engine: Engine, load: () => Promise<unknown>): Promise<Error> {
  const before = engine.poolStats().liveBytes;
  const error = await load().then(
    () => { throw new Error('the load succeeded'); },
    (e: unknown) => e as Error,
  );
  expect(engine.poolStats().liveBytes).toBe(before);
  return error;
}

describe('a model load that fails frees everything it uploaded', () => {
  it('names the tensor, the expected and the actual shape when the SiT arch disagrees with the tensors', async () => {
    const engine = await testEngine();
    const file = editMetadata(tinySitFile(), (m) => (m.arch.hidden = 64));
    const error = await expectFailedLoadFreesAll(engine, () => SitModel.load(engine, file));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/'pos_embed' is \[1, 16, 48\] but the metadata arch needs \[1, 16, 64\]/);
  });

  it('rejects a SiT arch whose heads do not divide its width, before any upload', async () => {
    const engine = await testEngine();
    const file = editMetadata(tinySitFile(), (m) => (m.arch.heads = 5));
    const error = await expectFailedLoadFreesAll(engine, () => SitModel.load(engine, file));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/heads 5.*hidden 48/);
  });

  it('frees the tensors of a SiT file that lacks one', async () => {
    const engine = await testEngine();
    const file = dropTensor(tinySitFile(), 'blocks.1.mlp.fc2.bias');
    const error = await expectFailedLoadFreesAll(engine, () => SitModel.load(engine, file));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/lack 'blocks\.1\.mlp\.fc2\.bias' \[48\]/);
  });

  it('names the tensor when the SideNet arch disagrees with the tensors', async () => {
    const engine = await testEngine();
    const file = editMetadata(tinySideNetFile(), (m) => (m.arch.channels = 32));
    const error = await expectFailedLoadFreesAll(engine, () => SideNetModel.load(engine, file));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/'input_conv\.weight' is \[16, 8, 3, 3\] but the metadata arch needs \[32, 8, 3, 3\]/);
  });

  it('frees the SideNet tensors when a GPU allocation fails after the file was read', async () => {
    const engine = await testEngine();
    const upload = engine.upload.bind(engine);
    vi.spyOn(engine, 'upload').mockImplementation((data, shape, dtype, label) => {
      if (label === 'emb_fusion.0.weight.h') throw new GpuOutOfMemoryError('simulated: out of memory');
      return upload(data, shape, dtype, label);
    });
    const error = await expectFailedLoadFreesAll(engine, () => SideNetModel.load(engine, tinySideNetFile()));
    expect(error).toBeInstanceOf(GpuOutOfMemoryError);
  });

  it('names the tensor when the VAE arch disagrees with the tensors', async () => {
    const engine = await testEngine();
    const file = editMetadata(tinyVaeFile(), (m) => (m.arch.blockOutChannels = [8, 16]));
    const error = await expectFailedLoadFreesAll(engine, () => VaeDecoder.load(engine, file));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toMatch(/'decoder\.conv_in\.weight' is \[8, 4, 3, 3\] but the metadata arch needs \[16, 4, 3, 3\]/);
  });

  it('rejects a file of another kind before uploading it', async () => {
    const engine = await testEngine();
    const uploads = vi.spyOn(engine, 'upload');
    const error = await expectFailedLoadFreesAll(engine, () => SitModel.load(engine, tinySideNetFile()));
    expect(error.message).toMatch(/expected SiT weights, but the file holds a sidenet/);
    expect(uploads).not.toHaveBeenCalled();
  });

  it('still loads the consistent tiny models, and frees them on dispose', async () => {
    const engine = await testEngine();
    const before = engine.poolStats().liveBytes;
    const models = [await SitModel.load(engine, tinySitFile()), await SideNetModel.load(engine, tinySideNetFile()), await VaeDecoder.load(engine, tinyVaeFile())];
    expect(engine.poolStats().liveBytes).toBeGreaterThan(before);
    for (const m of models) m.dispose();
    expect(engine.poolStats().liveBytes).toBe(before);
  });

  it('still loads the shipped models (their arch agrees with their tensors)', async () => {
    const engine = await testEngine();
    const sit = await SitModel.load(engine, 'models/fashion-sit.safetensors');
    const sidenet = await SideNetModel.load(engine, 'models/fashion-sidenet.safetensors');
    expect(sit.arch.hidden).toBe(128);
    expect(sidenet.arch.channels).toBe(32);
    sit.dispose();
    sidenet.dispose();
  });
});
