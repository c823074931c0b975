/**
 * A small software rasteriser for the PNG plots and image grids: anti-aliased thick polylines
 * (coverage from the distance to the nearest segment, so joins are not blended twice), filled
 * circles, rectangles and bitmap text. Pixels are 8-bit gray or RGB; colours are '#rrggbb'.
 */
import { EvalInputError } from './errors.js';
import { ADVANCE, CAP_HEIGHT, CELL_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from './font.js';

export type Rgb = readonly [number, number, number];

export function parseColor(color: string): Rgb {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) throw new EvalInputError(`colour '${color}' is not of the form #rrggbb`);
  const v = parseInt(m[1], 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export type TextAnchor = 'start' | 'middle' | 'end';

export class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: 1 | 3,
    background: string,
  ) {
    this.pixels = new Uint8Array(width * height * channels);
    this.fillRect(0, 0, width, height, background);
  }

  /** Blends `color` into pixel (x, y) with opacity `alpha` ∈ [0, 1]. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || alpha <= 0) return;
    const a = Math.min(1, alpha);
    const at = (y * this.width + x) * this.channels;
    if (this.channels === 1) {
      const gray = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2];
      this.pixels[at] = Math.round(this.pixels[at] * (1 - a) + gray * a);
    } else {
      for (let c = 0; c < 3; c++) this.pixels[at + c] = Math.round(this.pixels[at + c] * (1 - a) + color[c] * a);
    }
  }

  /** Fills whole pixels [x0, x1) × [y0, y1) (coordinates rounded). */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: string): void {
    const rgb = parseColor(color);
    const [ax, bx] = [Math.max(0, Math.round(x0)), Math.min(this.width, Math.round(x1))];
    const [ay, by] = [Math.max(0, Math.round(y0)), Math.min(this.height, Math.round(y1))];
    for (let y = ay; y < by; y++) for (let x = ax; x < bx; x++) this.blend(x, y, rgb, 1);
  }

  /**
   * Strokes polylines of `lineWidth` (pixel coordinates, pixel centres at +0.5): each pixel
   * takes the coverage of its nearest segment, max(0, min(1, w/2 + 1/2 − distance)).
   */
  strokePolylines(polylines: readonly (readonly (readonly [number, number])[])[], color: string, lineWidth: number): void {
    const rgb = parseColor(color);
    const reach = lineWidth / 2 + 0.5;
    const coverage = new Map<number, number>();
    for (const line of polylines) {
      for (let s = 0; s + 1 < line.length; s++) {
        const [ax, ay] = line[s];
        const [bx, by] = line[s + 1];
        const dx = bx - ax;
        const dy = by - ay;
        const len2 = dx * dx + dy * dy;
        const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
        const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + reach));
        const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
        const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + reach));
        for (let y = y0; y <= y1; y++) {
          for (let x = x0; x <= x1; x++) {
            const px = x + 0.5 - ax;
            const py = y + 0.5 - ay;
            const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
            const d = Math.hypot(px - t * dx, py - t * dy);
            const cover = Math.min(1, reach - d);
            if (cover <= 0) continue;
            const key = y * this.width + x;
            if (cover > (coverage.get(key) ?? 0)) coverage.set(key, cover);
          }
        }
      }
    }
    for (const [key, cover] of coverage) this.blend(key % this.width, Math.floor(key / this.width), rgb, cover);
  }

  fillCircle(cx: number, cy: number, radius: number, color: string): void {
    const rgb = parseColor(color);
    for (let y = Math.floor(cy - radius - 1); y <= Math.ceil(cy + radius + 1); y++) {
      for (let x = Math.floor(cx - radius - 1); x <= Math.ceil(cx + radius + 1); x++) {
        this.blend(x, y, rgb, radius + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
      }
    }
  }

  /**
   * Draws `text` with the bitmap font magnified `scale`× (an integer), its baseline at `y`;
   * `anchor` places x at the start, middle or end. `vertical` turns it 90° counter-clockwise
   * about (x, y), reading upwards (for a y-axis label).
   */
  drawText(text: string, x: number, y: number, options: { scale: number; color: string; anchor?: TextAnchor; vertical?: boolean }): void {
    const { scale, anchor = 'start', vertical = false } = options;
    const rgb = parseColor(options.color);
    const width = textWidth(text) * scale;
    const shift = anchor === 'start' ? 0 : anchor === 'middle' ? width / 2 : width;
    const ox = Math.round(x);
    const oy = Math.round(y);
    const start = Math.round(-shift);
    const top = -CAP_HEIGHT * scale;
    [...text].forEach((char, i) => {
      const bits = glyph(char);
      for (let r = 0; r < CELL_HEIGHT; r++) {
        for (let c = 0; c < GLYPH_WIDTH; c++) {
          if (!bits[r * GLYPH_WIDTH + c]) continue;
          for (let sy = 0; sy < scale; sy++) {
            for (let sx = 0; sx < scale; sx++) {
              const u = start + (i * ADVANCE + c) * scale + sx; // along the text
              const v = top + r * scale + sy; // down the text
              if (vertical) this.blend(ox + v, oy - u - 1, rgb, 1);
              else this.blend(ox + u, oy + v, rgb, 1);
            }
          }
        }
      }
    });
  }
}
