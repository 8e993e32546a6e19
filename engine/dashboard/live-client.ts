/**
 * The live page's own script: it listens to the run's events and draws each chart spec with the
 * report's `chartOptions`, then loads the final report when the run ends. These functions run in
 * the browser, not in Node: `liveScript()` inlines their source text, so each may use only browser
 * globals, its arguments, the other functions inlined and those of `chartOptionsSource()`. Every
 * value reaches the page as text (`textContent`), never as markup.
 */
import type uPlot from 'uplot';
import type { ChartSpec } from '../report/html/chart-spec.js';
import { chartOptionsSource } from '../report/html/client.js';
import type { LiveUpdate } from './live-view.js';

// The few browser globals used, declared for this module only (the project compiles against
// Node's types, whose globals the DOM library would clash with).
interface PageElement {
  readonly dataset: Record<string, string | undefined>;
  readonly clientWidth: number;
  textContent: string | null;
  className: string;
  appendChild(child: PageElement): void;
  replaceChildren(...children: PageElement[]): void;
  setAttribute(name: string, value: string): void;
}
declare const document: {
  readonly body: PageElement;
  getElementById(id: string): PageElement | null;
  createElement(tag: string): PageElement;
};
declare const window: { addEventListener(type: 'resize', listener: () => void): void };
declare const location: { replace(url: string): void };
declare class EventSource {
  constructor(url: string);
  addEventListener(type: string, listener: (event: { data: string }) => void): void;
  close(): void;
}
declare function chartOptions(spec: ChartSpec, width: number, uPlotClass: typeof uPlot): uPlot.Options;
declare const CHART_HEIGHT: number;

/** A figure as the report prints it: 12,345. */
export function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Puts `text` in the element of that id, as text. */
export function setText(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

/** The figures above the charts, the verdicts decided so far and the ramp's headline. */
export function showFigures(update: LiveUpdate): void {
  setText('live-elapsed', `${update.elapsedS.toFixed(1)} s`);
  setText('live-requests', grouped(update.totals.requests));
  setText('live-errors', grouped(update.totals.failure + update.totals.dropped));
  setText('live-achieved', `${grouped(update.latest.achieved)}/s`);
  setText('live-p99', update.latest.p99 === null ? 'n/a' : `${update.latest.p99.toFixed(2)} ms`);
  setText('live-headline', update.headline ?? '');
  const list = document.getElementById('live-verdicts');
  if (list)
    list.replaceChildren(
      ...update.verdicts.map((line) => {
        const item = document.createElement('li');
        item.textContent = line;
        return item;
      }),
    );
}

/**
 * Draws every chart of an update: new data into a chart whose series, bands and markers are
 * unchanged (its cursor and size kept), a new chart otherwise (a new error class, an outage, the
 * breaking point found). Containers are made as specs first appear, in the report's order.
 */
export function drawUpdate(
  uPlotClass: typeof uPlot,
  drawn: Map<string, { chart: uPlot; key: string; container: PageElement }>,
  specs: readonly ChartSpec[],
): void {
  for (const spec of specs) {
    const key = JSON.stringify([spec.title, spec.series.map((line) => [line.label, line.pointsOnly]), spec.bands, spec.markers]);
    const data = [spec.xs, ...spec.series.map((line) => line.values)] as uPlot.AlignedData;
    const entry = drawn.get(spec.id);
    if (entry && entry.key === key) {
      entry.chart.setData(data);
      continue;
    }
    let container = entry?.container;
    if (entry) entry.chart.destroy();
    if (!container) {
      container = document.createElement('figure');
      container.className = 'chart';
      container.setAttribute('data-chart', spec.id);
      document.getElementById(spec.id.startsWith('ramp-') ? 'live-ramp' : 'live-time')?.appendChild(container);
    }
    const chart = new uPlotClass(chartOptions(spec, container.clientWidth, uPlotClass), data, container);
    drawn.set(spec.id, { chart, key, container });
  }
  // tests (and anyone scripting the page) read these
  document.body.dataset.chartsDrawn = String(drawn.size);
  document.body.dataset.livePoints = String(specs.find((spec) => spec.id === 'time-throughput')?.xs.length ?? 0);
}

/** The entry point: follows the run's events until the final report replaces the page. */
export function followRun(uPlotClass: typeof uPlot): void {
  const drawn = new Map<string, { chart: uPlot; key: string; container: PageElement }>();
  let updates = 0;
  const source = new EventSource('events');
  source.addEventListener('update', (event) => {
    const update = JSON.parse(event.data) as LiveUpdate;
    showFigures(update);
    drawUpdate(uPlotClass, drawn, update.charts);
    document.body.dataset.liveUpdates = String(++updates);
  });
  source.addEventListener('final', (event) => {
    source.close();
    setText('live-status', 'The run has ended: loading its report.');
    location.replace((JSON.parse(event.data) as { report: string }).report);
  });
  window.addEventListener('resize', () => {
    for (const { chart, container } of drawn.values()) chart.setSize({ width: container.clientWidth, height: CHART_HEIGHT });
  });
}

const LIVE_FUNCTIONS = [grouped, setText, showFigures, drawUpdate, followRun];

/** The page's script: the report's chart options and the functions above, in a scope of their own. */
export function liveScript(): string {
  const body = [chartOptionsSource(), ...LIVE_FUNCTIONS.map((fn) => fn.toString()), 'followRun(uPlot);'];
  return `(function () {\n'use strict';\n${body.join('\n\n')}\n})();`;
}
