import { describe, expect, it } from 'vitest';
import { guidance } from '../../src/gpu/ops/guidance.js';
import { expectClose, F32_TOL } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { guidanceRef } from '../reference/guidance.js';

describe('classifier-free guidance kernel', () => {
  const cases = [
    { name: 'REPA: 4 channels inside t <= 0.7', B: 3, cin: 4, channels: 4, guided: 4, hw: [5, 7], interval: [0, 0.7] as [number, number] },
    { name: 'original SiT: learn_sigma input, 3 guided channels, always', B: 2, cin: 8, channels: 4, guided: 3, hw: [16, 16] },
    { name: 'single image, 1x1 latent', B: 1, cin: 4, channels: 4, guided: 4, hw: [1, 1], interval: [0.2, 0.5] as [number, number] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const engine = await testEngine();
      const rng = new Rng(c.B * 31 + c.cin);
      const shape = [2 * c.B, c.cin, ...c.hw];
      const v = rng.array(shape.reduce((a, b) => a * b, 1));
      const t = Float32Array.from({ length: c.B }, (_, i) => [0.9, 0.3, 0.7, 0][i % 4]);
      const options = { scale: 2.5, interval: c.interval, guidedChannels: c.guided, channels: c.channels };
      const out = guidance(engine, engine.upload(v, shape), engine.upload(t, [c.B]), options);
      expect(out.shape).toEqual([c.B, c.channels, ...c.hw]);
      expectClose(await out.read(), guidanceRef(v, shape, t, options), F32_TOL, c.name);
    });
  }

  it('rejects an odd batch and a channel count the input lacks', async () => {
    const engine = await testEngine();
    const opts = { scale: 1, guidedChannels: 4, channels: 4 };
    expect(() => guidance(engine, engine.zeros([3, 4, 2, 2]), engine.zeros([1]), opts)).toThrow(/needs an even batch 2B/);
    expect(() => guidance(engine, engine.zeros([2, 3, 2, 2]), engine.zeros([1]), opts)).toThrow(/cannot take 4 channels/);
  });
});
