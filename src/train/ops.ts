/**
 * Differentiable ops on the tape: each is one function that runs the forward kernel, then
 * records a backward closure (gradient kernels from src/gpu/ops/grad.ts; matmul backward is
 * matmul with transposed operands). A backward computes gradients only for the inputs that
 * require them. Shapes are channels-first ([B, C, H, W]) like the inference ops.
 */
import { attentionChannelFirst } from '../gpu/ops/attention.js';
import { concat1 as concatChannels, sliceChannels } from '../gpu/ops/copy.js';
import { conv3x3 as conv3x3Fwd, depthwiseConv3x3 as depthwiseFwd } from '../gpu/ops/conv.js';
import { binary, unary, silu as siluFwd } from '../gpu/ops/elementwise.js';
import { embedding as embeddingFwd, timestepEmbedding } from '../gpu/ops/embedding.js';
import {
  attentionChannelFirstBackward,
  conv3x3Backward,
  depthwiseConv3x3Backward,
  embeddingBackward,
  mseLoss,
  rmsNormBackward,
  siluBackward,
  sumToShape,
} from '../gpu/ops/grad.js';
import { linear as linearFwd, matmul as matmulFwd } from '../gpu/ops/matmul.js';
import { rmsNorm as rmsNormFwd } from '../gpu/ops/norm.js';
import { shapeSize, shapeString, type Tensor } from '../gpu/tensor.js';
import type { Engine } from '../gpu/engine.js';
import type { Tape, Var } from './tape.js';

const anyGrad = (...vs: (Var | undefined)[]) => vs.some((v) => v?.requiresGrad);
const sameShape = (a: readonly number[], b: readonly number[]) => shapeString(a) === shapeString(b);

/** 3×3 conv, padding 1: x [B, Cin, H, W], weight [Cout, Cin, 3, 3], bias [Cout]. */
export function conv3x3(tape: Tape, x: Var, weight: Var, bias?: Var): Var {
  const { engine } = tape;
  const out = tape.result(conv3x3Fwd(engine, x.tensor, weight.tensor, bias?.tensor), anyGrad(x, weight, bias), 'conv3x3');
  return tape.record('conv3x3', bias ? [x, weight, bias] : [x, weight], out, (gy) => {
    const g = conv3x3Backward(engine, x.tensor, weight.tensor, gy, {
      input: x.requiresGrad, bias: !!bias, out: { dweight: tape.gradOut(weight), dbias: bias && tape.gradOut(bias) },
    });
    return [g.dx, g.dweight, g.dbias];
  });
}

/** Depthwise 3×3 conv, no bias: weight [C, 1, 3, 3]. */
export function depthwiseConv3x3(tape: Tape, x: Var, weight: Var): Var {
  const { engine } = tape;
  const out = tape.result(depthwiseFwd(engine, x.tensor, weight.tensor), anyGrad(x, weight), 'dwconv3x3');
  return tape.record('dwconv3x3', [x, weight], out, (gy) => {
    const g = depthwiseConv3x3Backward(engine, x.tensor, weight.tensor, gy, tape.gradOut(weight));
    return [g.dx, g.dweight];
  });
}

/**
 * 1×1 conv, channels-first: weight [Cout, Cin, 1, 1] (or [Cout, Cin]) times each image
 * [Cin, H·W], plus an optional bias [Cout] and an optional residual [B, Cout, ...] (a block's
 * skip connection), both added in the matmul's epilogue. dW = Σ_b dy[b]·x[b]ᵀ, dx = Wᵀ·dy,
 * d residual = dy.
 */
export function pointwise(tape: Tape, x: Var, weight: Var, bias?: Var, residual?: Var): Var {
  const { engine } = tape;
  const [batch, cin, ...spatial] = x.shape;
  const hw = shapeSize(spatial);
  const cout = weight.shape[0];
  const w2 = weight.tensor.reshape([cout, cin]);
  const images = x.tensor.reshape([batch, cin, hw]);
  const y = matmulFwd(engine, w2, images, {
    bias: bias?.tensor, biasAxis: 'row', epilogue: residual ? 'residual' : undefined, residual: residual?.tensor,
    out: engine.empty([batch, cout, ...spatial], x.tensor.dtype),
  });
  const out = tape.result(y, anyGrad(x, weight, bias, residual), 'pointwise');
  const inputs = [x, weight, bias, residual].filter((v): v is Var => !!v);
  return tape.record('pointwise', inputs, out, (gy) => {
    const g3 = gy.reshape([batch, cout, hw]);
    let dx: Tensor | undefined;
    if (x.requiresGrad) {
      dx = engine.empty(x.shape, x.tensor.dtype);
      matmulFwd(engine, w2, g3, { transA: true, out: dx });
    }
    let dweight: Tensor | undefined;
    if (weight.requiresGrad) {
      const store = tape.gradOut(weight);
      if (batch === 1) {
        dweight = matmulFwd(engine, g3, images, { transB: true, out: store ?? engine.empty(weight.shape, gy.dtype) });
      } else {
        const perImage = matmulFwd(engine, g3, images, { transB: true });
        dweight = sumToShape(engine, perImage, [cout, cin], store);
        perImage.dispose();
      }
    }
    const dbias = bias?.requiresGrad ? sumToShape(engine, g3, [cout, 1], tape.gradOut(bias)) : undefined;
    return [dx, dweight, ...(bias ? [dbias] : []), ...(residual ? [residual.requiresGrad ? gy : undefined] : [])];
  });
}

