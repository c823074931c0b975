import { describe, expect, it } from 'vitest';
import { EvalInputError } from '../../src/eval/errors.js';
import { formatTick, layoutLinePlot, renderLinePlotPng, renderLinePlotSvg, PALETTE, rasterizeLinePlot, type LinePlot } from '../../src/eval/plot.js';
import { decodePng } from '../helpers/png.js';

const NFE = [3, 5, 7, 10, 20];
const spec: LinePlot = {
  title: 'FD vs NFE <test & "quotes">',
  xLabel: 'NFE',
  yLabel: 'FD',
  logY: true,
  xTicks: NFE,
  series: [
    { name: 'BA-solver', points: NFE.map((n) => ({ x: n, y: 40 / n ** 1.5 })) },
    { name: 'Euler', points: NFE.map((n, i) => ({ x: n, y: i === 2 ? null : 90 / n })), color: '#00aa00' },
  ],
  references: [{ y: 1.5, label: 'Euler, 70 NFE', color: '#aa00aa' }],
};

function hex(rgb: ArrayLike<number>): string {
  return '#' + Array.from(rgb, (v) => v.toString(16).padStart(2, '0')).join('');
}

describe('line plot layout', () => {
  it('maps data into the plot area: equal spacing per decade on a log axis, increasing upwards', () => {
    const layout = layoutLinePlot(spec);
    const { area } = layout;
    for (const s of spec.series) {
      for (const { x, y } of s.points) {
        if (y === null) continue;
        expect(layout.x(x)).toBeGreaterThanOrEqual(area.left);
        expect(layout.x(x)).toBeLessThanOrEqual(area.right);
        expect(layout.y(y)).toBeGreaterThanOrEqual(area.top);
        expect(layout.y(y)).toBeLessThanOrEqual(area.bottom);
      }
    }
    expect(layout.y(1) - layout.y(10)).toBeCloseTo(layout.y(0.1) - layout.y(1), 9);
    expect(layout.y(10)).toBeLessThan(layout.y(1));
    // Linear x: equal data steps give equal distances.
    expect(layout.x(7) - layout.x(5)).toBeCloseTo(layout.x(5) - layout.x(3), 9);
    const texts = layout.shapes.flatMap((s) => (s.kind === 'text' ? [s.text] : []));
    expect(texts).toEqual(expect.arrayContaining(['3', '5', '7', '10', '20', '1', '10', 'BA-solver', 'Euler', 'Euler, 70 NFE', 'NFE', 'FD']));
    expect(texts).toContain('2'); // fewer than three decades shown: 2 and 5 are ticks too
  });

  it('breaks a line at a null value and draws a marker per point', () => {
    const shapes = layoutLinePlot(spec).shapes;
    const green = shapes.filter((s) => 'color' in s && s.color === '#00aa00');
    const lines = green.filter((s) => s.kind === 'polyline');
    const markers = green.filter((s) => s.kind === 'circle');
    // Two pieces of the data line (2 points each) + the legend swatch; four markers + the legend's.
    expect(lines.map((s) => (s.kind === 'polyline' ? s.points.length : 0)).sort()).toEqual([2, 2, 2]);
    expect(markers).toHaveLength(4 + 1);
  });

  it('snaps a linear y axis to round ticks that cover the data', () => {
    const layout = layoutLinePlot({ ...spec, logY: false, references: [], series: [{ name: 'a', points: [{ x: 1, y: 0.5 }, { x: 2, y: 10.5 }] }] });
    const texts = layout.shapes.flatMap((s) => (s.kind === 'text' ? [s.text] : []));
    expect(texts).toEqual(expect.arrayContaining(['0', '2', '4', '6', '8', '10', '12']));
    expect(layout.y(0)).toBeCloseTo(layout.area.bottom, 9);
    expect(layout.y(12)).toBeCloseTo(layout.area.top, 9);
  });

  it('formats ticks compactly', () => {
    expect([0, 0.30000000000000004, 2, 1500, 123456, 0.0002, -0.5].map(formatTick)).toEqual(['0', '0.3', '2', '1500', '1.23e5', '2e-4', '-0.5']);
  });

  it('rejects data it cannot show, naming the series', () => {
    expect(() => layoutLinePlot({ ...spec, series: [] })).toThrow(/no series/);
    expect(() => layoutLinePlot({ ...spec, series: [{ name: 'heun', points: [{ x: 3, y: 0 }] }] })).toThrow(/y = 0 cannot be shown on a log scale/);
    expect(() => layoutLinePlot({ ...spec, series: [{ name: 'heun', points: [{ x: 3, y: NaN }] }] })).toThrow(/series 'heun' has a non-finite point/);
    expect(() => layoutLinePlot({ ...spec, series: [{ name: 'heun', points: [] }] })).toThrow(EvalInputError);
    expect(() => layoutLinePlot({ ...spec, width: 120 })).toThrow(/no room/);
    expect(() => renderLinePlotPng({ ...spec, series: [{ name: 'x', points: [{ x: 1, y: 1 }], color: 'red' }] })).toThrow(/colour 'red'/);
  });
});

