import { describe, expect, it } from 'vitest';
import { EvalInputError } from '../../src/eval/errors.js';
import { markdownTable, metricTable } from '../../src/eval/report.js';

describe('Markdown report tables', () => {
  it('lays out solvers × NFE, right-aligns numbers, bolds the best per column and marks missing runs', () => {
    const table = metricTable({
      columns: [3, 5, 7],
      rows: [
        { name: 'ba', values: [12.345, 4.2, null] },
        { name: 'euler', values: [40, 4.204, 9] },
        { name: 'heun', values: [30, NaN, 8.5] },
      ],
      best: 'min',
    });
    expect(table).toBe(
      [
        '| solver \\ NFE | 3 | 5 | 7 |',
        '| --- | ---: | ---: | ---: |',
        '| ba | **12.35** | **4.20** | — |',
        '| euler | 40.00 | **4.20** | 9.00 |',
        '| heun | 30.00 | — | **8.50** |',
        '',
      ].join('\n'),
    );
  });

  it('supports the largest-is-best direction, a custom format and corner, and a single row without bold', () => {
    const table = metricTable({ columns: ['4 NFE'], rows: [{ name: 'a', values: [0.9] }, { name: 'b', values: [0.95] }], best: 'max', corner: 'solver', format: (v) => `${(100 * v).toFixed(1)} %` });
    expect(table.split('\n').slice(2, 4)).toEqual(['| a | 90.0 % |', '| b | **95.0 %** |']);
    const single = metricTable({ columns: [1], rows: [{ name: 'a', values: [1] }], best: 'min', digits: 0 });
    expect(single).toContain('| a | 1 |');
  });

  it('escapes pipes and line breaks in cells and rejects ragged rows', () => {
    expect(markdownTable(['a|b', 'c'], [['x\ny', '|']])).toBe('| a\\|b | c |\n| --- | --- |\n| x y | \\| |\n');
    expect(() => markdownTable(['a', 'b'], [['x']])).toThrow(/row 0 has 1 cells for 2 columns/);
    expect(() => metricTable({ columns: [1, 2], rows: [{ name: 'ba', values: [1] }] })).toThrow(EvalInputError);
  });
});