/** y = x·Wᵀ + b for x [N, K], W [M, K] (PyTorch Linear), b [M]. */
export function linear(tape: Tape, x: Var, weight: Var, bias?: Var): Var {
  const { engine } = tape;
  const out = tape.result(linearFwd(engine, x.tensor, weight.tensor, bias?.tensor), anyGrad(x, weight, bias), 'linear');
  const [n, k] = x.shape;
  const m = weight.shape[0];
  return tape.record('linear', bias ? [x, weight, bias] : [x, weight], out, (gy) => {
    const dx = x.requiresGrad ? matmulFwd(engine, gy, weight.tensor, { out: engine.empty([n, k], x.tensor.dtype) }) : undefined;
    const dweight = weight.requiresGrad ? matmulFwd(engine, gy, x.tensor, { transA: true, out: tape.gradOut(weight) }) : undefined;
    const dbias = bias?.requiresGrad ? sumToShape(engine, gy, [m], tape.gradOut(bias)) : undefined;
    return [dx, dweight, dbias];
  });
}

/** Plain (batched) matmul a [.., M, K] · b [.., K, N] with equal batch dims. */
export function matmul(tape: Tape, a: Var, b: Var): Var {
  const { engine } = tape;
  const out = tape.result(matmulFwd(engine, a.tensor, b.tensor), anyGrad(a, b), 'matmul');
  return tape.record('matmul', [a, b], out, (gy) => [
    a.requiresGrad ? matmulFwd(engine, gy, b.tensor, { transB: true, out: engine.empty(a.shape, a.tensor.dtype) }) : undefined,
    b.requiresGrad ? matmulFwd(engine, a.tensor, gy, { transA: true, out: engine.empty(b.shape, b.tensor.dtype) }) : undefined,
  ]);
}

/**
 * Channel RMSNorm of x [B, C, ...] (no weight), optionally with FiLM from film [B, 2C]:
 * out = RMSNorm(x)·(1 + film[:, :C]) + film[:, C:], and optionally SiLU of that (one kernel
 * each way: the backward recomputes the pre-activation).
 */
export function rmsNorm(tape: Tape, x: Var, options: { eps?: number; film?: Var; silu?: boolean } = {}): Var {
  const { engine } = tape;
  const eps = options.eps ?? 1e-5;
  const { film, silu } = options;
  const y = rmsNormFwd(engine, x.tensor, { eps, film: film ? { film: film.tensor } : undefined, silu });
  const out = tape.result(y, anyGrad(x, film), `${film ? 'rmsNorm+film' : 'rmsNorm'}${silu ? '+silu' : ''}`);
  return tape.record('rmsNorm', film ? [x, film] : [x], out, (gy) => {
    const g = rmsNormBackward(engine, x.tensor, gy, { eps, film: film ? { film: film.tensor } : undefined, silu });
    return [g.dx, g.dfilm];
  });
}

export function silu(tape: Tape, x: Var): Var {
  const { engine } = tape;
  const out = tape.result(siluFwd(engine, x.tensor), x.requiresGrad, 'silu');
  return tape.record('silu', [x], out, (gy) => [siluBackward(engine, x.tensor, gy)]);
}

/**
 * SideNet attention on the channel-first qkv [B, 3C, H, W] (see attentionChannelFirst). When
 * recorded, the forward keeps its softmax statistics for the backward.
 */
export function attention(tape: Tape, qkv: Var, heads: number): Var {
  const { engine } = tape;
  const [batch, , ...spatial] = qkv.shape;
  const stats = qkv.requiresGrad && tape.recording ? engine.empty([batch * heads * shapeSize(spatial), 2], 'f32') : undefined;
  const out = tape.result(attentionChannelFirst(engine, qkv.tensor, heads, undefined, stats), qkv.requiresGrad, 'attention');
  if (!stats) return out;
  return tape.record('attention', [qkv], out, (gy) => [attentionChannelFirstBackward(engine, qkv.tensor, heads, gy, undefined, { out: out.tensor, stats })], [stats]);
}

