/** Reference for nonfinite_step: the first step whose state holds a NaN or ±Inf (0xffffffff if none). */
export function firstNonFiniteStep(states: { step: number; values: ArrayLike<number> }[]): number {
  let first = 0xffffffff;
  for (const { step, values } of states) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        first = Math.min(first, step);
        break;
      }
    }
  }
  return first;
}
