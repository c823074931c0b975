/** f64 reference of classifier-free guidance on a (cond ‖ uncond) batch. */
export function guidanceRef(
  v: ArrayLike<number>, vShape: number[], t: ArrayLike<number>,
  o: { scale: number; interval?: [number, number]; guidedChannels: number; channels: number },
): Float64Array {
  const [twoB, cin, h, w] = vShape;
  const B = twoB / 2;
  const px = h * w;
  const out = new Float64Array(B * o.channels * px);
  for (let b = 0; b < B; b++) {
    const active = !o.interval || (t[b] >= o.interval[0] && t[b] <= o.interval[1]);
    for (let c = 0; c < o.channels; c++) {
      for (let p = 0; p < px; p++) {
        const vc = v[(b * cin + c) * px + p];
        const vu = v[((b + B) * cin + c) * px + p];
        out[(b * o.channels + c) * px + p] = active && c < o.guidedChannels ? vu + o.scale * (vc - vu) : vc;
      }
    }
  }
  return out;
}
