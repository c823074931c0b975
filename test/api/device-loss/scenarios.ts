/**
 * Device loss scenarios, shared by the Node test and the Chromium page: each destroys the
 * generator's device while step 2 of a generation runs, then generates again and reports what
 * happened as plain data (the page hands it to the Node test), next to a fresh generator's
 * output for the same request.
 */
import { acquireDevice } from '../../../src/gpu/device.js';
import { Engine } from '../../../src/gpu/engine.js';
import type { PoolStats } from '../../../src/gpu/buffer-pool.js';
import { ImageGenerator, type GenerateOptions, type ModelSources } from '../../../src/generator.js';
import { trackDevice, type TrackedDevice } from '../tracking-device.js';

export const REQUEST: GenerateOptions = { labels: [3, 8], solver: 'ba', nfe: 4, guidance: 1.5, seed: 77 };
/** The step during which the device is destroyed. */
export const LOST_AT_STEP = 2;

export interface Output {
  /** The latents' f32 bit patterns: equal bits, not merely close values. */
  latentBits: number[];
  pixels: number[];
}

export interface LossReport {
  /** Name of the error the generation in flight rejected with. */
  inFlightError: string;
  /** Steps the lost generation reported (it stops at the loss). */
  stepsBeforeLoss: number;
  events: { type: string; willRecover: boolean; error: string }[];
  engineReplaced: boolean;
  oldEngineDisposed: boolean;
  /** Where the reloaded weights came from (progress events after the loss). */
  reloadedFrom: string[];
  after: Output;
  /** The new engine's pool after the generation, and a fresh generator's after the same one. */
  pool: PoolStats;
  fresh: Output & { pool: PoolStats };
}

export interface GuestLossReport extends LossReport {
  /** Name of the error a generation between the loss and reload() rejected with. */
  beforeReloadError: string;
  /** GPU resources still alive on the lost device once reload() is done. */
  oldDevice: { buffers: number; textures: number };
  /** Live buffers on the new device, and on a fresh generator's device, after the same work. */
  newDeviceBuffers: number;
  freshDeviceBuffers: number;
}

async function render(generator: ImageGenerator): Promise<Output> {
  const latent = await generator.generate(REQUEST);
  const values = await latent.read();
  const pixels = await generator.readPixels(await generator.decodeToTexture(latent));
  latent.dispose();
  return { latentBits: Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length)), pixels: Array.from(pixels) };
}

/** Generates with the device destroyed during step LOST_AT_STEP; returns the rejection's name and the steps seen. */
async function generateThroughLoss(generator: ImageGenerator): Promise<{ error: string; steps: number }> {
  let steps = 0;
  try {
    const latent = await generator.generate({
      ...REQUEST,
      onStep: ({ step }) => {
        steps++;
        if (step === LOST_AT_STEP) generator.engine.device.destroy();
      },
    });
    latent.dispose();
    return { error: 'none: the generation resolved', steps };
  } catch (err) {
    return { error: (err as Error).name, steps };
  }
}

function recordEvents(generator: ImageGenerator): LossReport['events'] {
  const events: LossReport['events'] = [];
  generator.addEventListener('devicelost', (e) => events.push({ type: e.type, willRecover: e.willRecover, error: e.error.name }));
  return events;
}

/**
 * A generator that owns its device ('create': ImageGenerator.create; 'load': loaded onto an
 * engine made by Engine.create()) recovers on its own: the next generate() reloads the
 * weights onto a new device.
 */
export async function ownerLoss(sources: ModelSources, made: 'create' | 'load'): Promise<LossReport> {
  let lost = false;
  const reloadedFrom = new Set<string>();
  const options = { onProgress: (p: { from: string }) => lost && reloadedFrom.add(p.from) };
  const generator = made === 'create' ? await ImageGenerator.create(sources, options) : await ImageGenerator.load(await Engine.create(), sources, options);
  const events = recordEvents(generator);
  const oldEngine = generator.engine;
  // A texture made before the loss: it goes with the device.
  await generator.decodeToTexture(await generator.generate({ ...REQUEST, nfe: 1 }));
  lost = true;
  const { error, steps } = await generateThroughLoss(generator);
  const after = await render(generator);
  const report = {
    inFlightError: error, stepsBeforeLoss: steps, events, reloadedFrom: [...reloadedFrom],
    engineReplaced: generator.engine !== oldEngine, oldEngineDisposed: oldEngine.isDisposed,
    after, pool: generator.engine.poolStats(),
  };
  generator.dispose();
  const fresh = await ImageGenerator.create(sources);
  const freshOutput = await render(fresh);
  const freshPool = fresh.engine.poolStats();
  fresh.dispose();
  return { ...report, fresh: { ...freshOutput, pool: freshPool } };
}

async function trackedEngine(): Promise<{ engine: Engine; tracked: TrackedDevice }> {
  const tracked = trackDevice((await acquireDevice()).device);
  return { engine: await Engine.create({ device: tracked.device }), tracked };
}

/** A guest on the app's device: 'devicelost', calls reject until the app hands over a new device with reload(). */
export async function guestLoss(sources: ModelSources): Promise<GuestLossReport> {
  const old = await trackedEngine();
  let lost = false;
  const reloadedFrom = new Set<string>();
  const generator = await ImageGenerator.load(old.engine, sources, { onProgress: (p) => lost && reloadedFrom.add(p.from) });
  const events = recordEvents(generator);
  await generator.decodeToTexture(await generator.generate({ ...REQUEST, nfe: 1 }));
  lost = true;
  const { error, steps } = await generateThroughLoss(generator);
  const beforeReload = await generator.generate(REQUEST).then(() => 'none: the generation resolved', (err: Error) => err.name);
  const next = trackDevice((await acquireDevice()).device);
  await generator.reload(next.device);
  const after = await render(generator);
  const report = {
    inFlightError: error, stepsBeforeLoss: steps, events, reloadedFrom: [...reloadedFrom], beforeReloadError: beforeReload,
    engineReplaced: generator.engine !== old.engine, oldEngineDisposed: old.engine.isDisposed,
    oldDevice: { buffers: old.tracked.liveBuffers(), textures: old.tracked.liveTextures() },
    after, pool: generator.engine.poolStats(), newDeviceBuffers: next.liveBuffers(),
  };
  generator.dispose(); // and the engine it made on the app's device
  next.device.destroy();

  const fresh = await trackedEngine();
  const freshGenerator = await ImageGenerator.load(fresh.engine, sources);
  const freshOutput = await render(freshGenerator);
  const freshPool = fresh.engine.poolStats();
  const freshDeviceBuffers = fresh.tracked.liveBuffers();
  freshGenerator.dispose();
  fresh.engine.dispose();
  fresh.tracked.device.destroy();
  return { ...report, freshDeviceBuffers, fresh: { ...freshOutput, pool: freshPool } };
}
