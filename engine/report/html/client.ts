/**
 * The page's own script: draws each chart of the embedded chart data with uPlot. These functions
 * run in the browser, not in Node: `clientScript()` inlines their source text, so each may use
 * only browser globals, its arguments and the other functions listed in CLIENT_FUNCTIONS, never
 * anything imported into this module (types excepted: they vanish when compiled).
 */
import type uPlot from 'uplot';
import type { BandSpec, ChartSpec, MarkerSpec } from './chart-spec.js';

// The few browser globals used, declared for this module only: the project compiles against
// Node's types, and the DOM library would clash with them (its `performance`, for one).
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly clientWidth: number;
  readonly textContent: string | null;
  querySelector(selectors: string): PageElement | null;
  remove(): void;
}
declare const document: {
  readonly body: PageElement;
  getElementById(id: string): PageElement | null;
  querySelector(selectors: string): PageElement | null;
};
declare const window: { addEventListener(type: 'resize', listener: () => void): void };

/** Plot height in CSS pixels; the width follows the container. */
const CHART_HEIGHT = 300;

/** Tick spacings for counts: 1, 2, 5, 10, 20, 50... (no "0.5 requests"). */
const INTEGER_STEPS = [1, 2, 5].flatMap((step) => Array.from({ length: 10 }, (_, power) => step * 10 ** power)).sort((a, b) => a - b);

/** An HDR axis tick at x = n (n nines): 0 -> "0%", 1 -> "90%", 2 -> "99%", 3 -> "99.9%". */
export function hdrTickLabel(nines: number): string {
  if (nines <= 0) return '0%';
  if (nines === 1) return '90%';
  return `99${nines > 2 ? `.${'9'.repeat(nines - 2)}` : ''}%`;
}

/** The percentile at any point of the HDR axis, with as many decimals as its nines need. */
export function hdrPercentile(x: number): string {
  return `${(100 * (1 - 10 ** -x)).toFixed(Math.max(0, Math.ceil(x) - 2))}%`;
}

/** Width of a y axis that fits its longest tick label (the default cuts "12,000" short). */
export function axisSize(values: readonly string[] | null): number {
  const longest = values ? Math.max(0, ...values.map((value) => String(value).length)) : 0;
  return Math.max(40, longest * 7 + 24);
}

