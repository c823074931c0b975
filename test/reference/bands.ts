/** Plain-TS helpers for row-banded tensors [N, C, H, ...]: cutting an image into bands and back. */

/** Rows [start, start + count) along dim 2 of a channels-first tensor, as a dense array. */
export function rowsOf(data: ArrayLike<number>, shape: readonly number[], start: number, count: number): Float64Array {
  const [batch, channels, height] = shape;
  const rowSize = shape.slice(3).reduce((a, b) => a * b, 1);
  const out = new Float64Array(batch * channels * count * rowSize);
  for (let plane = 0; plane < batch * channels; plane++)
    for (let r = 0; r < count; r++)
      for (let k = 0; k < rowSize; k++) out[(plane * count + r) * rowSize + k] = data[(plane * height + start + r) * rowSize + k];
  return out;
}

/** A random split of `height` rows into consecutive bands of at least one row: [start, count] each. */
export function randomBands(height: number, bandCount: number, pick: (lo: number, hi: number) => number): [number, number][] {
  const cuts = new Set<number>();
  while (cuts.size < Math.min(bandCount, height) - 1) cuts.add(pick(1, height - 1));
  const edges = [0, ...[...cuts].sort((a, b) => a - b), height];
  return edges.slice(1).map((end, i) => [edges[i], end - edges[i]]);
}
