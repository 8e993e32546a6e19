/**
 * The charts of the HTML report as plain data: what Node prepares (html-charts.ts) and the page's
 * script draws (html-client.ts). Keeping every decision (series, colours, bands) on the Node side
 * leaves the browser code generic and the decisions testable without a browser.
 */
import type { ErrorClass } from '../../measure/snapshot.js';

/** Colours, shared by the canvas and the page's CSS so a legend swatch matches what it names. */
export const COLORS = {
  achieved: '#0072b2',
  offered: '#8a8a8a',
  p50: '#009e73',
  p90: '#e69f00',
  p99: '#d55e00',
  max: '#9b4f96',
  latency: '#0072b2',
  service: '#009e73',
  marker: '#b00020',
  // translucent, drawn under the lines
  bandBroke: 'rgba(213, 94, 0, 0.16)',
  bandGenerator: 'rgba(110, 110, 140, 0.22)',
  bandOutage: 'rgba(176, 0, 32, 0.13)',
} as const;

/** One colour per error class (and drops), distinct from each other on white; a new class must have one. */
export const ERROR_COLORS: Record<ErrorClass | 'failures' | 'dropped', string> = {
  refused: '#d55e00',
  reset: '#9b4f96',
  timeout: '#e69f00',
  tls: '#cc79a7',
  http: '#0072b2',
  protocol: '#56b4e9',
  'too-large': '#3b7d23',
  generator: '#6e6e8c',
  interrupted: '#222222',
  other: '#8c6d00',
  failures: '#d55e00',
  dropped: '#8a8a8a',
};

export type BandKind = 'broke' | 'generator-limited' | 'outage';

export const BAND_COLORS: Record<BandKind, string> = {
  broke: COLORS.bandBroke,
  'generator-limited': COLORS.bandGenerator,
  outage: COLORS.bandOutage,
};

/** A shaded stretch of the x axis, in x units. */
export interface BandSpec {
  from: number;
  to: number;
  kind: BandKind;
  color: string;
}

/** A labelled vertical line, in x units. */
export interface MarkerSpec {
  x: number;
  label: string;
  color: string;
}

export interface SeriesSpec {
  label: string;
  color: string;
  /** one per x; null where there is nothing to show (a gap) */
  values: Array<number | null>;
  dash: boolean;
  /** points without a connecting line */
  pointsOnly: boolean;
  /** draw the line across nulls: for series that simply have no value at another series' x */
  spanGaps: boolean;
}

export interface ChartSpec {
  /** the container's data-chart attribute, stable for tests and links */
  id: string;
  title: string;
  /**
   * `hdr-percentile`: x is log10(1 / (1 - p)), labelled 0%, 90%, 99%, 99.9%...
   * `min`: where the axis starts when that is left of the first x (the start of the first interval).
   */
  x: { label: string; axis: 'linear' | 'hdr-percentile'; min: number | null };
  /** `integers`: the values are counts, so ticks fall on whole numbers */
  y: { label: string; log: boolean; integers: boolean };
  /** ascending */
  xs: number[];
  series: SeriesSpec[];
  bands: BandSpec[];
  markers: MarkerSpec[];
  /**
   * Each value covers the stretch from the previous x up to its own (an interval stamped with its
   * end): drawn as steps, so a 5 s outage is 5 s wide on the chart, not a slope.
   */
  stepped: boolean;
  /** charts with the same key share a cursor (the over-time charts) */
  sync: string | null;
}

/** A series with the common defaults: a solid connected line. */
export function series(
  label: string,
  color: string,
  values: Array<number | null>,
  options: Partial<Pick<SeriesSpec, 'dash' | 'pointsOnly' | 'spanGaps'>> = {},
): SeriesSpec {
  return { label, color, values, dash: false, pointsOnly: false, spanGaps: false, ...options };
}