/** Shades each band over the plot's full height, under the lines (a drawClear hook). */
export function drawBands(u: uPlot, bands: readonly BandSpec[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  for (const band of bands) {
    const left = Math.max(bbox.left, u.valToPos(band.from, 'x', true));
    const right = Math.min(bbox.left + bbox.width, u.valToPos(band.to, 'x', true));
    if (right <= left) continue;
    ctx.fillStyle = band.color;
    ctx.fillRect(left, bbox.top, right - left, bbox.height);
  }
  ctx.restore();
}

/** A dashed vertical line per marker, labelled at the top on whichever side has room (a draw hook). */
export function drawMarkers(u: uPlot, markers: readonly MarkerSpec[], pxRatio: number): void {
  const { ctx, bbox } = u;
  ctx.save();
  for (const marker of markers) {
    const x = Math.round(u.valToPos(marker.x, 'x', true));
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    ctx.strokeStyle = marker.color;
    ctx.lineWidth = 2 * pxRatio;
    ctx.setLineDash([6 * pxRatio, 4 * pxRatio]);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.font = `bold ${12 * pxRatio}px system-ui, sans-serif`;
    // uPlot leaves its own alignment on the context after drawing axis values
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const gap = 6 * pxRatio;
    const width = ctx.measureText(marker.label).width;
    const left = x + gap + width <= bbox.left + bbox.width ? x + gap : x - gap - width;
    // a white box so the label stays readable over lines and bands
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(left - 2 * pxRatio, bbox.top + 2 * pxRatio, width + 4 * pxRatio, 16 * pxRatio);
    ctx.fillStyle = marker.color;
    ctx.fillText(marker.label, left, bbox.top + 4 * pxRatio);
  }
  ctx.restore();
}

export function chartOptions(spec: ChartSpec, width: number, uPlotClass: typeof uPlot): uPlot.Options {
  const hdr = spec.x.axis === 'hdr-percentile';
  const integersBetween = (min: number, max: number) => {
    const ticks: number[] = [];
    for (let n = Math.max(0, Math.ceil(min)); n <= max; n++) ticks.push(n);
    return ticks;
  };
  return {
    title: spec.title,
    width,
    height: CHART_HEIGHT,
    cursor: spec.sync ? { sync: { key: spec.sync } } : {},
    scales: {
      // an HDR axis ends just past its last point (the max), with room for the label of the last tick
      x: { time: false, range: (_u, min, max) => [spec.x.min ?? min, hdr ? Math.max(1, max * 1.04, max + 0.15) : max] },
      // rates and counts start at zero, so a dip is not exaggerated by the scale
      y: spec.y.log ? { distr: 3, log: 10 } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
    },
    axes: [
      hdr
        ? { label: spec.x.label, splits: (_u, _i, min, max) => integersBetween(min, max), values: (_u, splits) => splits.map(hdrTickLabel) }
        : { label: spec.x.label },
      { label: spec.y.label, size: (_u, values) => axisSize(values), ...(spec.y.integers ? { incrs: INTEGER_STEPS } : {}) },
    ],
    series: [
      hdr ? { label: spec.x.label, value: (_u, x) => (x === null ? '--' : hdrPercentile(x)) } : { label: spec.x.label },
      ...spec.series.map(
        (line): uPlot.Series => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          spanGaps: line.spanGaps,
          ...(line.dash ? { dash: [6, 4] } : {}),
          // a step ends at its x (align -1), and so does a gap (alignGaps -1); `extend` draws the first step back to the axis start
          ...(spec.stepped ? { paths: uPlotClass.paths.stepped!({ align: -1, alignGaps: -1, extend: true }) } : {}),
          ...(line.pointsOnly ? { paths: () => null, points: { show: true, size: 9, space: 0, fill: line.color } } : {}),
        }),
      ),
    ],
    hooks: {
      drawClear: [(u) => drawBands(u, spec.bands)],
      // pxRatio is read at each draw: it changes when the page is zoomed or moved to another screen
      draw: [(u) => drawMarkers(u, spec.markers, uPlotClass.pxRatio)],
    },
  };
}

/** The entry point: one uPlot per chart whose container is on the page, then the drawn count. */
export function drawCharts(uPlotClass: typeof uPlot): void {
  const specs = JSON.parse(document.getElementById('chart-data')?.textContent ?? '[]') as ChartSpec[];
  const drawn: Array<{ chart: uPlot; container: PageElement }> = [];
  for (const spec of specs) {
    const container = document.querySelector(`[data-chart="${spec.id}"]`);
    if (!container) continue;
    container.querySelector('.no-script')?.remove();
    const data = [spec.xs, ...spec.series.map((line) => line.values)] as uPlot.AlignedData;
    const chart = new uPlotClass(chartOptions(spec, container.clientWidth, uPlotClass), data, container);
    drawn.push({ chart, container });
  }
  window.addEventListener('resize', () => {
    for (const { chart, container } of drawn) chart.setSize({ width: container.clientWidth, height: CHART_HEIGHT });
  });
  // tests (and anyone scripting the page) wait for this
  document.body.dataset.chartsDrawn = String(drawn.length);
}

/** What `chartOptions` needs, in the order it is inlined. */
const CHART_FUNCTIONS = [hdrTickLabel, hdrPercentile, axisSize, drawBands, drawMarkers, chartOptions];

/**
 * `chartOptions` and what it calls, with its constants, as source text: the report's script and
 * the live dashboard's (engine/dashboard/) draw a ChartSpec the same way.
 */
export function chartOptionsSource(): string {
  const constants = [`const CHART_HEIGHT = ${CHART_HEIGHT};`, `const INTEGER_STEPS = ${JSON.stringify(INTEGER_STEPS)};`];
  return [...constants, ...CHART_FUNCTIONS.map((fn) => fn.toString())].join('\n\n');
}

/** The page's script: the functions above as source text, then the call that draws, in a scope of their own. */
export function clientScript(): string {
  const body = [chartOptionsSource(), drawCharts.toString(), 'drawCharts(uPlot);'];
  return `(function () {\n'use strict';\n${body.join('\n\n')}\n})();`;
}
