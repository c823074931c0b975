import { describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors } from '../../src/train/safetensors.js';

describe('training safetensors files', () => {
  it('round-trips tensors and metadata, also from a Node Buffer that is a view into a larger allocation', () => {
    const a = { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-3, -7]) };
    const b = { shape: [1], data: Float32Array.from([42]) };
    const bytes = serializeSafetensors([['a', a], ['b', b]], { step: '7' });
    // readFileSync returns Buffers carved out of a shared pool: byteOffset ≠ 0, and Buffer.slice() is a view.
    const pool = Buffer.alloc(bytes.length + 64);
    pool.set(bytes, 64);
    for (const input of [bytes, pool.subarray(64), Buffer.from(bytes)]) {
      const parsed = parseSafetensors(input);
      expect(parsed.metadata.step).toBe('7');
      expect(Array.from(parsed.tensors.get('a')!.data)).toEqual(Array.from(a.data));
      expect(parsed.tensors.get('a')!.shape).toEqual([2, 3]);
      expect(Array.from(parsed.tensors.get('b')!.data)).toEqual([42]);
    }
  });
});
