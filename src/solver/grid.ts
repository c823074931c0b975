/**
 * Time grids, REPA convention: t_0 = 1 (noise) > t_1 > … > t_N = 0 (data); interval i has
 * h_i = t_i − t_{i+1} > 0.
 *
 * Uniform (the BA-solver reference, ba-solver.md §1): t_i = 1 − i/N.
 * Shifted (optional): t'_i = s·t_i / (1 + (s − 1)·t_i) applied to the uniform grid. It keeps
 * both ends (0 → 0, 1 → 1); s > 1 moves interior times toward the noise end (more, smaller
 * steps at high noise, as in SD3's "timestep shift"), s < 1 toward data, s = 1 is uniform.
 */
export interface GridOptions {
  /** Time shift s > 0 (default 1: uniform). */
  shift?: number;
}

export function timeGrid(steps: number, options: GridOptions = {}): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`time grid: steps must be a positive integer, got ${steps}`);
  const s = options.shift ?? 1;
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`time grid: shift must be > 0, got ${s}`);
  return Array.from({ length: steps + 1 }, (_, i) => {
    const t = i === steps ? 0 : 1 - i / steps;
    return s === 1 ? t : (s * t) / (1 + (s - 1) * t);
  });
}
