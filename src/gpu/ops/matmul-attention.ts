/**
 * Single-head attention composed of matmul + softmax + matmul, for head dims beyond the fused
 * attention kernel's buckets (the VAE mid-block attends with one head of 512 channels). The
 * score matrix is formed; above a size budget, queries run in row blocks, image by image, so
 * its memory stays bounded for any token count.
 */
import type { Engine } from '../engine.js';
import { ShapeError } from '../errors.js';
import { BYTES_PER_ELEMENT, shapeString, type Tensor } from '../tensor.js';
import { expectRank, floatDType } from './common.js';
import { copyElements } from './copy.js';
import { scale as scaleBy } from './elementwise.js';
import { matmul } from './matmul.js';
import { softmax } from './softmax.js';

/** Default cap on one score block (scores and probabilities are both alive: twice this at peak). */
const DEFAULT_MAX_SCORE_BYTES = 64 << 20;

export interface MatmulAttentionOptions {
  /** Softmax scale; default D^-0.5. */
  scale?: number;
  /** Largest score block [rows, Sk] in bytes; default 64 MiB (or the device's binding limit if lower). */
  maxScoreBytes?: number;
}

/**
 * out[n, i, :] = softmax_j(scale · q[n, i, :]·k[n, j, :]) v[n, j, :] for token-major
 * q [N, Sq, D] and k, v [N, Sk, D]. Returns [N, Sq, D].
 */
export function matmulAttention(engine: Engine, q: Tensor, k: Tensor, v: Tensor, options: MatmulAttentionOptions = {}): Tensor {
  const op = 'matmulAttention';
  const dtype = floatDType(op, q, k, v);
  for (const [name, t] of [['q', q], ['k', k], ['v', v]] as const) expectRank(op, name, t, 3);
  const [batch, seqQ, dim] = q.shape;
  const seqK = k.shape[1];
  if (k.shape[0] !== batch || k.shape[2] !== dim) throw new ShapeError(`${op}: k must be [${batch}, Sk, ${dim}] for q ${shapeString(q.shape)}, got ${shapeString(k.shape)}`);
  if (shapeString(v.shape) !== shapeString(k.shape)) throw new ShapeError(`${op}: v must have the shape of k ${shapeString(k.shape)}, got ${shapeString(v.shape)}`);
  const scale = options.scale ?? 1 / Math.sqrt(dim);
  const maxScoreBytes = Math.min(options.maxScoreBytes ?? DEFAULT_MAX_SCORE_BYTES, engine.limits.maxStorageBufferBindingSize);
  const rowBytes = seqK * BYTES_PER_ELEMENT[dtype];
  if (rowBytes > maxScoreBytes) throw new ShapeError(`${op}: one row of scores (${seqK} keys, ${rowBytes} bytes) exceeds the ${maxScoreBytes}-byte score budget`);

  // The scale goes on q (Sq·D values) rather than on the scores (Sq·Sk).
  const qs = scale === 1 ? q : scaleBy(engine, q, scale);
  let out: Tensor;
  if (batch * seqQ * rowBytes <= maxScoreBytes) {
    out = attendBlock(engine, qs, k, v);
  } else {
    out = engine.empty([batch, seqQ, dim], dtype);
    const rowsPerBlock = Math.floor(maxScoreBytes / rowBytes);
    for (let n = 0; n < batch; n++) {
      const [kImage, vImage] = batch === 1 ? [k, v] : [imageOf(engine, k, n), imageOf(engine, v, n)];
      for (let r0 = 0; r0 < seqQ; r0 += rowsPerBlock) {
        const rows = Math.min(rowsPerBlock, seqQ - r0);
        const qBlock = engine.empty([rows, dim], dtype);
        copyElements(engine, qs, qBlock, rows * dim, (n * seqQ + r0) * dim, 0);
        const block = attendBlock(engine, qBlock, kImage, vImage);
        qBlock.dispose();
        copyElements(engine, block, out, rows * dim, 0, (n * seqQ + r0) * dim);
        block.dispose();
      }
      if (batch !== 1) {
        kImage.dispose();
        vImage.dispose();
      }
    }
  }
  if (qs !== q) qs.dispose();
  return out;
}

/** softmax(q kᵀ) v with the whole score matrix of these operands (batched or 2-D). */
function attendBlock(engine: Engine, q: Tensor, k: Tensor, v: Tensor): Tensor {
  const scores = matmul(engine, q, k, { transB: true, label: 'matmulAttention.scores' });
  const probabilities = softmax(engine, scores);
  scores.dispose();
  const out = matmul(engine, probabilities, v, { label: 'matmulAttention.values' });
  probabilities.dispose();
  return out;
}

/** A dense copy of image n of [N, S, D]: [S, D]. */
function imageOf(engine: Engine, t: Tensor, n: number): Tensor {
  const [, seq, dim] = t.shape;
  const image = engine.empty([seq, dim], t.dtype);
  copyElements(engine, t, image, seq * dim, n * seq * dim, 0);
  return image;
}
