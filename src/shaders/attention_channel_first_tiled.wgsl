// SideNet attention on the channel-first qkv [B, 3C, HW] (channel = which·C + head·HD + d), for
// small head dims (<= 32), tiled for GPUs: as attention_channel_first.wgsl computes it (online
// softmax in f32, base 2: the op folds log2(e) into the scale), but the keys and values go
// through workgroup memory.
//
// Work split: one workgroup per (block of WG·QPT query positions, batch), QPT positions per
// invocation (lane, lane + WG, ...: coalesced q loads and stores); it runs every head of its
// block in turn. Per head the workgroup walks the keys in tiles of KB positions, one
// online-softmax step per tile: the WG invocations copy the tile's K and V (HD channels × KB
// positions each) into workgroup memory with loads along positions, as vec4s of 4 keys; then
// every invocation reads the same tile vec4 at the same time (a broadcast) for its QPT queries.
// Each workgroup-memory read thus serves 4 keys × QPT queries.
//
// The hot loop's inner loops are unrolled by the op (`//#unroll NAME COUNT` ... `//#endunroll`
// repeats the lines COUNT times with `{NAME}` = 0, 1, ...), so every private array and every
// tile read has a constant index. Tint does not unroll loops, and SwiftShader (Chromium's
// software adapter) runs a dynamically indexed private array as per-lane gathers and scatters:
// with loops, one online-softmax step cost it ~3x more. GPUs' own compilers would unroll these
// loops anyway.
//
// Prepended by the op: `const DH = 8u; const KB = 16u; const QPT = 8u;` (the head-dim variant,
// keys per tile (a multiple of 4), positions per invocation; workgroup and private array sizes
// must be const-expressions). The head dim itself is the override HD <= DH, so an exact variant
// folds every padding check away; other head dims pad to DH with clamped addresses and zeroed q.
//
// With STATS (training), each query's base-2 log-sum-exp goes to stats[row·2] (row = (batch·
// heads + head)·HW + position), as attention.wgsl writes it for attention_backward_query.wgsl.

struct Params {
  seq: u32,       // positions HW
  heads: u32,
  channels: u32,  // C = heads · HD
  scale: f32,     // softmax scale · log2(e)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
// Written only with STATS (otherwise any small scratch buffer is bound).
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;

override WG: u32 = 32;
override STATS: u32 = 0;
override HD: u32 = DH;
// Stands in for -inf: WGSL has no infinity literal and exp2 of (this - anything) is 0.
const NEG_BIG = -3.0e38;

// [d·KB4 + c]: channel d of the tile's keys at positions j0 + 4c .. j0 + 4c + 3; the values
// follow at KV_V + the same index.
const KB4 = KB / 4u;
const KV_V = DH * KB4;
var<workgroup> kvTile: array<vec4<f32>, 2u * DH * KB4>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let seq = params.seq;
  let b = wg.y;
  let first = wg.x * WG * QPT + lane;
  let chStride = params.channels * seq;
  let last = seq - 1u;

  for (var h = 0u; h < params.heads; h++) {
    let qBase = b * 3u * chStride + h * HD * seq;
    let kBase = qBase + chStride;
    // Row r holds position first + r·WG; positions past the last compute a duplicate of it.
    var qr: array<array<f32, DH>, QPT>;
    var acc: array<array<f32, DH>, QPT>;
    var m: array<f32, QPT>;  // running max of the base-2 scores
    var l: array<f32, QPT>;  // running sum of exp2(score - m)
    //#unroll r QPT
    {
      let qi = min(first + {r}u * WG, last);
      //#unroll d DH
      qr[{r}][{d}] = select(0.0, f32(qkv[qBase + min({d}u, HD - 1u) * seq + qi]) * params.scale, {d}u < HD);
      acc[{r}][{d}] = 0.0;
      //#endunroll
      m[{r}] = NEG_BIG;
      l[{r}] = 0.0;
    }
    //#endunroll

    for (var j0 = 0u; j0 < seq; j0 += KB) {
      workgroupBarrier();  // everyone is done with the previous tile
      // K then V (kBase + chStride): 2·DH·KB4 vec4s, consecutive lanes along positions.
      for (var e = lane; e < 2u * KV_V; e += WG) {
        let isV = e >= KV_V;
        let ev = select(e, e - KV_V, isV);
        let j = j0 + 4u * (ev % KB4);
        let row = select(kBase, kBase + chStride, isV) + min(ev / KB4, HD - 1u) * seq;
        let at = vec4<u32>(row) + min(vec4<u32>(j) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(last));
        kvTile[e] = vec4<f32>(f32(qkv[at.x]), f32(qkv[at.y]), f32(qkv[at.z]), f32(qkv[at.w]));
      }
      workgroupBarrier();

      // Scores of the tile's keys (4 per vec4); keys past the end (last tile only) re-read the
      // last key and get probability 0.
      var s = array<array<vec4<f32>, KB4>, QPT>();
      //#unroll d DH
      //#unroll c KB4
      {
        let k4 = kvTile[{d}u * KB4 + {c}u];
        //#unroll r QPT
        s[{r}][{c}] += qr[{r}][{d}] * k4;
        //#endunroll
      }
      //#endunroll
      //#endunroll
      var corr: array<f32, QPT>;
      //#unroll r QPT
      {
        var mNew = m[{r}];
        //#unroll c KB4
        s[{r}][{c}] = select(s[{r}][{c}], vec4<f32>(NEG_BIG), vec4<u32>(j0 + 4u * {c}u) + vec4<u32>(0u, 1u, 2u, 3u) > vec4<u32>(last));
        mNew = max(mNew, max(max(s[{r}][{c}].x, s[{r}][{c}].y), max(s[{r}][{c}].z, s[{r}][{c}].w)));
        //#endunroll
        corr[{r}] = exp2(m[{r}] - mNew);
        m[{r}] = mNew;
        var sum = l[{r}] * corr[{r}];
        //#unroll c KB4
        s[{r}][{c}] = exp2(s[{r}][{c}] - vec4<f32>(mNew));
        sum += dot(s[{r}][{c}], vec4<f32>(1.0));
        //#endunroll
        l[{r}] = sum;
      }
      //#endunroll
      //#unroll d DH
      {
        var v: array<vec4<f32>, KB4>;
        //#unroll c KB4
        v[{c}] = kvTile[KV_V + {d}u * KB4 + {c}u];
        //#endunroll
        //#unroll r QPT
        acc[{r}][{d}] *= corr[{r}];
        //#unroll c KB4
        acc[{r}][{d}] += dot(s[{r}][{c}], v[{c}]);
        //#endunroll
        //#endunroll
      }
      //#endunroll
    }

    let oBase = b * chStride + h * HD * seq;
    //#unroll r QPT
    {
      let i = first + {r}u * WG;
      if (i < seq) {
        let inv = 1.0 / l[{r}];
        // Dims past HD accumulated the clamped last dim's values, so their stores rewrite element
        // HD - 1 with its own value: no per-dim branch.
        //#unroll d DH
        out[oBase + min({d}u, HD - 1u) * seq + i] = T(acc[{r}][{d}] * inv);
        //#endunroll
        if (STATS == 1u) { stats[((b * params.heads + h) * seq + i) * 2u] = m[{r}] + log2(l[{r}]); }
      }
    }
    //#endunroll
  }
}
