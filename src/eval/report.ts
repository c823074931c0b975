/** Markdown tables for the evaluation report (solvers × NFE). */
import { EvalInputError } from './errors.js';

export type Alignment = 'left' | 'right' | 'center';

/** A Markdown (GFM) table; '|' and line breaks inside cells are escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Alignment[] = []): string {
  rows.forEach((row, i) => {
    if (row.length !== header.length) throw new EvalInputError(`markdownTable: row ${i} has ${row.length} cells for ${header.length} columns`);
  });
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const rule = header.map((_, i) => ({ left: '---', right: '---:', center: ':---:' })[align[i] ?? 'left']);
  return [header, rule, ...rows].map((r, i) => `| ${(i === 1 ? r : r.map(cell)).join(' | ')} |`).join('\n') + '\n';
}

export interface MetricRow {
  /** e.g. the solver. */
  name: string;
  /** One value per column; null/undefined (or NaN) shows as '—' (not run or failed). */
  values: readonly (number | null | undefined)[];
}

export interface MetricTableOptions {
  /** Column headings, e.g. the NFEs. */
  columns: readonly (string | number)[];
  rows: readonly MetricRow[];
  /** Top-left heading; default 'solver \\ NFE'. */
  corner?: string;
  /** Decimals shown (default 2), unless `format` is given. */
  digits?: number;
  format?: (value: number) => string;
  /** Bold the best value of each column: the smallest ('min', e.g. FD) or largest ('max', accuracy). */
  best?: 'min' | 'max';
}

/** A metric as a rows × columns Markdown table, e.g. FD of each solver at each NFE. */
export function metricTable(options: MetricTableOptions): string {
  const { columns, rows, corner = 'solver \\ NFE', digits = 2, best } = options;
  const format = options.format ?? ((v: number) => v.toFixed(digits));
  const present = (v: number | null | undefined): v is number => typeof v === 'number' && !Number.isNaN(v);
  rows.forEach((row) => {
    if (row.values.length !== columns.length) throw new EvalInputError(`metricTable: row '${row.name}' has ${row.values.length} values for ${columns.length} columns`);
  });
  const bestOf = columns.map((_, c) => {
    const values = rows.map((r) => r.values[c]).filter(present);
    if (!best || values.length < 2) return undefined;
    return best === 'min' ? Math.min(...values) : Math.max(...values);
  });
  const body = rows.map((row) => [
    row.name,
    ...row.values.map((v, c) => {
      if (!present(v)) return '—';
      // Compare what is shown, so equal-looking values are bolded together.
      return bestOf[c] !== undefined && format(v) === format(bestOf[c]!) ? `**${format(v)}**` : format(v);
    }),
  ]);
  return markdownTable([corner, ...columns.map(String)], body, ['left', ...columns.map(() => 'right' as const)]);
}
