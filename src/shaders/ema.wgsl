// Exponential moving average of parameters, one pass: ema = decay · ema + (1 - decay) · param.

struct Params {
  n: u32,
  decay: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> ema: array<T>;
@group(0) @binding(2) var<storage, read> param: array<T>;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * WG + lane;
  if (i >= params.n) { return; }
  ema[i] = T(params.decay * f32(ema[i]) + (1.0 - params.decay) * f32(param[i]));
}
