/** f64 reference of the fused quadrature update (src/shaders/quadrature.wgsl). */
export interface QuadratureRefArgs {
  x: ArrayLike<number>;
  xScale: number;
  x2?: ArrayLike<number>;
  x2Scale: number;
  h: number;
  /** Raw anchors [B', Cin, P]. */
  anchors: ArrayLike<number>[];
  /** Δv buffers [n·B', C, P]. */
  deltas: ArrayLike<number>[];
  nodes: { anchor: number; delta?: { buffer: number; slice: number }; weight: number; time: number }[];
  sign: number;
  guidance?: { scale: number; interval: [number, number]; guidedChannels: number };
  B: number;
  C: number;
  Cin: number;
  P: number;
  copies: number;
}

export function quadratureRef(a: QuadratureRefArgs): Float64Array {
  const { B, C, Cin, P } = a;
  const Bp = a.guidance ? 2 * B : B;
  const n = B * C * P;
  const out = new Float64Array(a.copies * n);
  // Node velocities per half, materialised (the reference may; the kernel must not).
  const node = (k: number, img: number, c: number, p: number) => {
    const nd = a.nodes[k];
    let v = a.sign * a.anchors[nd.anchor][(img * Cin + c) * P + p];
    if (nd.delta) v += a.deltas[nd.delta.buffer][nd.delta.slice * Bp * C * P + (img * C + c) * P + p];
    return v;
  };
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < P; p++) {
        let acc = 0;
        for (let k = 0; k < a.nodes.length; k++) {
          let v = node(k, b, c, p);
          const g = a.guidance;
          const t = a.nodes[k].time;
          if (g && c < g.guidedChannels && t >= g.interval[0] && t <= g.interval[1]) {
            const u = node(k, b + B, c, p);
            v = u + g.scale * (v - u);
          }
          acc += a.nodes[k].weight * v;
        }
        const i = (b * C + c) * P + p;
        const r = a.xScale * a.x[i] + (a.x2 ? a.x2Scale * a.x2[i] : 0) - a.h * acc;
        for (let r2 = 0; r2 < a.copies; r2++) out[r2 * n + i] = r;
      }
    }
  }
  return out;
}

/** sign · raw[:, :C] for every image. */
export function repaVelocityRef(raw: ArrayLike<number>, N: number, Cin: number, C: number, P: number, sign: number): Float64Array {
  const out = new Float64Array(N * C * P);
  for (let b = 0; b < N; b++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) out[(b * C + c) * P + p] = sign * raw[(b * Cin + c) * P + p];
  return out;
}
