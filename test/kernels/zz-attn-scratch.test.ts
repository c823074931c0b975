import { it } from 'vitest';
import src from '../../src/shaders/attention.wgsl';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';

const variants: Record<string, string> = {
  base: `const DMAX = 128u;\n${src}`,
  b80: `const DMAX = 80u;\n${src}`,
  constDh: `const DMAX = 72u;\n${src}`.replace('let dh = params.headDim;', 'let dh = DMAX;'),
  kb8: `const DMAX = 72u;\n${src}`.replace('let dh = params.headDim;', 'let dh = DMAX;').replace('const KB = 4u;', 'const KB = 8u;'),
  kb1: `const DMAX = 72u;\n${src}`.replace('let dh = params.headDim;', 'let dh = DMAX;').replace('const KB = 4u;', 'const KB = 1u;'),
};
it('scratch bench', async () => {
  const engine = await testEngine();
  const rng = new Rng(2);
  const B = 1, T = 256, H = 16, D = 1152, Dh = 72, W = 3 * D;
  const qkv = engine.upload(rng.normals(B * T * 3 * D), [B, T, 3 * D]);
  const out = engine.empty([B, T, D]);
  for (const WG of [64, 128, 256]) for (const [name, source] of Object.entries(variants)) {
    const times: number[] = [];
    for (let r = 0; r < 4; r++) {
      const t0 = performance.now();
      const s = [T * W, Dh, W, 1];
      engine.dispatch({ kernel: { name: 'x' + name, source }, constants: { WG }, bindings: { q: qkv, k: qkv, v: qkv, out },
        uniforms: { qStrides: s, kStrides: s, vStrides: s, oStrides: [T * D, Dh, D, 1], offsets: [0, D, 2 * D, 0], seqQ: T, seqK: T, heads: H, headDim: Dh, scale: 0.1 },
        workgroups: [Math.ceil(T / WG), B * H] });
      await engine.sync();
      times.push(performance.now() - t0);
    }
    console.log(WG, name, times.map((t) => t.toFixed(0)).join(' '));
  }
});
