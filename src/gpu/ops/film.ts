/**
 * FiLM rows for the norm-on-load kernels: scale and shift of row b at film[firstRow + b,
 * scaleOffset + c] and film[firstRow + b, shiftOffset + c]. `firstRow` lets a batch read its rows
 * out of a larger table (the SideNet computes a whole run's conditioning in one batch).
 */
import { ShapeError } from '../errors.js';
import { shapeString, type Tensor } from '../tensor.js';

export interface FilmRows {
  /** [R, F]: one row of F conditioning values per image. */
  film: Tensor;
  /** Element offsets inside a row. */
  scaleOffset: number;
  shiftOffset: number;
  /** The row of image 0. Without it film must have exactly one row per image. */
  firstRow?: number;
}

/** The kernels' film uniforms; the first row is folded into the offsets (row stride = F). */
export interface FilmUniforms {
  filmStride: number;
  scaleOffset: number;
  shiftOffset: number;
}

/** Uniforms of an unused film binding. */
export const NO_FILM: FilmUniforms = { filmStride: 0, scaleOffset: 0, shiftOffset: 0 };

/** Checks that rows firstRow.. of `ref` hold `batch` images' scale and shift of `channels` each. */
export function filmRowUniforms(op: string, ref: FilmRows, batch: number, channels: number): FilmUniforms {
  const { film, scaleOffset, shiftOffset } = ref;
  const firstRow = ref.firstRow ?? 0;
  if (film.shape.length !== 2 || (ref.firstRow === undefined && film.shape[0] !== batch)) {
    throw new ShapeError(`${op}: film must be [${batch}, k·${channels}] for ${batch} images, got ${shapeString(film.shape)}`);
  }
  const [rows, width] = film.shape;
  if (!Number.isInteger(firstRow) || firstRow < 0 || firstRow + batch > rows) {
    throw new ShapeError(`${op}: film rows ${firstRow}..${firstRow + batch - 1} for ${batch} images exceed film ${shapeString(film.shape)}`);
  }
  for (const [name, at] of [['scaleOffset', scaleOffset], ['shiftOffset', shiftOffset]] as const) {
    if (!Number.isInteger(at) || at < 0 || at + channels > width) throw new ShapeError(`${op}: film ${name} ${at} + C ${channels} exceeds film row ${width} (${shapeString(film.shape)})`);
  }
  return { filmStride: width, scaleOffset: firstRow * width + scaleOffset, shiftOffset: firstRow * width + shiftOffset };
}
