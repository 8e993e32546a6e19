/**
 * The HTML report: one self-contained page, opened offline, that fetches nothing. The chart
 * library, the page's script, its style and its data are all inside; a Content-Security-Policy
 * forbids every request besides, so a mistake here cannot quietly reach the network.
 * Pure, apart from reading the chart library once (chart-library.ts).
 */
import { chartLibrarySource } from './chart-library.js';
import type { BandKind, ChartSpec } from './chart-spec.js';
import { chartSpecs } from './charts.js';
import { clientScript } from './client.js';
import { escapeHtml, inlineSafe, jsonScript } from './escape.js';
import { renderPage } from './page-shell.js';
import type { HtmlReport } from './html-report.js';
import { PAGE_CSS } from './style.js';
import { endpointsTable, figuresTables, runTable, stepsTable } from './tables.js';
import { verdictsSection } from './verdicts.js';
import { count, fixed } from '../../../common/format.js';

export type { HtmlReport } from './html-report.js';

/**
 * Only the page's own inline scripts and styles may run, named by their hashes: no 'unsafe-inline',
 * so markup that a value ever slipped into the page could not run a script or an event handler.
 * data: images only for the empty icon, which keeps a browser from asking a server for /favicon.ico.
 */
/** Terminal colours, should the text summary have been captured from a terminal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what an ANSI colour sequence starts with
const ANSI = /\x1b\[[0-9;]*m/g;

function heading(report: HtmlReport): { title: string; subtitle: string } {
  const title =
    report.mode === 'ramp' ? 'Stress test' : report.drift !== undefined || report.outages !== undefined ? 'Endurance test' : 'Load test';
  const load =
    report.mode === 'clients'
      ? `closed loop, ${report.run?.clients === undefined ? '' : `${count(report.run.clients)} clients, `}`
      : report.mode === 'rate'
        ? `open loop, ${count(report.throughput.offered)} req/s, `
        : 'open loop, ramp, ';
  const started = report.run ? `started ${report.run.startedAt}, ` : '';
  const subtitle = `${load}${started}${fixed(report.durationS, 1)} s, ${report.workers} worker${report.workers === 1 ? '' : 's'}${report.interrupted ? ' (interrupted)' : ''}`;
  return { title, subtitle };
}

/** What the shading and lines of a chart mean, for the kinds it has. */
const KEY: Record<BandKind | 'marker', string> = {
  broke: 'broke: the server did not hold this rate',
  'generator-limited': 'generator-limited: this machine, not the server, was the limit',
  outage: 'outage',
  marker: 'breaking point: the highest rate that held',
};

function chartKey(charts: readonly ChartSpec[]): string {
  const kinds = new Set<BandKind | 'marker'>(charts.flatMap((chart) => chart.bands.map((band) => band.kind)));
  if (charts.some((chart) => chart.markers.length > 0)) kinds.add('marker');
  if (kinds.size === 0) return '';
  const items = (Object.keys(KEY) as Array<keyof typeof KEY>).filter((kind) => kinds.has(kind));
  return `<ul class="key">${items.map((kind) => `<li><span class="swatch ${kind}"></span>${KEY[kind]}</li>`).join('')}</ul>`;
}

function chartBox(ids: ReadonlySet<string>, id: string): string {
  if (!ids.has(id)) return '';
  return `<figure class="chart" id="chart-${id}" data-chart="${id}"><p class="no-script">(chart: needs JavaScript; the table below has the figures)</p></figure>`;
}

function rampSection(report: HtmlReport, charts: readonly ChartSpec[], ids: ReadonlySet<string>): string {
  if (!report.steps || report.steps.length === 0) return '';
  return (
    '<section id="ramp"><h2>Steps of the ramp</h2>' +
    chartKey(charts.filter((chart) => chart.id.startsWith('ramp-'))) +
    chartBox(ids, 'ramp-throughput') +
    chartBox(ids, 'ramp-latency') +
    stepsTable(report.steps, report.refineSteps ?? []) +
    '</section>'
  );
}

function timeSection(report: HtmlReport, charts: readonly ChartSpec[], ids: ReadonlySet<string>): string {
  if (report.intervals.length === 0) return '';
  return (
    `<section id="over-time"><h2>Over time</h2>${chartKey(charts.filter((chart) => chart.id.startsWith('time-')))}` +
    chartBox(ids, 'time-throughput') +
    chartBox(ids, 'time-latency') +
    chartBox(ids, 'time-errors') +
    '</section>'
  );
}

function distributionSection(ids: ReadonlySet<string>): string {
  if (!ids.has('latency-distribution')) return '';
  return (
    '<section id="distribution"><h2>Latency distribution</h2>' +
    '<p>Each step right is ten times rarer: 90%, 99%, 99.9%... Latency counts from when a request was due; service time from when it was sent.</p>' +
    chartBox(ids, 'latency-distribution') +
    '</section>'
  );
}

function endpointsSection(report: HtmlReport, ids: ReadonlySet<string>): string {
  if (!report.endpoints || report.endpoints.length === 0) return '';
  return `<section id="endpoints-section"><h2>Endpoints</h2>${chartBox(ids, 'endpoint-latency')}${endpointsTable(report)}</section>`;
}

function runSection(report: HtmlReport): string {
  return (
    '<section id="run"><h2>Run</h2>' +
    figuresTables(report) +
    (report.run ? runTable(report.run) : '') +
    (report.text ? `<pre id="text-summary">${escapeHtml(report.text.replace(ANSI, ''))}</pre>` : '') +
    '</section>'
  );
}

export function renderHtml(report: HtmlReport): string {
  const charts = chartSpecs(report);
  const ids = new Set(charts.map((chart) => chart.id));
  const library = chartLibrarySource();
  const { title, subtitle } = heading(report);
  const scripts = [inlineSafe(library.js, 'script'), inlineSafe(clientScript(), 'script')];
  const styles = [inlineSafe(library.css, 'style'), PAGE_CSS];
  return renderPage({
    title: `${title}: ${report.target}`,
    styles,
    scripts,
    connectSelf: false,
    main: `<header><h1>${escapeHtml(title)}</h1><p class="subtitle" id="target">${escapeHtml(report.target)}</p><p class="subtitle">${escapeHtml(subtitle)}</p></header>
${verdictsSection(report)}
${rampSection(report, charts, ids)}
${timeSection(report, charts, ids)}
${distributionSection(ids)}
${endpointsSection(report, ids)}
${runSection(report)}
<footer>Charts drawn with ${library.name} ${escapeHtml(library.version)} (MIT License), inlined in this file: it makes no network requests.</footer>`,
    data: `${jsonScript('report-data', report)}\n${jsonScript('chart-data', charts)}`,
  });
}
