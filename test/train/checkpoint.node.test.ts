/**
 * Checkpoints that a crash, a full disk or a bad sector left behind: each file carries a
 * checksum, resuming falls back to the newest valid one and names the ones it skipped, and a
 * non-finite loss stops training instead of training on NaN. Tiny models (test/api/tiny-models.ts),
 * a couple of steps each.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/gpu/engine.js';
import { SitModel } from '../../src/model/sit.js';
import type { SideNetArch } from '../../src/model/weights.js';
import { gaussianNoise } from '../../src/solver/noise.js';
import { ChainTrainer, CheckpointError, TrainingDivergedError } from '../../src/train/chain.js';
import { InMemoryDataset } from '../../src/train/data.js';
import { checkpointPath, restoreLatestCheckpoint, saveCheckpoint } from '../../src/train/node.js';
import { CHECKSUM_KEY, parseSafetensors, SafetensorsError, serializeSafetensors, verifySafetensorsChecksum } from '../../src/train/safetensors.js';
import { SideNetGraph } from '../../src/train/sidenet-graph.js';
import { tinySitFile } from '../api/tiny-models.js';
import { testEngine } from '../helpers/engine.js';

const ARCH: SideNetArch = { channels: 8, embed: 8, blocks: 2, attnBlock: 1, heads: 2, classes: 10, latentChannels: 4 };
const CONFIG = { batch: 2, chain: 2, lr: 1e-3, seed: 3 };

let root: string;
let engine: Engine;
let backbone: SitModel;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ba-train-ckpt-'));
  engine = await testEngine();
  backbone = await SitModel.load(engine, tinySitFile());
});
afterAll(() => {
  backbone?.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function trainer(): Promise<ChainTrainer> {
  const graph = new SideNetGraph(engine, ARCH);
  await graph.init(11);
  const data = new InMemoryDataset([4, 8, 8], 10, gaussianNoise(5, 8 * 256), [0, 1, 2, 3, 4, 5, 6, 7]);
  return new ChainTrainer(engine, backbone, graph, data, CONFIG);
}

/** A run's folder with checkpoints at steps 1 and 2 (and the trainer's state after each). */
async function twoCheckpoints(name: string): Promise<{ dir: string; params: Float32Array[] }> {
  const dir = join(root, name);
  const run = await trainer();
  const params: Float32Array[] = [];
  for (let i = 0; i < 2; i++) {
    await run.trainStep();
    await saveCheckpoint(dir, run.step, await run.checkpoint());
    params.push(await run.net.arena.read('params'));
  }
  run.net.dispose();
  return { dir, params };
}

/** Offset of the first tensor byte (after the u64 header length and the JSON header). */
const dataStart = (bytes: Uint8Array) => 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));

describe('checkpoint checksums (safetensors metadata)', () => {
  const tensors: [string, { shape: number[]; data: Float32Array }][] = [['a', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, -7]) }]];

  it('a file with a checksum verifies and still parses as plain safetensors', () => {
    const bytes = serializeSafetensors(tensors, { step: '7' }, { checksum: true });
    expect(verifySafetensorsChecksum(bytes)).toBe('verified');
    const parsed = parseSafetensors(bytes);
    expect(parsed.metadata.step).toBe('7');
    expect(parsed.metadata[CHECKSUM_KEY]).toMatch(/^[0-9a-f]{8}$/);
    expect(Array.from(parsed.tensors.get('a')!.data)).toEqual(Array.from(tensors[0][1].data));
    expect(verifySafetensorsChecksum(serializeSafetensors(tensors, { step: '7' }))).toBe('absent');
  });

  it('one flipped bit anywhere (data, metadata, the checksum itself) is a mismatch', () => {
    const bytes = serializeSafetensors(tensors, { step: '7' }, { checksum: true });
    const text = new TextDecoder().decode(bytes.subarray(0, dataStart(bytes)));
    for (const at of [dataStart(bytes) + 5, text.indexOf('"step":"7"') + 8, text.indexOf(`"${CHECKSUM_KEY}":"`) + CHECKSUM_KEY.length + 6]) {
      const flipped = new Uint8Array(bytes);
      flipped[at] ^= 0x01;
      expect(() => verifySafetensorsChecksum(flipped), `byte ${at}`).toThrow(/checksum mismatch/);
    }
  });

  it('a truncated file is a typed error that says so, not a RangeError', () => {
    const bytes = serializeSafetensors(tensors, {}, { checksum: true });
    expect(() => parseSafetensors(bytes.subarray(0, bytes.length - 3))).toThrow(SafetensorsError);
    expect(() => parseSafetensors(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated: tensor a ends at data byte 24, the file holds 21/);
    expect(() => parseSafetensors(bytes.subarray(0, 20))).toThrow(/truncated/);
    expect(() => parseSafetensors(bytes.subarray(0, 5))).toThrow(/shorter than the 8-byte header length/);
  });
});

