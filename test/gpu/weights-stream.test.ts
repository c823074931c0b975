import { describe, expect, it } from 'vitest';
import { loadWeights } from '../../src/model/weights.js';
import { testEngine } from '../helpers/engine.js';

/** A converted-format file in memory: two tensors (one f16) and ba_webgpu metadata. */
function makeFile(): Uint8Array {
  const meta = { format: 'ba-webgpu/1', kind: 'sidenet', arch: {}, convention: 'repa', source_layout: 'sidenet', dtype: 'f32' };
  const header = {
    __metadata__: { ba_webgpu: JSON.stringify(meta) },
    a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    b: { dtype: 'F16', shape: [3], data_offsets: [24, 30] },
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + 32);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  const data = new DataView(bytes.buffer, 8 + json.length);
  [1, -2, 3.5, 4, 5, 6].forEach((v, i) => data.setFloat32(4 * i, v, true));
  [0x3c00, 0xc000, 0x3800].forEach((h, i) => data.setUint16(24 + 2 * i, h, true)); // 1, -2, 0.5
  return bytes;
}

describe('weights stream from a URL (fetch), as in browsers', () => {
  it('loads each tensor from a fetched stream with progress', async () => {
    const engine = await testEngine();
    const bytes = makeFile();
    let binary = '';
    bytes.forEach((b) => (binary += String.fromCharCode(b)));
    const url = `data:application/octet-stream;base64,${btoa(binary)}`;
    const seen: string[] = [];
    const { tensors, metadata } = await loadWeights(engine, url, { onProgress: (p) => seen.push(p.tensor) });
    expect(metadata.kind).toBe('sidenet');
    expect(seen).toEqual(['a', 'b']);
    expect(Array.from(await tensors.get('a')!.read())).toEqual([1, -2, 3.5, 4, 5, 6]);
    expect(Array.from(await tensors.get('b')!.read())).toEqual([1, -2, 0.5]);
    for (const t of tensors.values()) t.dispose();
  });
});