/** Rows of table [V, D] by host ids [N] → [N, D]; the gradient scatters back into the table. */
export function embedding(tape: Tape, table: Var, ids: ArrayLike<number>): Var {
  const { engine } = tape;
  const idList = Array.from(ids);
  const out = tape.result(embeddingFwd(engine, table.tensor, idList), table.requiresGrad, 'embedding');
  if (!out.requiresGrad) return out;
  const idTensor = engine.upload(idList, [idList.length], 'i32');
  return tape.record('embedding', [table], out, (gy) => [embeddingBackward(engine, idTensor, gy, table.shape[0], tape.gradOut(table))], [idTensor]);
}

/** The 256-frequency sinusoid of raw values (t or h) [N] → [N, dim]: a constant (no gradient to the values). */
export function sinusoidal(tape: Tape, values: ArrayLike<number>, dim = 256): Var {
  return tape.result(timestepEmbedding(tape.engine, values, { dim }), false, 'sinusoid');
}

/** Concatenation along dimension 1 of [B, c_i, ...rest] tensors (rest equal). */
export function concat1(tape: Tape, parts: Var[]): Var {
  const { engine } = tape;
  const out = tape.result(concatChannels(engine, parts.map((p) => p.tensor)), anyGrad(...parts), 'concat');
  const starts = parts.map((_, i) => parts.slice(0, i).reduce((n, p) => n + p.shape[1], 0));
  return tape.record('concat', parts, out, (gy) => parts.map((p, i) => (p.requiresGrad ? sliceChannels(engine, gy, starts[i], p.shape[1]) : undefined)));
}

/** a + b with numpy broadcasting (rank ≤ 4); the gradient of a broadcast operand is summed back. */
export function add(tape: Tape, a: Var, b: Var): Var {
  const { engine } = tape;
  const out = tape.result(binary(engine, 'add', a.tensor, b.tensor), anyGrad(a, b), 'add');
  return tape.record('add', [a, b], out, (gy) => [a, b].map((v) => (!v.requiresGrad ? undefined : sameShape(v.shape, gy.shape) ? gy : sumToShape(engine, gy, v.shape))));
}

/** a ⊙ b with numpy broadcasting (rank ≤ 4). */
export function mul(tape: Tape, a: Var, b: Var): Var {
  const { engine } = tape;
  const out = tape.result(binary(engine, 'mul', a.tensor, b.tensor), anyGrad(a, b), 'mul');
  return tape.record('mul', [a, b], out, (gy) =>
    [[a, b], [b, a]].map(([v, other]) => {
      if (!v.requiresGrad) return undefined;
      const full = binary(engine, 'mul', gy, other.tensor);
      if (sameShape(v.shape, full.shape)) return full;
      const reduced = sumToShape(engine, full, v.shape);
      full.dispose();
      return reduced;
    }),
  );
}

/**
 * scale · mean((pred − target)²) → [1], or with `groups` one such term per equal consecutive
 * part of the tensors → [groups] (e.g. several chain links batched along dimension 0; the
 * backward of the vector seeds each part with its own entry). The target gets a gradient too
 * if it requires one.
 */
export function mse(tape: Tape, pred: Var, target: Var, scale = 1, groups = 1): Var {
  const { engine } = tape;
  const { loss: mean, grad } = mseLoss(engine, pred.tensor, target.tensor, scale, groups);
  // mseLoss returns the plain means and the gradient of scale·mean.
  const loss = scale === 1 ? mean : unary(engine, 'identity', mean, scale);
  if (loss !== mean) mean.dispose();
  const out = tape.result(loss, anyGrad(pred, target), 'mse');
  if (!out.requiresGrad) {
    grad.dispose();
    return out;
  }
  return tape.record('mse', [pred, target], out, (gy) => {
    // grad = d loss / d pred per part; times that part's incoming gradient gy [groups] (broadcast).
    const perPart = [groups, grad.size / groups];
    const dpred = binary(engine, 'mul', grad.reshape(perPart), gy.reshape([groups, 1]), 1, 1, engine.empty(pred.shape, grad.dtype));
    const dtarget = target.requiresGrad ? unary(engine, 'identity', dpred, -1) : undefined;
    return [pred.requiresGrad ? dpred : (dpred.dispose(), undefined), dtarget];
  }, [grad]);
}
