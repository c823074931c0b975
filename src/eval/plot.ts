/**
 * Line plots of a metric against NFE, one line per solver: axes, ticks, grid, legend, title,
 * optional log scales and dashed horizontal reference lines ("Euler at 70 NFE"). One layout
 * (a list of shapes in SVG user units) is rendered both as SVG text and, by the software
 * rasteriser, as a PNG, so the two show the same plot. Plain TypeScript, browser-safe.
 */
import { EvalInputError } from './errors.js';
import { CAP_HEIGHT, textWidth } from './font.js';
import { encodePng } from './png.js';
import { Canvas, type TextAnchor } from './raster.js';

export interface PlotPoint {
  x: number;
  y: number | null;
}

export interface PlotSeries {
  name: string;
  /** In drawing order; y = null leaves a gap (e.g. a run that failed). */
  points: readonly PlotPoint[];
  /** '#rrggbb'; default from a ten-colour palette, by series index. */
  color?: string;
}

export interface ReferenceLine {
  y: number;
  /** Its legend entry (with a dashed swatch), e.g. "Euler, 70 NFE". */
  label: string;
  color?: string;
}

export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  references?: readonly ReferenceLine[];
  logX?: boolean;
  logY?: boolean;
  /** Tick positions on x (e.g. exactly the NFEs evaluated); default: automatic. */
  xTicks?: readonly number[];
  /** In SVG user units (= PNG pixels at pixelRatio 1); default 640 × 400. */
  width?: number;
  height?: number;
}

export type PlotShape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill: string }
  | { kind: 'polyline'; points: [number, number][]; color: string; width: number; dash?: readonly [number, number] }
  | { kind: 'circle'; x: number; y: number; r: number; color: string }
  /** (x, y) is the baseline point; size 1 = cap height 7 units; vertical reads upwards. */
  | { kind: 'text'; x: number; y: number; text: string; size: 1 | 2; color: string; anchor: TextAnchor; vertical?: boolean };

