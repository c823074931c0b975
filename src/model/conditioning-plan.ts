/**
 * The SideNet's conditioning (the FiLM rows of every block) depends only on (t, h, y), never on
 * the state, so a sampling run that announces its probes up front (VelocityCorrector.plan) gets
 * them computed many probes at a time: one chain of small dispatches per chunk of the run
 * instead of one per probe. A chunk holds at most MAX_CHUNK_BYTES of rows; the next chunk is
 * computed when the run first asks for a probe past the current one.
 */
import type { Tensor } from '../gpu/tensor.js';
import type { ProbePlan } from '../solver/models.js';

/** Film rows kept at once; a whole run of the shipped model is ~0.4 MiB. */
const MAX_CHUNK_BYTES = 8 << 20;

/** A probe's conditioning: rows firstRow .. firstRow + offsets·batch − 1 of film. */
export interface PlannedRows {
  film: Tensor;
  firstRow: number;
}

/** The rows' inputs, offset-major as delta() lays out its batch: t, h and y per row. */
export interface ConditioningInputs {
  t: number[];
  h: number[];
  y: number[];
}

export class ConditioningPlan {
  private readonly position = new Map<string, number>();
  private chunk?: { start: number; end: number; film: Tensor; firstRows: number[] };

  constructor(
    private readonly probes: readonly ProbePlan[],
    private readonly labels: readonly number[],
    private readonly rowBytes: number,
    private readonly compute: (rows: ConditioningInputs) => Tensor,
  ) {
    probes.forEach((p, i) => {
      const key = probeKey(p.t, p.offsets, labels);
      if (!this.position.has(key)) this.position.set(key, i);
    });
  }

  /** The planned rows of this probe (computing its chunk if needed), or undefined if unplanned. */
  rows(t: ArrayLike<number>, offsets: readonly number[], y: ArrayLike<number>): PlannedRows | undefined {
    const at = this.position.get(probeKey(t, offsets, y));
    if (at === undefined) return undefined;
    if (!this.chunk || at < this.chunk.start || at >= this.chunk.end) this.computeChunk(at);
    const chunk = this.chunk!;
    return { film: chunk.film, firstRow: chunk.firstRows[at - chunk.start] };
  }

  dispose(): void {
    this.chunk?.film.dispose();
    this.chunk = undefined;
  }

  private computeChunk(start: number): void {
    const inputs: ConditioningInputs = { t: [], h: [], y: [] };
    const firstRows: number[] = [];
    let end = start;
    while (end < this.probes.length) {
      const { t, offsets } = this.probes[end];
      const rows = offsets.length * t.length;
      if (end > start && (inputs.t.length + rows) * this.rowBytes > MAX_CHUNK_BYTES) break;
      firstRows.push(inputs.t.length);
      for (const h of offsets) {
        for (let b = 0; b < t.length; b++) {
          inputs.t.push(t[b]);
          inputs.h.push(h);
          inputs.y.push(this.labels[b]);
        }
      }
      end++;
    }
    const film = this.compute(inputs);
    // The pool defers the old chunk's reuse until the GPU work recorded with it is done.
    this.chunk?.film.dispose();
    this.chunk = { start, end, film, firstRows };
  }
}

/** Probes match on exact values: the run plans with the same numbers it later passes. */
function probeKey(t: ArrayLike<number>, offsets: readonly number[], y: ArrayLike<number>): string {
  return `${Array.from(t).join(',')}|${offsets.join(',')}|${Array.from(y).join(',')}`;
}
