/** Plain-TS reference for widening IEEE binary16 values: decodes the bit pattern by its fields. */
export function f16BitsToNumber(bits: number): number {
  const sign = bits >> 15 ? -1 : 1;
  const exponent = (bits >> 10) & 31;
  const fraction = bits & 1023;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  // Subnormals have no implicit leading 1 and the exponent of the smallest normal.
  return exponent ? sign * 2 ** (exponent - 15) * (1 + fraction / 1024) : sign * 2 ** -14 * (fraction / 1024);
}
