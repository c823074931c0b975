import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ImageClassifier } from '../../src/eval/classifier.js';
import { ShapeError } from '../../src/gpu/errors.js';
import { WeightFileError } from '../../src/model/weights.js';
import { parseIdx } from '../../src/train/data.js';
import { parseSafetensors, serializeSafetensors } from '../../src/train/safetensors.js';
import { expectClose } from '../helpers/compare.js';
import { Rng } from '../helpers/random.js';
import { readSafetensorsFile } from '../helpers/safetensors.js';

const MODEL = 'models/fashion-classifier.safetensors';
const FIXTURE = 'test/fixtures/classifier/io.safetensors';
const DATA_DIR = '/usr/share/datasets/fashion-mnist';
// PyTorch's outputs are float64 from the float32 weights, stored as float32; we accumulate in f64.
const PARITY = { atol: 1e-5, rtol: 1e-5 };

const modelBytes = new Uint8Array(readFileSync(MODEL));
const classifier = ImageClassifier.fromSafetensors(modelBytes);
const fixture = readSafetensorsFile(FIXTURE).tensors;
const images = fixture.get('images')!.data as Float32Array;
const count = fixture.get('images')!.shape[0];

describe('Fashion-MNIST classifier', () => {
  it('describes itself from the file metadata', () => {
    expect([classifier.height, classifier.width, classifier.featureDim]).toEqual([28, 28, 128]);
    expect(classifier.classes).toHaveLength(10);
    expect(classifier.classes[9]).toBe('Ankle boot');
    expect(classifier.testAccuracy).toBeGreaterThan(0.85);
  });

  it('matches the PyTorch logits, features and predictions of the fixture', () => {
    const out = classifier.classify(images, count);
    expectClose(out.logits, fixture.get('logits')!.data, PARITY, 'logits');
    expectClose(out.features, fixture.get('features')!.data, PARITY, 'features');
    expect(Array.from(out.predictions)).toEqual(Array.from(fixture.get('labels')!.data));
    expect(out.features.some((f) => f === 0) && out.features.some((f) => f > 0)).toBe(true); // ReLU applied
  });

  it('loads the same weights from a Node Buffer (whose slice() is a view, not a copy)', () => {
    const fromBuffer = ImageClassifier.fromSafetensors(readFileSync(MODEL));
    const two = images.subarray(0, 2 * 784);
    expect(Array.from(fromBuffer.classify(two, 2).logits)).toEqual(Array.from(classifier.classify(two, 2).logits));
  });

  it('gives each image the same result whatever the batch size (blocks of 4 and remainders)', () => {
    const whole = classifier.classify(images, count);
    for (const [start, n] of [[0, 1], [3, 7], [5, 6], [13, 3]]) {
      const part = classifier.classify(images.subarray(start * 784, (start + n) * 784), n);
      expect(Array.from(part.logits)).toEqual(Array.from(whole.logits.subarray(start * 10, (start + n) * 10)));
      expect(Array.from(part.features)).toEqual(Array.from(whole.features.subarray(start * 128, (start + n) * 128)));
    }
    const none = classifier.classify(new Float32Array(0), 0);
    expect([none.logits.length, none.features.length, none.predictions.length]).toEqual([0, 0, 0]);
  });

  it.skipIf(!existsSync(DATA_DIR))(`reproduces the recorded test accuracy on the 10k test images (skipped when ${DATA_DIR} is not installed)`, () => {
    const raw = parseIdx(gunzipSync(readFileSync(`${DATA_DIR}/t10k-images-idx3-ubyte.gz`)));
    const labels = parseIdx(gunzipSync(readFileSync(`${DATA_DIR}/t10k-labels-idx1-ubyte.gz`))).data;
    const n = raw.dims[0];
    const pixels = Float32Array.from(raw.data, (p) => p / 127.5 - 1);
    const started = performance.now();
    const { predictions } = classifier.classify(pixels, n);
    const seconds = (performance.now() - started) / 1000;
    let correct = 0;
    for (let i = 0; i < n; i++) if (predictions[i] === labels[i]) correct++;
    console.log(`classifier: ${n} images in ${seconds.toFixed(2)} s (${Math.round(n / seconds)} images/s), accuracy ${correct / n}`);
    expect(correct / n).toBeCloseTo(classifier.testAccuracy, 3);
  });

  it('rejects images of the wrong size and malformed files, naming the problem', () => {
    expect(() => classifier.classify(new Float32Array(783), 1)).toThrow(ShapeError);
    expect(() => classifier.classify(new Float32Array(784 * 2), 1)).toThrow(/expected 1×28×28 = 784/);
    expect(() => classifier.classify(new Float32Array(0), -1)).toThrow(ShapeError);

    const { metadata, tensors } = parseSafetensors(modelBytes);
    const rewrite = (edit: (t: typeof tensors, m: Record<string, string>) => void) => {
      const t = new Map(tensors);
      const m = { ...metadata };
      edit(t, m);
      return () => ImageClassifier.fromSafetensors(serializeSafetensors(t, m));
    };
    expect(rewrite((_, m) => delete m.ba_classifier)).toThrow(/no 'ba_classifier' entry/);
    expect(rewrite((t) => t.delete('fc2.bias'))).toThrow(/'fc2.bias' is missing/);
    const rng = new Rng(1);
    expect(rewrite((t) => t.set('fc3.weight', { shape: [128, 10], data: rng.array(1280) }))).toThrow(/'fc3.weight' has shape \[128,10\], expected \[10,128\]/);
    expect(rewrite((_, m) => (m.ba_classifier = m.ba_classifier.replace('"relu"', '"gelu"')))).toThrow(WeightFileError);
    expect(rewrite((_, m) => (m.ba_classifier = '{"format"'))).toThrow(/metadata is not JSON/);
    expect(() => ImageClassifier.fromSafetensors(new Uint8Array(16))).toThrow(WeightFileError);
  });
});
