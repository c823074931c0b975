/**
 * A tape-based reverse-mode autograd over GPU tensors, small enough to read in one sitting
 * (in the spirit of micrograd / tinygrad).
 *
 * - A `Var` wraps a Tensor and, after backward(), its gradient. Leaves are made with
 *   `tape.leaf()` (inputs, optionally requiring grad) or `tape.param()` (parameters whose
 *   gradients are accumulated into persistent storage, e.g. a view of a flat gradient arena).
 * - An op (ops.ts) computes its forward with the engine's kernels and, if any input requires a
 *   gradient and the tape is not inside `noGrad`, records one entry: its inputs, its output and
 *   a backward closure mapping the output gradient to one gradient per input.
 * - backward(loss) walks the entries in reverse (the recording order is a topological order),
 *   summing gradients when a Var feeds several ops. An intermediate is disposed as soon as the
 *   reverse pass is past the op that produced it: nothing before it in the tape can need it.
 * - Every Var the tape creates is tracked; dispose() frees them all (parameters and
 *   caller-kept Vars excepted), so a training step allocates nothing that outlives it.
 */
import type { Engine } from '../gpu/engine.js';
import { copyElements } from '../gpu/ops/copy.js';
import { accumulate, add } from '../gpu/ops/elementwise.js';
import { shapeString, type Tensor } from '../gpu/tensor.js';

export class Var {
  /** Gradient after backward() (leaves and, while the pass runs, intermediates). */
  grad: Tensor | undefined;
  /** Parameters: persistent gradient storage; backward() adds into it (see Tape.param). */
  gradStore: Tensor | undefined;
  /** True while gradStore still holds the previous step's values (the first write replaces them). */
  storeStale = true;
  /** Set by keep(): dispose() leaves the tensor alone. */
  kept = false;

  constructor(
    readonly tensor: Tensor,
    readonly requiresGrad: boolean,
    /** Owned tensors are freed by the tape; params and caller tensors are not. */
    readonly owned: boolean,
    readonly name = '',
  ) {}

  get shape(): readonly number[] {
    return this.tensor.shape;
  }
}

/** Maps the output gradient to one gradient per input (undefined where none is needed). */
export type Backward = (gradOut: Tensor) => (Tensor | undefined)[];

interface Entry {
  op: string;
  inputs: Var[];
  output: Var;
  backward: Backward;
  /** Tensors saved for backward that are not Vars (freed after the entry runs). */
  saved: Tensor[];
}

export class Tape {
  private entries: Entry[] = [];
  private created: Var[] = [];
  private gradDepth = 0;

  constructor(readonly engine: Engine) {}

  /** True outside noGrad regions. */
  get recording(): boolean {
    return this.gradDepth === 0;
  }

  /** An input Var wrapping a caller-owned tensor (not freed by the tape). */
  leaf(tensor: Tensor, requiresGrad = false, name = ''): Var {
    const v = new Var(tensor, requiresGrad, false, name);
    this.created.push(v);
    return v;
  }

  /**
   * A parameter: caller-owned tensor (a view into the parameter arena); backward() writes its
   * gradient into `gradStore` (the same view into the gradient arena): replacing the stale
   * value on the first write after zeroGrad(), adding after that. The first write happens in
   * the op's own kernel when the op asks for gradOut() (no copy).
   */
  param(tensor: Tensor, gradStore: Tensor, name = ''): Var {
    if (gradStore.size !== tensor.size) throw new Error(`param ${name}: grad store ${shapeString(gradStore.shape)} does not match ${shapeString(tensor.shape)}`);
    const v = new Var(tensor, true, false, name);
    v.gradStore = gradStore;
    return v;
  }

  /**
   * Where an op's backward may write the gradient of `v` directly: its gradient store while the
   * next write replaces it (a stale parameter store), else undefined (the op allocates and the
   * tape adds). The op must fill all of it.
   */
  gradOut(v: Var): Tensor | undefined {
    return v.gradStore && v.storeStale ? v.gradStore : undefined;
  }

