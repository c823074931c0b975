/**
 * Seeded Gaussian noise, identical wherever it runs: generated on the CPU, uploaded once.
 *
 * PRNG: mulberry32 on a 32-bit state (state ← state + 0x6D2B79F5; output mixes it with
 * Math.imul; u = out / 2³²). Pairs (u1, u2) → Box–Muller: r = √(−2·ln(1 − u1)),
 * z0 = r·cos(2π·u2), z1 = r·sin(2π·u2); values are taken z0, z1, z0, z1, … and rounded to f32.
 * The integer part is exact everywhere; ln/cos/sin are the JS engine's (V8's fdlibm in Node and
 * Chromium: bit-identical), other engines may differ in the last f64 bit, which almost never
 * survives the rounding to f32. tools/reference/samplers.py holds a Python port.
 */
export function gaussianNoise(seed: number, count: number): Float32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const phi = 2 * Math.PI * next();
    out[i] = r * Math.cos(phi);
    if (i + 1 < count) out[i + 1] = r * Math.sin(phi);
  }
  return out;
}

/** Seeds are 32-bit (the PRNG's state): larger numbers would lose their low bits in float64. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * Noise for images first..first+count−1 of a seeded set: image i draws gaussianNoise(seed + i),
 * so a picture does not depend on the batch it is drawn in (the CLI and ImageGenerator agree).
 */
export function perImageNoise(seed: number, first: number, count: number, perImage: number): Float32Array {
  const out = new Float32Array(count * perImage);
  for (let i = 0; i < count; i++) out.set(gaussianNoise((seed + first + i) >>> 0, perImage), i * perImage);
  return out;
}
