/**
 * The Fashion-MNIST classifier of the quality metrics (models/fashion-classifier.safetensors,
 * trained by tools/reference/train_fashion_classifier.py), evaluated in plain TypeScript on the
 * CPU: an MLP with ReLU whose penultimate activations are the features of the Fréchet distance.
 * Browser-safe: bytes in, arrays out.
 */
import { ShapeError } from '../gpu/errors.js';
import { WeightFileError } from '../model/weights.js';
import { parseSafetensors } from '../train/safetensors.js';

/** The `ba_classifier` entry of the file's __metadata__ (a JSON string). */
export interface ClassifierDescription {
  format: 'ba-webgpu-classifier/1';
  kind: 'mlp';
  dataset: string;
  input: { height: number; width: number; range: [number, number]; scaling: string };
  /** Layer widths, input first: [784, 256, 128, 10] has layers fc1..fc3. */
  widths: number[];
  activation: 'relu';
  features: { layer: string; dim: number; after: 'relu' };
  classes: string[];
  test_accuracy: number;
}

export const CLASSIFIER_METADATA_KEY = 'ba_classifier';

export interface Classification {
  /** [count, classes] */
  logits: Float32Array;
  /** [count, featureDim]: the ReLU outputs of the penultimate layer. */
  features: Float32Array;
  /** [count]: argmax of the logits. */
  predictions: Int32Array;
}

interface Layer {
  inputs: number;
  outputs: number;
  /** [outputs, inputs], row-major (PyTorch's Linear layout). */
  weight: Float32Array;
  bias: Float32Array;
}

/** Images per pass over a weight row: each weight loaded once feeds this many dot products. */
const BLOCK = 4;

export class ImageClassifier {
  readonly height: number;
  readonly width: number;
  readonly classes: readonly string[];
  readonly featureDim: number;
  /** Test-set accuracy recorded at training time. */
  readonly testAccuracy: number;

  private constructor(
    readonly description: ClassifierDescription,
    private readonly layers: Layer[],
  ) {
    this.height = description.input.height;
    this.width = description.input.width;
    this.classes = description.classes;
    this.featureDim = description.features.dim;
    this.testAccuracy = description.test_accuracy;
  }

  /** Parses a classifier file (safetensors with `fc{i}.weight` [out, in], `fc{i}.bias` [out]). */
  static fromSafetensors(bytes: Uint8Array): ImageClassifier {
    let parsed: ReturnType<typeof parseSafetensors>;
    try {
      // A copy into a plain Uint8Array: parseSafetensors views slice()s from offset 0, which a
      // Node Buffer (readFileSync) answers with a view into the whole file instead of a copy.
      parsed = parseSafetensors(new Uint8Array(bytes));
    } catch (e) {
      throw new WeightFileError(`classifier file: ${(e as Error).message}`);
    }
    const raw = parsed.metadata[CLASSIFIER_METADATA_KEY];
    if (raw === undefined) throw new WeightFileError(`classifier file: __metadata__ has no '${CLASSIFIER_METADATA_KEY}' entry (not written by train_fashion_classifier.py?)`);
    let d: ClassifierDescription;
    try {
      d = JSON.parse(raw) as ClassifierDescription;
    } catch (e) {
      throw new WeightFileError(`classifier file: the '${CLASSIFIER_METADATA_KEY}' metadata is not JSON (${(e as Error).message})`);
    }
    if (d.format !== 'ba-webgpu-classifier/1') throw new WeightFileError(`classifier file: format '${d.format}', expected 'ba-webgpu-classifier/1'`);
    if (d.kind !== 'mlp' || d.activation !== 'relu') throw new WeightFileError(`classifier file: a '${d.kind}' with '${d.activation}' activations; only a ReLU MLP is supported`);
    const w = d.widths;
    if (w.length < 3) throw new WeightFileError(`classifier file: widths [${w}] need at least one hidden layer (its output is the features)`);
    if (w[0] !== d.input.height * d.input.width) throw new WeightFileError(`classifier file: input width ${w[0]} != ${d.input.height}×${d.input.width} pixels`);
    if (d.classes.length !== w[w.length - 1]) throw new WeightFileError(`classifier file: ${d.classes.length} class names for ${w[w.length - 1]} outputs`);
    if (d.features.layer !== `fc${w.length - 2}` || d.features.dim !== w[w.length - 2]) {
      throw new WeightFileError(`classifier file: features '${d.features.layer}' (${d.features.dim}) are not the penultimate layer fc${w.length - 2} (${w[w.length - 2]})`);
    }
    const layers: Layer[] = [];
    for (let i = 0; i + 1 < w.length; i++) {
      const weight = tensor(parsed.tensors, `fc${i + 1}.weight`, [w[i + 1], w[i]]);
      const bias = tensor(parsed.tensors, `fc${i + 1}.bias`, [w[i + 1]]);
      layers.push({ inputs: w[i], outputs: w[i + 1], weight, bias });
    }
    return new ImageClassifier(d, layers);
  }