  /** A Var for an op's output (owned by the tape). */
  result(tensor: Tensor, requiresGrad: boolean, name = ''): Var {
    const v = new Var(tensor, requiresGrad && this.recording, true, name);
    this.created.push(v);
    return v;
  }

  /** Runs fn without recording (the backbone, roll-forward): its results require no grad. */
  noGrad<T>(fn: () => T): T {
    this.gradDepth++;
    try {
      return fn();
    } finally {
      this.gradDepth--;
    }
  }

  /**
   * Records an op. `output` must come from result(); it requires grad iff some input does
   * (and the tape is recording). `saved` are extra tensors the backward reads, freed after it.
   */
  record(op: string, inputs: Var[], output: Var, backward: Backward, saved: Tensor[] = []): Var {
    if (output.requiresGrad) this.entries.push({ op, inputs, output, backward, saved });
    else for (const t of saved) t.dispose();
    return output;
  }

  /** Number of recorded entries (tests). */
  get length(): number {
    return this.entries.length;
  }

  /**
   * Reverse pass from `root` with gradient `seed` (default: ones of root's shape, i.e. d root).
   * Leaves get .grad (summed over uses); parameters accumulate into their gradStore.
   * Entries and the intermediates they produced are released as the pass goes.
   */
  backward(root: Var, seed?: Tensor): void {
    const { engine } = this;
    if (!root.requiresGrad) throw new Error('backward: the root does not require a gradient (was it computed under noGrad?)');
    let start: Tensor;
    if (seed) {
      start = engine.empty(root.shape, root.tensor.dtype);
      copyElements(engine, seed, start);
    } else {
      start = engine.upload(new Float32Array(root.tensor.size).fill(1), root.shape, root.tensor.dtype);
    }
    root.grad = start;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      const out = entry.output;
      const g = out.grad;
      out.grad = undefined;
      if (g) {
        const grads = entry.backward(g);
        const taken = new Set<Tensor>();
        entry.inputs.forEach((input, k) => {
          let gk = grads[k];
          if (!gk) return;
          if (!input.requiresGrad) {
            if (gk !== g && !taken.has(gk)) gk.dispose();
            return;
          }
          // One tensor may be handed to several inputs (add's backward): copy it for the later ones.
          if (taken.has(gk)) {
            const copy = engine.empty(gk.shape, gk.dtype);
            copyElements(engine, gk, copy);
            gk = copy;
          }
          taken.add(gk);
          this.accumulate(input, gk);
        });
        if (!taken.has(g)) g.dispose();
        for (const t of grads) if (t && t !== g && !taken.has(t)) t.dispose();
      }
      for (const t of entry.saved) t.dispose();
      // Everything that reads `out` was recorded after it, so it is no longer needed.
      if (out.owned && !out.kept && out !== root) out.tensor.dispose();
    }
    this.entries = [];
  }

  /** Marks a Var so dispose() keeps its tensor (the caller takes it over). */
  keep(v: Var): Var {
    v.kept = true;
    return v;
  }

  /** Frees every tensor the tape created (and leaf grads), except kept Vars. */
  dispose(): void {
    for (const e of this.entries) for (const t of e.saved) t.dispose();
    this.entries = [];
    for (const v of this.created) {
      v.grad?.dispose();
      v.grad = undefined;
      if (v.owned && !v.kept) v.tensor.dispose();
    }
    this.created = [];
  }

  private accumulate(v: Var, g: Tensor): void {
    const { engine } = this;
    if (v.gradStore) {
      const store = v.gradStore;
      if (g.buffer === store.buffer && g.byteOffset === store.byteOffset) {
        // The op wrote into the store (gradOut).
        v.storeStale = false;
        return;
      }
      if (v.storeStale) copyElements(engine, g, store);
      else accumulate(engine, store, g);
      v.storeStale = false;
      g.dispose();
      return;
    }
    if (!v.grad) {
      v.grad = g;
      return;
    }
    const sum = add(engine, v.grad, g);
    v.grad.dispose();
    g.dispose();
    v.grad = sum;
  }
}