describe('line plot SVG', () => {
  it('is well-formed, escapes text, and has one polyline per line piece and a dashed reference', () => {
    const svg = renderLinePlotSvg(spec);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('FD vs NFE &lt;test &amp; &quot;quotes&quot;&gt;');
    // Every opened element is closed (self-closing or with its end tag), in order.
    const stack: string[] = [];
    for (const [, close, name, , selfClosing] of svg.matchAll(/<(\/?)([a-z]+)([^>]*?)(\/?)>/g)) {
      if (close) expect(stack.pop()).toBe(name);
      else if (!selfClosing) stack.push(name);
    }
    expect(stack).toEqual([]);
    expect(svg.match(/stroke="#00aa00"/g)).toHaveLength(3);
    expect(svg.match(/<circle[^>]*fill="#00aa00"/g)).toHaveLength(5);
    expect(svg.match(/stroke="#aa00aa"[^>]*stroke-dasharray="6 4"/g)).toHaveLength(2); // the line and its legend swatch
    expect(svg).toContain('transform="rotate(-90');
  });
});

describe('line plot PNG', () => {
  it('rasterises the same layout: markers and lines in the series colours, dashed reference, text', () => {
    const ratio = 2;
    const png = decodePng(renderLinePlotPng(spec, ratio));
    const layout = layoutLinePlot(spec);
    expect([png.width, png.height, png.channels]).toEqual([layout.width * ratio, layout.height * ratio, 3]);
    const pixel = (x: number, y: number) => hex(png.pixels.subarray((Math.floor(y) * png.width + Math.floor(x)) * 3, (Math.floor(y) * png.width + Math.floor(x)) * 3 + 3));
    expect(pixel(1, 1)).toBe('#ffffff');
    const blue = PALETTE[0];
    for (const { x, y } of spec.series[0].points) expect(pixel(layout.x(x) * ratio, layout.y(y!) * ratio)).toBe(blue);
    // Midway along the first segment of the first series.
    const [{ x: x0, y: y0 }, { x: x1, y: y1 }] = spec.series[0].points;
    expect(pixel(((layout.x(x0) + layout.x(x1)) / 2) * ratio, ((layout.y(y0!) + layout.y(y1!)) / 2) * ratio)).toBe(blue);
    // No line between the points either side of the gap (7 is null for the green series).
    const [{ y: ya }, { x: xb, y: yb }, , { x: xd, y: yd }] = spec.series[1].points;
    expect(ya).not.toBeNull();
    const mid = [((layout.x(xb) + layout.x(xd)) / 2) * ratio, ((layout.y(yb!) + layout.y(yd!)) / 2) * ratio];
    expect(pixel(mid[0], mid[1])).not.toBe('#00aa00');
    // The reference line alternates dashes (its colour) and gaps along its row.
    const row = layout.y(1.5) * ratio;
    const colours = new Set<string>();
    let switches = 0;
    let last = '';
    for (let x = layout.area.left * ratio + 2; x < layout.area.right * ratio - 2; x++) {
      const c = pixel(x, row) === '#aa00aa' ? 'dash' : 'gap';
      if (last && c !== last) switches++;
      last = c;
      colours.add(c);
    }
    expect(colours).toEqual(new Set(['dash', 'gap']));
    expect(switches).toBeGreaterThan(20);
    // Title text: dark pixels above the plot area.
    let ink = 0;
    for (let y = 0; y < layout.area.top * ratio; y++) for (let x = 0; x < png.width; x++) if (pixel(x, y) === '#222222') ink++;
    expect(ink).toBeGreaterThan(200);
  });

  it('draws the same plot at any pixel ratio (pixel ratio 1 is the 2× image downsampled, roughly)', () => {
    const one = rasterizeLinePlot(spec, 1);
    const two = rasterizeLinePlot(spec, 2);
    expect([one.width * 2, one.height * 2]).toEqual([two.width, two.height]);
    let diff = 0;
    for (let y = 0; y < one.height; y++) {
      for (let x = 0; x < one.width; x++) {
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) sum += two.pixels[((2 * y + dy) * two.width + 2 * x + dx) * 3 + c];
          diff += Math.abs(sum / 4 - one.pixels[(y * one.width + x) * 3 + c]);
        }
      }
    }
    expect(diff / (one.width * one.height * 3)).toBeLessThan(1.5); // mean per channel (0..255); 0.4 measured
  });
});