  /** Classifies `count` images [count, height, width] with pixels in [-1, 1]. */
  classify(images: Float32Array, count: number): Classification {
    const pixels = this.height * this.width;
    if (!Number.isInteger(count) || count < 0) throw new ShapeError(`classify: count ${count} is not a non-negative integer`);
    if (images.length !== count * pixels) {
      throw new ShapeError(`classify: images hold ${images.length} values, expected ${count}×${this.height}×${this.width} = ${count * pixels}`);
    }
    const classes = this.classes.length;
    const logits = new Float32Array(count * classes);
    const features = new Float32Array(count * this.featureDim);
    const last = this.layers.length - 1;
    const scratch = this.layers.map((layer) => new Float32Array(BLOCK * layer.outputs));
    for (let start = 0; start < count; start += BLOCK) {
      const n = Math.min(BLOCK, count - start);
      let h = images.subarray(start * pixels, (start + n) * pixels);
      for (let l = 0; l < last; l++) h = dense(this.layers[l], h, n, true, scratch[l]);
      features.set(h, start * this.featureDim);
      logits.set(dense(this.layers[last], h, n, false, scratch[last]), start * classes);
    }
    const predictions = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
      predictions[i] = best;
    }
    return { logits, features, predictions };
  }
}

/** y = x Wᵀ + b (ReLU optional) for n ≤ BLOCK rows of x; returns the first n rows of `out`. */
function dense(layer: Layer, x: Float32Array, n: number, relu: boolean, out: Float32Array): Float32Array {
  const { inputs: k, outputs: m, weight, bias } = layer;
  for (let o = 0; o < m; o++) {
    const row = o * k;
    if (n === BLOCK) {
      let s0 = bias[o], s1 = s0, s2 = s0, s3 = s0;
      for (let i = 0; i < k; i++) {
        const w = weight[row + i];
        s0 += w * x[i];
        s1 += w * x[k + i];
        s2 += w * x[2 * k + i];
        s3 += w * x[3 * k + i];
      }
      out[o] = relu && s0 < 0 ? 0 : s0;
      out[m + o] = relu && s1 < 0 ? 0 : s1;
      out[2 * m + o] = relu && s2 < 0 ? 0 : s2;
      out[3 * m + o] = relu && s3 < 0 ? 0 : s3;
    } else {
      for (let r = 0; r < n; r++) {
        let s = bias[o];
        for (let i = 0; i < k; i++) s += weight[row + i] * x[r * k + i];
        out[r * m + o] = relu && s < 0 ? 0 : s;
      }
    }
  }
  return out.subarray(0, n * m);
}

function tensor(tensors: Map<string, { shape: readonly number[]; data: Float32Array }>, name: string, shape: number[]): Float32Array {
  const t = tensors.get(name);
  if (!t) throw new WeightFileError(`classifier file: tensor '${name}' is missing`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new WeightFileError(`classifier file: tensor '${name}' has shape [${t.shape}], expected [${shape}]`);
  }
  return t.data;
}
