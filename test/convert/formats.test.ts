/** Format-level pieces: the pickle VM, f16 rounding, zip64, the checkpoint object tree. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RandomAccessFile,
  convert,
  f16BitsToNumber,
  f32BitsToF16Bits,
  numberToF16Bits,
  readCheckpoint,
} from '../../tools/convert-weights/index.js';
import { PyGlobal, PyObject, unpickle, type PickleHooks } from '../../tools/convert-weights/pickle.js';
import { writeSyntheticTorchZip, type SyntheticTensor } from '../../tools/convert-weights/synthetic-torch.js';
import { expectedF16Rounding, fixture, parseSafetensors, tempDir } from './helpers.js';

const opaque: PickleHooks = {
  reduce: () => undefined,
  persistentLoad: (pid) => ({ pid }),
};
const pickle = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('pickle VM', () => {
  it('never calls globals: os.system stays an opaque object', () => {
    const data = pickle([0x80, 2], 'cos\nsystem\n', [0x58, 5, 0, 0, 0], 'rm -x', [0x85, 0x52, 0x2e]);
    const v = unpickle(data, opaque, 'test') as PyObject;
    expect(v).toBeInstanceOf(PyObject);
    expect(`${v.cls}`).toBe('os.system');
    expect(v.args).toEqual(['rm -x']);
  });

  it('reads signed LONG1/LONG4, BINFLOAT, memo, dicts and sets', () => {
    const data = pickle(
      [0x80, 4, 0x7d, 0x94, 0x28], // dict, memoize, mark
      [0x8c, 1], 'a', [0x8a, 1, 0xff], // 'a': -1
      [0x8c, 1], 'b', [0x8b, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01], // 2^64
      [0x8c, 1], 'c', [0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], // 1.5
      [0x8c, 1], 'd', [0x8f, 0x28, 0x4b, 7, 0x90], // {7}
      [0x8c, 1], 'e', [0x68, 0], // the dict itself (memo 0)
      [0x75, 0x2e],
    );
    const v = unpickle(data, opaque, 'test') as Map<string, unknown>;
    expect(v.get('a')).toBe(-1);
    expect(v.get('b')).toBe(2n ** 64n);
    expect(v.get('c')).toBe(1.5);
    expect(v.get('d')).toEqual(new Set([7]));
    expect(v.get('e')).toBe(v);
  });

  it('rejects truncated and unknown input with the position', () => {
    expect(() => unpickle(pickle([0x80, 2, 0x58, 9, 0, 0, 0], 'ab'), opaque, 'x.pkl')).toThrow(/x\.pkl: pickle ends early/);
    expect(() => unpickle(pickle([0x80, 2, 0xff]), opaque, 'x.pkl')).toThrow('x.pkl: unknown pickle opcode 0xff at byte 3');
  });

  it('keeps argparse.Namespace of a training checkpoint as an opaque object with its state', async () => {
    const file = await RandomAccessFile.open(fixture('repa_train.pt'));
    const root = (await readCheckpoint(file)) as Map<string, unknown>;
    await file.close();
    expect([...root.keys()]).toEqual(['model', 'ema', 'opt', 'args', 'steps']);
    const args = root.get('args') as PyObject;
    expect(args.cls).toEqual(new PyGlobal('argparse', 'Namespace'));
    expect((args.state as Map<string, unknown>).get('model')).toBe('SiT-XL/2');
    expect(root.get('steps')).toBe(400000);
  });
});

describe('f16 rounding', () => {
  it('matches torch on edge cases (ties, subnormals, overflow, inf)', () => {
    const { f32Bits, f16Bits } = expectedF16Rounding();
    const f32 = new Float32Array(new Uint32Array(f32Bits).buffer);
    f32Bits.forEach((bits, i) => {
      expect(f32BitsToF16Bits(bits), `f32 ${f32[i]}`).toBe(f16Bits[i]);
      expect(numberToF16Bits(f32[i]), `number ${f32[i]}`).toBe(f16Bits[i]);
    });
    expect(f32BitsToF16Bits(0x7fc00000)).toBe(0x7e00);
    expect(numberToF16Bits(NaN)).toBe(0x7e00);
  });

  it('agrees between the bit-level and the arithmetic rounding on random floats', () => {
    const bits = new Uint32Array(200_000);
    let s = 12345;
    for (let i = 0; i < bits.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      // Exponents spread around the f16 range so subnormals and overflow are hit often.
      bits[i] = (s & 0x807fffff) | ((((s >>> 23) % 48) + 96) << 23);
    }
    const f = new Float32Array(bits.buffer);
    for (let i = 0; i < bits.length; i++) {
      const h = f32BitsToF16Bits(bits[i]);
      if (h !== numberToF16Bits(f[i])) expect.fail(`${f[i]}: ${h} vs ${numberToF16Bits(f[i])}`);
    }
  });

  it('decodes every finite f16 back to itself', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      const back = numberToF16Bits(f16BitsToNumber(h));
      if (back !== h) expect.fail(`0x${h.toString(16)} → 0x${back.toString(16)}`);
    }
  });
});

describe('zip64 archives', () => {
  it('converts a zip64 torch archive (written without torch) exactly', async () => {
    const D = 8;
    const shapes: [string, number[]][] = [
      ['pos_embed', [1, 4, D]], ['x_embedder.proj.weight', [D, 4, 2, 2]], ['x_embedder.proj.bias', [D]],
      ['t_embedder.mlp.0.weight', [D, 256]], ['t_embedder.mlp.0.bias', [D]], ['t_embedder.mlp.2.weight', [D, D]],
      ['t_embedder.mlp.2.bias', [D]], ['y_embedder.embedding_table.weight', [3, D]],
      ['blocks.0.attn.qkv.weight', [3 * D, D]], ['blocks.0.attn.qkv.bias', [3 * D]],
      ['blocks.0.attn.proj.weight', [D, D]], ['blocks.0.attn.proj.bias', [D]],
      ['blocks.0.mlp.fc1.weight', [4 * D, D]], ['blocks.0.mlp.fc1.bias', [4 * D]],
      ['blocks.0.mlp.fc2.weight', [D, 4 * D]], ['blocks.0.mlp.fc2.bias', [D]],
      ['blocks.0.adaLN_modulation.1.weight', [6 * D, D]], ['blocks.0.adaLN_modulation.1.bias', [6 * D]],
      ['final_layer.linear.weight', [16, D]], ['final_layer.linear.bias', [16]],
      ['final_layer.adaLN_modulation.1.weight', [2 * D, D]], ['final_layer.adaLN_modulation.1.bias', [2 * D]],
    ];
    const tensors: SyntheticTensor[] = shapes.map(([name, shape], k) => ({
      name,
      shape,
      fill: (out, start) => out.forEach((_, i) => (out[i] = k + (start + i) / 1024)),
    }));
    const dir = tempDir();
    await writeSyntheticTorchZip(join(dir, 'z64.pt'), tensors, { zip64: true });
    const result = await convert({ input: join(dir, 'z64.pt'), output: join(dir, 'out.safetensors'), heads: 2 });
    expect(result.metadata.arch).toMatchObject({ depth: 1, hidden: 8, inputSize: 4, classes: 2, outChannels: 4 });
    const out = parseSafetensors(join(dir, 'out.safetensors'));
    shapes.forEach(([name, shape], k) => {
      const t = out.tensors.get(name)!;
      const values = new Float32Array(t.bytes.slice().buffer);
      expect(t.shape).toEqual(shape);
      expect(values.every((v, i) => v === Math.fround(k + i / 1024)), name).toBe(true);
    });
  });
});
