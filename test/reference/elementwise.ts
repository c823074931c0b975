/** Plain-TS f64 references for the elementwise kernels (independent of the WGSL). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

export function mapRef(a: ArrayLike<number>, f: (x: number) => number): Float64Array {
  return Float64Array.from(a, f);
}

/** numpy-style broadcast of f(a, b) for arbitrary ranks. */
export function broadcastRef(
  a: ArrayLike<number>, aShape: number[],
  b: ArrayLike<number>, bShape: number[],
  f: (x: number, y: number) => number,
): { data: Float64Array; shape: number[] } {
  const rank = Math.max(aShape.length, bShape.length);
  const pa = [...Array(rank - aShape.length).fill(1), ...aShape];
  const pb = [...Array(rank - bShape.length).fill(1), ...bShape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const n = shape.reduce((x, y) => x * y, 1);
  const data = new Float64Array(n);
  const coord = new Array(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let rem = i;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia = ia * pa[d] + (pa[d] === 1 ? 0 : coord[d]);
      ib = ib * pb[d] + (pb[d] === 1 ? 0 : coord[d]);
    }
    data[i] = f(a[ia], b[ib]);
  }
  return { data, shape };
}
