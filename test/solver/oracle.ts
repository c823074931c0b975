/**
 * Exact velocity fields for Gaussian data, to measure the samplers' convergence order.
 *
 * Data x0 ~ N(μ_y, σ²) per element (μ depends on the label), REPA path x_t = (1−t)·x0 + t·ε.
 * With s²(t) = (1−t)²σ² + t² and A(t) = s'(t)/s(t) = (t − (1−t)σ²)/s²(t):
 *   v(x, t) = E[ε − x0 | x_t = x] = A(t)·(x − (1−t)μ) − μ,
 *   exact trajectory x(t') = (1−t')μ + s(t')/s(t)·(x − (1−t)μ), so x(0) = μ + σ·x(1).
 * The GPU oracles use elementwise ops; all images of one call must share t.
 */
import type { Engine } from '../../src/gpu/engine.js';
import { binary, unary } from '../../src/gpu/ops/elementwise.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import type { VelocityCorrector, VelocityModel } from '../../src/solver/models.js';

export class GaussianField {
  constructor(readonly sigma: number, readonly mus: readonly number[]) {}
  s(t: number): number {
    return Math.sqrt((1 - t) ** 2 * this.sigma ** 2 + t * t);
  }
  A(t: number): number {
    return (t - (1 - t) * this.sigma ** 2) / this.s(t) ** 2;
  }
  mu(y: number): number {
    return this.mus[y];
  }
  /** The exact x(0) from noise x(1), per element. */
  exactData(noise: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
    const per = noise.length / labels.length;
    return Float64Array.from(noise, (v, i) => this.mu(labels[Math.floor(i / per)]) + this.sigma * v);
  }
}

function sameTime(t: ArrayLike<number>): number {
  for (let i = 1; i < t.length; i++) if (t[i] !== t[0]) throw new Error('oracle: all images of a call must share t');
  return t[0];
}

/** REPA-convention oracle backbone: forward returns v(x, t) [N, C, H, W]. */
export class GaussianModel implements VelocityModel {
  readonly convention = 'repa' as const;
  readonly nullClass: number;
  calls = 0;
  constructor(readonly engine: Engine, readonly field: GaussianField, readonly channels = 4) {
    this.nullClass = field.mus.length - 1;
  }
  forward(x: Tensor, t: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    this.calls++;
    const tt = sameTime(t);
    const A = this.field.A(tt);
    const ax = unary(this.engine, 'identity', x, A, 0);
    const bias = this.engine.upload(Array.from(y, (l) => -A * (1 - tt) * this.field.mu(l) - this.field.mu(l)), [x.shape[0], 1, 1, 1]);
    const out = binary(this.engine, 'add', ax, bias);
    ax.dispose();
    bias.dispose();
    return out;
  }
}

/**
 * The same field behind the original SiT boundary: time τ = 1 − t, v_SiT(x, τ) = −v_REPA(x, 1 − τ),
 * and learn_sigma outputs (2C channels; the last C are junk the sampler must drop).
 */
export class SitConventionModel implements VelocityModel {
  readonly convention = 'sit' as const;
  readonly nullClass: number;
  calls = 0;
  constructor(readonly engine: Engine, readonly field: GaussianField, readonly channels = 4) {
    this.nullClass = field.mus.length - 1;
  }
  forward(x: Tensor, tau: ArrayLike<number>, y: ArrayLike<number>): Tensor {
    this.calls++;
    const t = 1 - sameTime(tau);
    const A = this.field.A(t);
    const [N, C, H, W] = x.shape;
    const coef = this.engine.upload([-A, 3], [1, 2, 1]);
    const scaled = binary(this.engine, 'mul', x.reshape([N, 1, C * H * W]), coef);
    const bias = this.engine.upload(Array.from(y, (l) => [A * (1 - t) * this.field.mu(l) + this.field.mu(l), 0.5]).flat(), [N, 2, 1]);
    const out = binary(this.engine, 'add', scaled, bias, 1, 1, this.engine.empty([N, 2 * C, H, W]));
    for (const d of [coef, scaled, bias]) d.dispose();
    return out;
  }
}

/** Exact corrections along the exact trajectory: Δv(h) = v(x(t−h), t−h) − v(x, t). */
export class GaussianCorrector implements VelocityCorrector {
  calls = 0;
  constructor(readonly engine: Engine, readonly field: GaussianField) {}
  delta(x: Tensor, _v: Tensor, t: ArrayLike<number>, offsets: readonly number[], y: ArrayLike<number>): Tensor {
    this.calls++;
    const f = this.field;
    const tt = sameTime(t);
    const [N, C, H, W] = x.shape;
    const g = offsets.map((h) => (f.A(tt - h) * f.s(tt - h)) / f.s(tt) - f.A(tt));
    const coef = this.engine.upload(g, [offsets.length, 1, 1]);
    const scaled = binary(this.engine, 'mul', x.reshape([1, N, C * H * W]), coef);
    const bias = this.engine.upload(g.flatMap((gk) => Array.from(y, (l) => -gk * (1 - tt) * f.mu(l))), [offsets.length, N, 1]);
    const out = binary(this.engine, 'add', scaled, bias, 1, 1, this.engine.empty([offsets.length * N, C, H, W]));
    for (const d of [coef, scaled, bias]) d.dispose();
    return out;
  }
}
