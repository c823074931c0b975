// Fused AdamW step over a flat parameter arena, PyTorch semantics (torch.optim.AdamW,
// single-tensor path, amsgrad off, maximize off), with optional global-norm gradient clipping
// as torch.nn.utils.clip_grad_norm_ (norm type 2):
//   g     = grad · min(1, maxNorm / (sqrt(gradNormSq) + 1e-6))    (CLIP only; norm read on GPU)
//   p     = p · (1 - lr · weightDecay)                            (decoupled weight decay)
//   m     = lerp(m, g, 1 - beta1)                                 (= beta1·m + (1-beta1)·g)
//   v     = beta2 · v + (1 - beta2) · g²
//   p     = p - (lr / (1 - beta1^step)) · m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
// The host folds the step-dependent scalars into the uniform (decay, stepSize, bc2Sqrt).
// The clipped gradient is used, not written back.

struct Params {
  n: u32,
  beta2: f32,
  oneMinusBeta1: f32,   // 1 - beta1 and 1 - beta2 from the host's f64, as PyTorch's scalars
  oneMinusBeta2: f32,   // (1 - f32(0.999) would be 1.3e-5 off)
  eps: f32,
  decay: f32,      // 1 - lr · weightDecay
  stepSize: f32,   // lr / (1 - beta1^step)
  bc2Sqrt: f32,    // sqrt(1 - beta2^step)
  maxNorm: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<T>;
@group(0) @binding(2) var<storage, read> grad: array<T>;
@group(0) @binding(3) var<storage, read_write> m: array<T>;
@group(0) @binding(4) var<storage, read_write> v: array<T>;
// Squared global gradient norm [1]; without CLIP any read-only tensor stands in, never read.
@group(0) @binding(5) var<storage, read> gradNormSq: array<T>;

override WG: u32 = 256;
override CLIP: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.n) { return; }
  var g = f32(grad[i]);
  if (CLIP) {
    let coef = params.maxNorm / (sqrt(f32(gradNormSq[0])) + 1e-6);
    g *= min(coef, 1.0);
  }
  var p = f32(param[i]) * params.decay;
  var mi = f32(m[i]);
  mi += params.oneMinusBeta1 * (g - mi);
  let vi = params.beta2 * f32(v[i]) + params.oneMinusBeta2 * g * g;
  let denom = sqrt(vi) / params.bc2Sqrt + params.eps;
  p -= params.stepSize * mi / denom;
  param[i] = T(p);
  m[i] = T(mi);
  v[i] = T(vi);
}
