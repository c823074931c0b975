import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/gpu/tensor.js';
import { ConditioningPlan, type ConditioningInputs } from '../../src/model/conditioning-plan.js';

/** A plan whose "conditioning" records which rows were asked for; each chunk is a fake tensor. */
function recordingPlan(rowBytes: number) {
  const computed: ConditioningInputs[] = [];
  const disposed: number[] = [];
  const probes = [0.9, 0.6, 0.3].map((t) => ({ t: [t, t], offsets: [0.1, 0.2] }));
  const plan = new ConditioningPlan(probes, [3, 10], rowBytes, (rows) => {
    const id = computed.push(rows) - 1;
    return { dispose: () => disposed.push(id) } as unknown as Tensor;
  });
  return { plan, computed, disposed };
}

describe("ConditioningPlan (a run's SideNet conditioning computed a chunk at a time)", () => {
  it('computes every planned probe in one batch, offset-major rows like delta()', () => {
    const { plan, computed } = recordingPlan(64);
    expect(plan.rows([0.9, 0.9], [0.1, 0.2], [3, 10])?.firstRow).toBe(0);
    expect(plan.rows([0.6, 0.6], [0.1, 0.2], [3, 10])?.firstRow).toBe(4);
    expect(plan.rows([0.3, 0.3], [0.1, 0.2], [3, 10])?.firstRow).toBe(8);
    expect(computed).toHaveLength(1);
    expect(computed[0].t).toEqual([0.9, 0.9, 0.9, 0.9, 0.6, 0.6, 0.6, 0.6, 0.3, 0.3, 0.3, 0.3]);
    expect(computed[0].h.slice(0, 4)).toEqual([0.1, 0.1, 0.2, 0.2]);
    expect(computed[0].y.slice(0, 4)).toEqual([3, 10, 3, 10]);
  });

  it('splits a run over the byte budget into chunks and frees each old one', () => {
    // 4 rows per probe at 2 MiB a row: one probe per 8 MiB chunk.
    const { plan, computed, disposed } = recordingPlan(2 << 20);
    expect(plan.rows([0.9, 0.9], [0.1, 0.2], [3, 10])?.firstRow).toBe(0);
    expect(plan.rows([0.6, 0.6], [0.1, 0.2], [3, 10])?.firstRow).toBe(0);
    expect(computed.map((c) => c.t[0])).toEqual([0.9, 0.6]);
    expect(disposed).toEqual([0]);
    plan.dispose();
    expect(disposed).toEqual([0, 1]);
  });

  it('a failing chunk computation leaves the previous chunk live and in place', () => {
    const probes = [0.9, 0.6].map((t) => ({ t: [t], offsets: [0.1] }));
    const disposed: string[] = [];
    let fail = false;
    const plan = new ConditioningPlan(probes, [3], 8 << 20, (rows) => {
      if (fail) throw new Error('device lost');
      return { dispose: () => disposed.push(`chunk at ${rows.t[0]}`) } as unknown as Tensor;
    });
    // 8 MiB rows: one probe per chunk.
    expect(plan.rows([0.9], [0.1], [3])?.firstRow).toBe(0);
    fail = true;
    expect(() => plan.rows([0.6], [0.1], [3])).toThrow(/device lost/);
    expect(disposed).toEqual([]);
    fail = false;
    expect(plan.rows([0.9], [0.1], [3])?.firstRow).toBe(0);
    expect(disposed).toEqual([]);
    plan.dispose();
    expect(disposed).toEqual(['chunk at 0.9']);
  });

  it('answers undefined for a probe it was not told of (other times, offsets or labels)', () => {
    const { plan, computed } = recordingPlan(64);
    expect(plan.rows([0.9, 0.9], [0.1], [3, 10])).toBeUndefined();
    expect(plan.rows([0.9, 0.8], [0.1, 0.2], [3, 10])).toBeUndefined();
    expect(plan.rows([0.9, 0.9], [0.1, 0.2], [3, 3])).toBeUndefined();
    expect(computed).toHaveLength(0);
  });
});