export interface PlotLayout {
  width: number;
  height: number;
  /** The data area, in user units. */
  area: { left: number; top: number; right: number; bottom: number };
  /** Data coordinates to user units. */
  x(value: number): number;
  y(value: number): number;
  shapes: PlotShape[];
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const AXIS_COLOR = '#333333';
const GRID_COLOR = '#e6e6e6';
const TEXT_COLOR = '#222222';
const REFERENCE_COLOR = '#555555';
const REFERENCE_DASH = [6, 4] as const;
const REFERENCE_WIDTH = 1.5;
const TICK = 4;
const LINE_WIDTH = 2;
const MARKER_RADIUS = 3.5;

/** Lays the plot out as shapes in user units (what both renderers draw). */
export function layoutLinePlot(spec: LinePlot): PlotLayout {
  const { width = 640, height = 400, logX = false, logY = false } = spec;
  if (spec.series.length === 0) throw new EvalInputError(`plot '${spec.title}': no series`);
  const xs: number[] = [...(spec.xTicks ?? [])];
  const ys: number[] = (spec.references ?? []).map((r) => r.y);
  for (const s of spec.series) {
    if (s.points.length === 0) throw new EvalInputError(`plot '${spec.title}': series '${s.name}' has no points`);
    for (const { x, y } of s.points) {
      if (!Number.isFinite(x) || (y !== null && !Number.isFinite(y))) throw new EvalInputError(`plot '${spec.title}': series '${s.name}' has a non-finite point (${x}, ${y}); use y = null for a gap`);
      xs.push(x);
      if (y !== null) ys.push(y);
    }
  }
  if (ys.length === 0) throw new EvalInputError(`plot '${spec.title}': every y is null`);
  const checkLog = (values: number[], axis: string) => {
    const bad = values.find((v) => v <= 0);
    if (bad !== undefined) throw new EvalInputError(`plot '${spec.title}': ${axis} = ${bad} cannot be shown on a log scale (values must be > 0)`);
  };
  if (logX) checkLog(xs, 'x');
  if (logY) checkLog(ys, 'y');

  const xAxis = axisFor(xs, logX, false, spec.xTicks);
  const yAxis = axisFor(ys, logY, true);
  const xTickLabels = xAxis.ticks.map(formatTick);
  const yTickLabels = yAxis.ticks.map(formatTick);
  const legendNames = [...spec.series.map((s) => s.name), ...(spec.references ?? []).map((r) => r.label)];
  const legendWidth = 34 + Math.max(...legendNames.map(textWidth));
  const area = {
    left: 22 + TICK + 4 + Math.max(...yTickLabels.map(textWidth)),
    top: spec.title ? 40 : 14,
    right: width - legendWidth - 16,
    bottom: height - 46,
  };
  if (area.right - area.left < 40 || area.bottom - area.top < 40) {
    throw new EvalInputError(`plot '${spec.title}': ${width}×${height} leaves no room for the data next to the labels and legend`);
  }
  const toUnit = (v: number, log: boolean) => (log ? Math.log10(v) : v);
  const scale = (axis: Axis, from: number, to: number, log: boolean) => (v: number) => from + ((toUnit(v, log) - axis.lo) / (axis.hi - axis.lo)) * (to - from);
  const x = scale(xAxis, area.left, area.right, logX);
  const y = scale(yAxis, area.bottom, area.top, logY);

  const shapes: PlotShape[] = [{ kind: 'rect', x: 0, y: 0, w: width, h: height, fill: '#ffffff' }];
  const text = (t: string, tx: number, ty: number, anchor: TextAnchor, size: 1 | 2 = 1, extra: Partial<PlotShape> = {}) =>
    shapes.push({ kind: 'text', x: tx, y: ty, text: t, size, color: TEXT_COLOR, anchor, ...extra } as PlotShape);
  xAxis.ticks.forEach((v, i) => {
    const px = x(v);
    shapes.push({ kind: 'polyline', points: [[px, area.top], [px, area.bottom]], color: GRID_COLOR, width: 1 });
    shapes.push({ kind: 'polyline', points: [[px, area.bottom], [px, area.bottom + TICK]], color: AXIS_COLOR, width: 1 });
    text(xTickLabels[i], px, area.bottom + TICK + 4 + CAP_HEIGHT, 'middle');
  });
  yAxis.ticks.forEach((v, i) => {
    const py = y(v);
    shapes.push({ kind: 'polyline', points: [[area.left, py], [area.right, py]], color: GRID_COLOR, width: 1 });
    shapes.push({ kind: 'polyline', points: [[area.left - TICK, py], [area.left, py]], color: AXIS_COLOR, width: 1 });
    text(yTickLabels[i], area.left - TICK - 4, py + CAP_HEIGHT / 2, 'end');
  });
  shapes.push({ kind: 'polyline', points: [[area.left, area.top], [area.left, area.bottom], [area.right, area.bottom]], color: AXIS_COLOR, width: 1 });
  if (spec.title) text(spec.title, (area.left + area.right) / 2, 14 + 2 * CAP_HEIGHT, 'middle', 2);
  text(spec.xLabel, (area.left + area.right) / 2, height - 10, 'middle');
  text(spec.yLabel, 16, (area.top + area.bottom) / 2, 'middle', 1, { vertical: true });

  // Legend rows: the series, then the reference lines (labelled there, not over the data).
  const legendRow = (index: number) => [area.right + 16, area.top + 8 + index * 16] as const;
  (spec.references ?? []).forEach((ref, i) => {
    const color = ref.color ?? REFERENCE_COLOR;
    const py = y(ref.y);
    shapes.push({ kind: 'polyline', points: [[area.left, py], [area.right, py]], color, width: REFERENCE_WIDTH, dash: REFERENCE_DASH });
    const [lx, ly] = legendRow(spec.series.length + i);
    shapes.push({ kind: 'polyline', points: [[lx, ly], [lx + 20, ly]], color, width: REFERENCE_WIDTH, dash: REFERENCE_DASH });
    text(ref.label, lx + 26, ly + CAP_HEIGHT / 2, 'start');
  });
  spec.series.forEach((s, index) => {
    const color = s.color ?? PALETTE[index % PALETTE.length];
    let run: [number, number][] = [];
    const flush = () => {
      if (run.length > 1) shapes.push({ kind: 'polyline', points: run, color, width: LINE_WIDTH });
      run = [];
    };
    for (const { x: px, y: py } of s.points) {
      if (py === null) flush();
      else run.push([x(px), y(py)]);
    }
    flush();
    for (const { x: px, y: py } of s.points) if (py !== null) shapes.push({ kind: 'circle', x: x(px), y: y(py), r: MARKER_RADIUS, color });
    const [lx, ly] = legendRow(index);
    shapes.push({ kind: 'polyline', points: [[lx, ly], [lx + 20, ly]], color, width: LINE_WIDTH });
    shapes.push({ kind: 'circle', x: lx + 10, y: ly, r: MARKER_RADIUS, color });
    text(s.name, lx + 26, ly + CAP_HEIGHT / 2, 'start');
  });
  return { width, height, area, x, y, shapes };
}

export function renderLinePlotSvg(spec: LinePlot): string {
  const { width, height, shapes } = layoutLinePlot(spec);
  const n = (v: number) => String(Math.round(v * 100) / 100);
  const body = shapes.map((s) => {
    switch (s.kind) {
      case 'rect':
        return `<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${s.fill}"/>`;
      case 'polyline': {
        const dash = s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
        return `<polyline points="${s.points.map(([px, py]) => `${n(px)},${n(py)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width}"${dash} stroke-linejoin="round"/>`;
      }
      case 'circle':
        return `<circle cx="${n(s.x)}" cy="${n(s.y)}" r="${s.r}" fill="${s.color}"/>`;
      case 'text': {
        const anchor = s.anchor === 'start' ? '' : ` text-anchor="${s.anchor}"`;
        const rotate = s.vertical ? ` transform="rotate(-90 ${n(s.x)} ${n(s.y)})"` : '';
        // Cap height ≈ 0.7 em in common fonts: 10 px per 7 units of bitmap cap height.
        return `<text x="${n(s.x)}" y="${n(s.y)}" font-size="${10 * s.size}" fill="${s.color}"${anchor}${rotate}>${escapeXml(s.text)}</text>`;
      }
    }
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace">`,
    `<title>${escapeXml(spec.title)}</title>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** The plot rasterised at `pixelRatio` pixels per user unit (an integer), as RGB pixels. */
export function rasterizeLinePlot(spec: LinePlot, pixelRatio = 2): Canvas {
  if (!Number.isInteger(pixelRatio) || pixelRatio < 1) throw new EvalInputError(`plot: pixelRatio ${pixelRatio} is not a positive integer`);
  const { width, height, shapes } = layoutLinePlot(spec);
  const r = pixelRatio;
  const canvas = new Canvas(Math.round(width * r), Math.round(height * r), 3, '#ffffff');
  for (const s of shapes) {
    if (s.kind === 'rect') canvas.fillRect(s.x * r, s.y * r, (s.x + s.w) * r, (s.y + s.h) * r, s.fill);
    else if (s.kind === 'circle') canvas.fillCircle(s.x * r, s.y * r, s.r * r, s.color);
    else if (s.kind === 'text') canvas.drawText(s.text, s.x * r, s.y * r, { scale: s.size * r, color: s.color, anchor: s.anchor, vertical: s.vertical });
    else {
      const points = s.points.map(([px, py]) => [px * r, py * r] as [number, number]);
      canvas.strokePolylines(s.dash ? dashed(points, s.dash[0] * r, s.dash[1] * r) : [points], s.color, s.width * r);
    }
  }
  return canvas;
}

export function renderLinePlotPng(spec: LinePlot, pixelRatio = 2): Uint8Array {
  const canvas = rasterizeLinePlot(spec, pixelRatio);
  return encodePng(canvas.width, canvas.height, 3, canvas.pixels);
}

/** Tick label: up to 4 significant digits, exponent form for very large or small values. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [mantissa, exponent] = v.toExponential().split('e');
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`;
  }
  return String(Number(v.toPrecision(4)));
}

interface Axis {
  /** Domain in axis units (log10 of the value on a log axis). */
  lo: number;
  hi: number;
  ticks: number[];
}

function axisFor(values: number[], log: boolean, snapToTicks: boolean, fixedTicks?: readonly number[]): Axis {
  let lo = Math.min(...values.map((v) => (log ? Math.log10(v) : v)));
  let hi = Math.max(...values.map((v) => (log ? Math.log10(v) : v)));
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const half = log ? 0.5 : Math.abs(hi) * 0.1 || 1;
    lo -= half;
    hi += half;
  }
  let step = niceStep((hi - lo) / 5);
  if (!log && snapToTicks && !fixedTicks) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  } else {
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    step = niceStep((hi - lo) / 5);
  }
  const ticks = fixedTicks ? [...fixedTicks] : log ? logTicks(lo, hi) : linearTicks(lo, hi, step);
  return { lo, hi, ticks };
}

