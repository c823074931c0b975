// Split-K reduce body: out[i] = epilogue(sum over splits of partial[split, i]) for each element
// i of C = [batch * M, N]; one thread per element, on a 2-D grid of 256-thread workgroups (the
// op's grid()). a and b are bound but not read.

@group(0) @binding(7) var<storage, read> partial: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = (wg.y * nwg.x + wg.x) * 256u + lane;
  let elems = params.batchCount * params.M * params.N;
  if (i >= elems) { return; }
  let splits = max((params.K + params.kSplit - 1u) / params.kSplit, 1u);
  var s = 0.0;
  for (var k = 0u; k < splits; k++) {
    s += partial[k * elems + i];
  }
  out[i] = T(epilogue(s, i / params.N, i % params.N, i));
}
