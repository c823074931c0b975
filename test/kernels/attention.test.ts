import { describe, expect, it } from 'vitest';
import { attentionTokenMajor } from '../../src/gpu/ops/attention.js';
import { expectClose } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { attentionRef, gather4 } from '../reference/attention.js';

describe('attention smoke', () => {
  it('token-major', async () => {
    const engine = await testEngine();
    const rng = new Rng(1);
    const B = 2, T = 37, H = 3, Dh = 72, D = H * Dh;
    const qkv = rng.normals(B * T * 3 * D);
    const out = attentionTokenMajor(engine, engine.upload(qkv, [B, T, 3 * D]), H);
    const sv = [T * 3 * D, Dh, 3 * D, 1];
    const dims = [B, H, T, Dh];
    const ref = attentionRef(gather4(qkv, 0, sv, dims), gather4(qkv, D, sv, dims), gather4(qkv, 2 * D, sv, dims), B * H, T, T, Dh, Dh ** -0.5);
    const got = gather4(await out.read(), 0, [T * D, Dh, D, 1], dims);
    expectClose(got, ref, { atol: 1e-5, rtol: 1e-4 }, 'attn');
  });
  it('bench T=256 Dh=72 H=16', async () => {
    const engine = await testEngine();
    const rng = new Rng(2);
    const B = 1, T = 256, H = 16, D = 1152;
    const qkv = engine.upload(rng.normals(B * T * 3 * D), [B, T, 3 * D]);
    for (let r = 0; r < 4; r++) {
      const t0 = performance.now();
      const o = attentionTokenMajor(engine, qkv, H);
      await engine.sync();
      console.log('ms', performance.now() - t0);
      o.dispose();
    }
    expect(1).toBe(1);
  });
});
