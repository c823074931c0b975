// Backward of a pointwise activation: dx[i] = dy[i] · f'(x[i]), f chosen by the OP override.

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<T>;
@group(0) @binding(2) var<storage, read> dy: array<T>;
@group(0) @binding(3) var<storage, read_write> dx: array<T>;

// 1 SiLU: d/dx x·σ(x) = σ(x)·(1 + x·(1 - σ(x)))
override OP: u32 = 1;
override WG: u32 = 256;

fn derivative(v: f32) -> f32 {
  switch OP {
    case 1u: {
      let s = 1.0 / (1.0 + exp(-v));
      return s * (1.0 + v * (1.0 - s));
    }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.n) { return; }
  dx[i] = T(f32(dy[i]) * derivative(f32(x[i])));
}