function niceStep(rough: number): number {
  const p = 10 ** Math.floor(Math.log10(rough));
  const m = rough / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function linearTicks(lo: number, hi: number, step: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Decades; with 2 and 5 between them when fewer than 3 decades show; all of 1..9 if still too few. */
function logTicks(lo: number, hi: number): number[] {
  for (const multiples of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of multiples) {
        const v = Number((m * 10 ** e).toPrecision(12));
        const u = Math.log10(v);
        if (u >= lo - 1e-9 && u <= hi + 1e-9) ticks.push(v);
      }
    }
    if (ticks.length >= 3 || multiples.length === 9) return ticks;
  }
  return [];
}

/** Splits a polyline into dashes of `on` units separated by `off` units, starting with a dash. */
function dashed(points: [number, number][], on: number, off: number): [number, number][][] {
  const dashes: [number, number][][] = [];
  let current: [number, number][] | null = [points[0]];
  let left = on;
  for (let i = 0; i + 1 < points.length; i++) {
    let [ax, ay] = points[i];
    const [bx, by] = points[i + 1];
    let segment = Math.hypot(bx - ax, by - ay);
    while (segment > 0) {
      const step = Math.min(left, segment);
      const t = step / segment;
      ax += (bx - ax) * t;
      ay += (by - ay) * t;
      segment -= step;
      left -= step;
      if (current) current.push([ax, ay]);
      if (left <= 1e-9) {
        if (current) dashes.push(current);
        current = current ? null : [[ax, ay]];
        left = current ? on : off;
      }
    }
  }
  if (current && current.length > 1) dashes.push(current);
  return dashes;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