describe('resuming from the newest valid checkpoint', () => {
  it('a truncated newest checkpoint is skipped (and named) for the previous one', async () => {
    const { dir, params } = await twoCheckpoints('truncated');
    const newest = checkpointPath(dir, 2);
    const bytes = readFileSync(newest);
    writeFileSync(newest, bytes.subarray(0, bytes.length - 1000)); // a write cut short
    const resumed = await trainer();
    const result = await restoreLatestCheckpoint(dir, (b) => resumed.restore(b));
    expect(result?.step).toBe(1);
    expect(result?.path).toBe(checkpointPath(dir, 1));
    expect(result?.restored.checksum).toBe('verified');
    expect(result?.skipped).toEqual([{ step: 2, path: newest, reason: expect.stringMatching(/truncated/) }]);
    expect(resumed.step).toBe(1);
    expect(await resumed.net.arena.read('params')).toEqual(params[0]);
    resumed.net.dispose();
  });

  it('a newest checkpoint with one flipped data byte is skipped for the previous one; training goes on with finite losses', async () => {
    const { dir, params } = await twoCheckpoints('flipped');
    const newest = checkpointPath(dir, 2);
    const bytes = readFileSync(newest);
    bytes[dataStart(bytes) + 4003] ^= 0x7f; // exponent bits of one float: before checksums, a NaN/huge weight trained on
    writeFileSync(newest, bytes);
    const resumed = await trainer();
    const result = await restoreLatestCheckpoint(dir, (b) => resumed.restore(b));
    expect(result?.step).toBe(1);
    expect(result?.skipped.map((s) => [s.step, s.reason])).toEqual([[2, expect.stringMatching(/checksum mismatch/)]]);
    expect(await resumed.net.arena.read('params')).toEqual(params[0]);
    expect(Number.isFinite((await resumed.trainStep()).loss)).toBe(true);
    resumed.net.dispose();
  });

  it('when no checkpoint is valid, resuming fails with a CheckpointError naming each one (no silent fresh start); the trainer is untouched', async () => {
    const { dir } = await twoCheckpoints('none-valid');
    writeFileSync(checkpointPath(dir, 2), readFileSync(checkpointPath(dir, 2)).subarray(0, 100));
    const flipped = readFileSync(checkpointPath(dir, 1));
    flipped[flipped.length - 2] ^= 0x10;
    writeFileSync(checkpointPath(dir, 1), flipped);
    const resumed = await trainer();
    const before = await resumed.net.arena.read('params');
    const failure = restoreLatestCheckpoint(dir, (b) => resumed.restore(b));
    await expect(failure).rejects.toThrow(CheckpointError);
    await expect(failure).rejects.toThrow(/no valid checkpoint in .*ckpt-00000002\.safetensors: .*truncated.*; ckpt-00000001\.safetensors: checksum mismatch/);
    expect(resumed.step).toBe(0);
    expect(await resumed.net.arena.read('params')).toEqual(before);
    expect(await restoreLatestCheckpoint(join(root, 'empty'), (b) => resumed.restore(b))).toBeUndefined();
    resumed.net.dispose();
  });

  it('a checkpoint of another architecture is skipped with the reason', async () => {
    const { dir } = await twoCheckpoints('other-arch');
    const graph = new SideNetGraph(engine, { ...ARCH, channels: 16 });
    await graph.init(1);
    const other = new ChainTrainer(engine, backbone, graph, new InMemoryDataset([4, 8, 8], 10, new Float32Array(256), [0]), CONFIG);
    await expect(restoreLatestCheckpoint(dir, (b) => other.restore(b))).rejects.toThrow(/ckpt-00000002\.safetensors: checkpoint architecture .* differs/);
    graph.dispose();
  });

  it('a checkpoint written before checksums (none in its metadata) is restored, reported as unverified', async () => {
    const { dir, params } = await twoCheckpoints('old-format');
    const { metadata, tensors } = parseSafetensors(readFileSync(checkpointPath(dir, 2)));
    delete metadata[CHECKSUM_KEY];
    writeFileSync(checkpointPath(dir, 2), serializeSafetensors(tensors, metadata));
    const resumed = await trainer();
    const result = await restoreLatestCheckpoint(dir, (b) => resumed.restore(b));
    expect(result?.step).toBe(2);
    expect(result?.restored.checksum).toBe('absent');
    expect(result?.skipped).toEqual([]);
    expect(await resumed.net.arena.read('params')).toEqual(params[1]);
    resumed.net.dispose();
  });

  it('pruning counts only checkpoints up to the one written: a resumed run never deletes its own for newer, skipped ones', async () => {
    const dir = join(root, 'prune');
    for (const step of [10, 20]) await saveCheckpoint(dir, step, Uint8Array.of(step), 2);
    // Resumed at 10 (20 was invalid): its next checkpoints go below 20.
    await saveCheckpoint(dir, 15, Uint8Array.of(15), 2);
    expect([10, 15, 20].map((s) => existsSync(checkpointPath(dir, s)))).toEqual([true, true, true]);
    await saveCheckpoint(dir, 18, Uint8Array.of(18), 2);
    expect([10, 15, 18, 20].map((s) => existsSync(checkpointPath(dir, s)))).toEqual([false, true, true, true]);
    expect(existsSync(`${checkpointPath(dir, 18)}.partial`)).toBe(false);
  });
});

describe('a non-finite loss', () => {
  it('stops training with a TrainingDivergedError naming the step, before the update; such weights are never checkpointed', async () => {
    const run = await trainer();
    await run.trainStep();
    const good = await run.checkpoint();
    // Diverged weights: one NaN in the time embedding reaches every prediction.
    const params = await run.net.arena.read('params');
    params[0] = NaN;
    await run.net.arena.write('params', params);
    const failure = run.trainStep();
    await expect(failure).rejects.toThrow(TrainingDivergedError);
    await expect(failure).rejects.toThrow(/training diverged at step 2: loss NaN .*the step was not applied/);
    expect(run.step).toBe(1);
    const error = await run.trainStep().catch((e: unknown) => e);
    expect((error as TrainingDivergedError).step).toBe(2);
    await expect(run.checkpoint()).rejects.toThrow(/training diverged at step 1: side_model\.t_embedder\.mlp\.0\.weight holds non-finite values; no checkpoint written/);
    // The last good checkpoint brings the run back.
    await run.restore(good);
    expect(Number.isFinite((await run.trainStep()).loss)).toBe(true);
    run.net.dispose();
  });
});
