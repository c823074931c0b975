import { describe, expect, it } from 'vitest';
import { QUADRATURE_VARIANTS, quadrature, repaVelocity, type QuadratureNode } from '../../src/gpu/ops/quadrature.js';
import { expectClose, F16_TOL, F32_TOL, roundToF16 } from '../helpers/compare.js';
import { testEngine } from '../helpers/engine.js';
import { Rng } from '../helpers/random.js';
import { quadratureRef, repaVelocityRef } from '../reference/quadrature.js';

/** Tolerance: f32 accumulation of ≤ 8 O(1) terms; F32_TOL (atol 1e-5, rtol 1e-4). */
describe('fused quadrature kernel', () => {
  const cases = [
    { name: 'bi-anchor corrector, guided 4 channels, interval splits the nodes, odd sizes', B: 3, Cin: 4, guided: 4, hw: [5, 7], sign: 1, anchors: 2, deltas: [3, 1], nodes: 4, x2: false, copies: 2 },
    { name: 'learn_sigma SiT input (Cin 8, sign −1), 3 guided channels', B: 2, Cin: 8, guided: 3, hw: [3, 3], sign: -1, anchors: 1, deltas: [3], nodes: 4, x2: false, copies: 1 },
    { name: 'unguided, Gauss–Legendre 5 from one anchor', B: 1, Cin: 4, guided: 0, hw: [1, 1], sign: 1, anchors: 1, deltas: [5], nodes: 5, x2: false, copies: 1 },
    { name: 'multistep: two anchors + second state, no Δv, 8 nodes', B: 2, Cin: 8, guided: 4, hw: [16, 17], sign: -1, anchors: 2, deltas: [], nodes: 8, x2: true, copies: 2 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const engine = await testEngine();
      const rng = new Rng(c.B * 97 + c.Cin + c.nodes);
      const C = 4;
      const P = c.hw[0] * c.hw[1];
      const guided = c.guided > 0;
      const Bp = guided ? 2 * c.B : c.B;
      const xs = rng.array(c.copies * c.B * C * P);
      const x2 = rng.array(c.B * C * P);
      const anchors = Array.from({ length: c.anchors }, () => rng.array(Bp * c.Cin * P));
      const deltas = c.deltas.map((n) => rng.array(n * Bp * C * P, -0.3, 0.3));
      const nodes: QuadratureNode[] = Array.from({ length: c.nodes }, (_, k) => {
        const anchor = (k % c.anchors) as 0 | 1;
        const buffer = (k % Math.max(1, c.deltas.length)) as 0 | 1;
        const withDelta = c.deltas.length > 0 && k > 0;
        return { anchor, delta: withDelta ? { buffer, slice: k % c.deltas[buffer] } : undefined, weight: rng.uniform(0, 1), time: [0.9, 0.7, 0.55, 0.1, 0.71][k % 5] };
      });
      const guidance = guided ? { scale: 1.7, interval: [0, 0.7] as [number, number], guidedChannels: c.guided } : undefined;
      const t = (d: Float32Array, shape: number[]) => engine.upload(d, shape);
      const xT = t(xs, [c.copies * c.B, C, ...c.hw]);
      const out = quadrature(engine, {
        x: xT, xScale: 0.9, x2: c.x2 ? { tensor: t(x2, [c.B, C, ...c.hw]), scale: -0.25 } : undefined, h: 0.3,
        anchors: anchors.map((a) => t(a, [Bp, c.Cin, ...c.hw])),
        deltas: deltas.map((d, i) => t(d, [c.deltas[i] * Bp, C, ...c.hw])),
        nodes, sign: c.sign as 1 | -1, guidance, images: c.B, copies: c.copies as 1 | 2,
      });
      expect(out.shape).toEqual([c.copies * c.B, C, ...c.hw]);
      const ref = quadratureRef({
        x: xs, xScale: 0.9, x2: c.x2 ? x2 : undefined, x2Scale: -0.25, h: 0.3, anchors, deltas, nodes, sign: c.sign, guidance,
        B: c.B, C, Cin: c.Cin, P, copies: c.copies,
      });
      expectClose(await out.read(), ref, F32_TOL, c.name);
    });
  }

  it('repaVelocity: sign and channel slice; identity is free', async () => {
    const engine = await testEngine();
    const rng = new Rng(5);
    const raw = rng.array(6 * 8 * 3 * 5);
    const rawT = engine.upload(raw, [6, 8, 3, 5]);
    const v = repaVelocity(engine, rawT, 4, -1);
    expect(v.shape).toEqual([6, 4, 3, 5]);
    expectClose(await v.read(), repaVelocityRef(raw, 6, 8, 4, 15, -1), F32_TOL, 'repaVelocity');
    const same = engine.upload(rng.array(2 * 4 * 4), [2, 4, 2, 2]);
    expect(repaVelocity(engine, same, 4, 1)).toBe(same);
  });

  it('f16 storage (accumulates in f32): corrector-shaped call', async (ctx) => {
    const engine = await testEngine();
    if (!engine.has('shader-f16')) return ctx.skip('adapter lacks shader-f16');
    const rng = new Rng(11);
    const B = 2, C = 4, P = 6, hw = [2, 3];
    const x = roundToF16(rng.array(2 * B * C * P));
    const anchors = [roundToF16(rng.array(2 * B * C * P)), roundToF16(rng.array(2 * B * C * P))];
    const deltas = [roundToF16(rng.array(3 * 2 * B * C * P, -0.3, 0.3)), roundToF16(rng.array(2 * B * C * P, -0.3, 0.3))];
    const nodes: QuadratureNode[] = [
      { anchor: 0, weight: 1 / 12, time: 0.75 }, { anchor: 0, delta: { buffer: 0, slice: 0 }, weight: 5 / 12, time: 0.68 },
      { anchor: 1, delta: { buffer: 1, slice: 0 }, weight: 5 / 12, time: 0.57 }, { anchor: 1, weight: 1 / 12, time: 0.5 },
    ];
    const guidance = { scale: 1.5, interval: [0, 0.7] as [number, number], guidedChannels: 4 };
    const up = (d: ArrayLike<number>, n: number) => engine.upload(d, [n, C, ...hw], 'f16');
    const out = quadrature(engine, { x: up(x, 2 * B), h: 0.25, anchors: anchors.map((a) => up(a, 2 * B)), deltas: [up(deltas[0], 6 * B), up(deltas[1], 2 * B)], nodes, sign: 1, guidance, images: B, copies: 2 });
    expect(out.dtype).toBe('f16');
    const ref = quadratureRef({ x, xScale: 1, x2Scale: 0, h: 0.25, anchors, deltas, nodes, sign: 1, guidance, B, C, Cin: C, P, copies: 2 });
    expectClose(await out.read(), ref, F16_TOL, 'f16 quadrature');
  });

  it('every variant compiles (f16 where the adapter has it)', async () => {
    const engine = await testEngine();
    for (const spec of QUADRATURE_VARIANTS) {
      if (spec.dtype === 'f16' && !engine.has('shader-f16')) continue;
      expect(await engine.pipelines.pipeline(engine.pipelines.variant(spec.kernel, spec.dtype, spec.constants))).toBeInstanceOf(GPUComputePipeline);
    }
  });

  it('names shape mistakes', async () => {
    const engine = await testEngine();
    const x = engine.zeros([2, 4, 2, 2]);
    const base = { x, h: 0.1, sign: 1 as const, images: 2, nodes: [{ anchor: 0 as const, weight: 1, time: 0.5 }] };
    expect(() => quadrature(engine, { ...base, anchors: [engine.zeros([2, 4, 2, 2])], guidance: { scale: 2, interval: [0, 1], guidedChannels: 4 } })).toThrow(/anchor 0 must be \[4, Cin ≥ 4, 2, 2\]/);
    expect(() => quadrature(engine, { ...base, anchors: [engine.zeros([2, 4, 2, 2])], nodes: [{ anchor: 0, delta: { buffer: 0, slice: 1 }, weight: 1, time: 0 }], deltas: [engine.zeros([2, 4, 2, 2])] })).toThrow(/slice 1, which is not there/);
  });
});
