/** Attention test cases shared by the strided attention ops' tests (attention(), flashAttention()). */
import type { AttentionArgs } from '../../src/gpu/ops/attention.js';
import type { Engine } from '../../src/gpu/engine.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { expectClose, type Tolerance } from './compare.js';
import { Rng } from './random.js';
import { attentionRef, gather4 } from '../reference/attention.js';

/**
 * Separate q, k, v tensors with seqQ ≠ seqK, scale 0.3: q dense [B, H, Tq, Dh], k as
 * [B, Tk, H, Dh], v transposed [B, H, Dh, Tk], the output 5 elements into its tensor. `run`
 * records the op; the result is checked against the f64 reference and the prefix stays zero.
 */
export async function checkCrossAttention(
  engine: Engine, run: (args: AttentionArgs) => Tensor, tol: Tolerance, label: string,
  seed: number, batch: number, heads: number, seqQ: number, seqK: number, headDim: number,
): Promise<void> {
  const rng = new Rng(seed);
  const dense = (t: number) => rng.normals(batch * heads * t * headDim);
  const q = dense(seqQ);
  const k = dense(seqK);
  const v = dense(seqK);
  const kT = gather4(k, 0, [heads * seqK * headDim, headDim, seqK * headDim, 1], [batch, seqK, heads, headDim]);
  const vT = gather4(v, 0, [heads * seqK * headDim, seqK * headDim, 1, headDim], [batch, heads, headDim, seqK]);
  const pad = 5;
  const out = engine.zeros([pad + batch * heads * seqQ * headDim]);
  run({
    batch, heads, seqQ, seqK, headDim, scale: 0.3,
    q: { tensor: engine.upload(q, [q.length]), strides: [heads * seqQ * headDim, seqQ * headDim, headDim, 1] },
    k: { tensor: engine.upload(kT, [kT.length]), strides: [seqK * heads * headDim, headDim, heads * headDim, 1] },
    v: { tensor: engine.upload(vT, [vT.length]), strides: [heads * headDim * seqK, headDim * seqK, 1, seqK] },
    out: { tensor: out, offset: pad, strides: [heads * seqQ * headDim, seqQ * headDim, headDim, 1] },
  });
  const got = await out.read();
  expectClose(got.subarray(0, pad), new Float64Array(pad), tol, `${label}: untouched prefix`);
  expectClose(got.subarray(pad), attentionRef(q, k, v, batch * heads, seqQ, seqK, headDim, 0.3), tol, `${label} Tq=${seqQ} Tk=${seqK} Dh=${headDim}`);
  out.dispose();
}
