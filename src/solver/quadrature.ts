/**
 * Quadrature rules on [0, 1] as data. A sampler integrates x ← x − h·Σ w_k·v(t − c_k·h) with
 * the rule's nodes c_k and weights w_k (REPA convention, ba-solver.md §1 and §4).
 */
export interface QuadratureRule {
  readonly name: string;
  /** Nodes c_k in [0, 1], increasing; the node's time is t − c_k·h. */
  readonly nodes: readonly number[];
  /** Weights w_k, summing to 1. */
  readonly weights: readonly number[];
}

/** Interior node of the 4-point Gauss–Lobatto rule, (1 − 1/√5)/2 ≈ 0.2763932 (the default). */
export const LOBATTO_ALPHA = (1 - 1 / Math.sqrt(5)) / 2;
/** Interior node of Simpson's 3/8 rule. */
export const SIMPSON_ALPHA = 1 / 3;

/**
 * The bi-anchor 4-node rule {0, α, 1−α, 1} with weights {w_o, w_i, w_i, w_o}, s = 1 − 2α,
 * w_i = 1/(3(1 − s²)), w_o = 1/2 − w_i (ba-solver.md §4). Exact for cubics for every α in
 * (0, 1/2); α = LOBATTO_ALPHA is exact for quintics (weights 1/12, 5/12, 5/12, 1/12), α = 1/3 is
 * Simpson 3/8 (1/8, 3/8, 3/8, 1/8).
 */
export function biAnchorRule(alpha = LOBATTO_ALPHA): QuadratureRule {
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`bi-anchor rule: α must be in (0, 1/2), got ${alpha}`);
  const s = 1 - 2 * alpha;
  const wi = 1 / (3 * (1 - s * s));
  const wo = 0.5 - wi;
  const name = alpha === LOBATTO_ALPHA ? 'lobatto' : alpha === SIMPSON_ALPHA ? 'simpson-3/8' : `bi-anchor(α=${alpha})`;
  return { name, nodes: [0, alpha, 1 - alpha, 1], weights: [wo, wi, wi, wo] };
}

/** K-point Gauss–Legendre on [0, 1] (K = 1..5); exact for polynomials of degree 2K − 1. */
export function gaussLegendre(K: number): QuadratureRule {
  const table = GL[K];
  if (!table) throw new RangeError(`Gauss–Legendre: K must be 1..5, got ${K}`);
  // Symmetric nodes x on [−1, 1] → (1 + x)/2, weights halved.
  const nodes = table.x.map((x) => (1 + x) / 2);
  const weights = table.w.map((w) => w / 2);
  return { name: `gauss-legendre-${K}`, nodes, weights };
}

const GL: Record<number, { x: number[]; w: number[] }> = (() => {
  const s35 = Math.sqrt(6 / 5);
  const s70 = Math.sqrt(70);
  const a4 = Math.sqrt(3 / 7 - (2 / 7) * s35);
  const b4 = Math.sqrt(3 / 7 + (2 / 7) * s35);
  const wa4 = (18 + Math.sqrt(30)) / 36;
  const wb4 = (18 - Math.sqrt(30)) / 36;
  const a5 = Math.sqrt(5 - 2 * Math.sqrt(10 / 7)) / 3;
  const b5 = Math.sqrt(5 + 2 * Math.sqrt(10 / 7)) / 3;
  const wa5 = (322 + 13 * s70) / 900;
  const wb5 = (322 - 13 * s70) / 900;
  return {
    1: { x: [0], w: [2] },
    2: { x: [-1 / Math.sqrt(3), 1 / Math.sqrt(3)], w: [1, 1] },
    3: { x: [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)], w: [5 / 9, 8 / 9, 5 / 9] },
    4: { x: [-b4, -a4, a4, b4], w: [wb4, wa4, wa4, wb4] },
    5: { x: [-b5, -a5, 0, a5, b5], w: [wb5, wa5, 128 / 225, wa5, wb5] },
  };
})();
