/**
 * The HTML report in a real browser (Debian's Chromium): it opens from a file, requests nothing,
 * logs no error, draws every chart, and shows a ramp's breaking point and its two kinds of band.
 * A screenshot of each page goes to test-output/ for a human to look at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BAND_COLORS, COLORS } from '../../engine/report/html/chart-spec.js';
import { renderHtml, type HtmlReport } from '../../engine/report/html/html.js';
import { CONTENTION_MAX_LAG, runStress } from '../helpers/stress-cli.js';
import { assertInvariants } from '../helpers/invariants.js';
import type { Summary } from '../../engine/summary/summary.js';
import { launchChromium, type Chromium } from '../helpers/browser.js';
import { loadFixture, type FixtureName } from '../helpers/fixtures.js';

const OUTPUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));

interface ChartPixels {
  id: string;
  width: number;
  height: number;
  /** saturated pixels: the coloured lines and points (axes, grid and text are grey) */
  coloured: number;
  /** pixels of each probed colour, by name */
  probes: Record<string, number>;
}

type Rgba = [number, number, number, number];

/** `#rrggbb` or `rgba(r, g, b, a)` as canvas bytes (alpha 0..255). */
function rgba(color: string): Rgba {
  if (color.startsWith('#')) return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)).concat(255) as Rgba;
  const [r, g, b, a] = color
    .replace(/[^\d.,]/g, '')
    .split(',')
    .map(Number);
  return [r!, g!, b!, Math.round(a! * 255)];
}

/**
 * Reads back every chart's canvas in the page: how many saturated pixels (lines drawn), and how
 * many pixels match each probe colour (a band is translucent: its pixels keep its own alpha).
 */
function pixelsScript(probes: Record<string, Rgba>): string {
  return `(() => {
    const probes = ${JSON.stringify(probes)};
    return [...document.querySelectorAll('[data-chart]')].map((container) => {
      const canvas = container.querySelector('canvas');
      if (!canvas) return { id: container.dataset.chart, width: 0, height: 0, coloured: 0, probes: {} };
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const counts = Object.fromEntries(Object.keys(probes).map((name) => [name, 0]));
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a === 0) continue;
        if (a > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
        for (const [name, [pr, pg, pb, pa]] of Object.entries(probes)) {
          if (Math.abs(r - pr) <= 12 && Math.abs(g - pg) <= 12 && Math.abs(b - pb) <= 12 && Math.abs(a - pa) <= 12) counts[name]++;
        }
      }
      return { id: container.dataset.chart, width: canvas.width, height: canvas.height, coloured, probes: counts };
    });
  })()`;
}

const PROBES = {
  marker: rgba(COLORS.marker),
  broke: rgba(BAND_COLORS.broke),
  generator: rgba(BAND_COLORS['generator-limited']),
  outage: rgba(BAND_COLORS.outage),
};

let chromium: Chromium;
let dir: string;

before(async () => {
  chromium = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'stress-html-'));
  await mkdir(OUTPUT_DIR, { recursive: true });
});

after(async () => {
  await chromium?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens the fixture's report from a file; everything the page did along the way is returned. */
async function openReport(name: FixtureName) {
  const path = join(dir, `${name}.html`);
  await writeFile(path, renderHtml(loadFixture(name)));
  return openHtmlFile(path, name);
}

/** Opens an HTML report file; everything the page did along the way is returned. */
async function openHtmlFile(path: string, name: string) {
  const url = pathToFileURL(path).href;
  const page = await chromium.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
  await page.waitForFunction('document.body.dataset.chartsDrawn !== undefined', null, { timeout: 10_000 });
  const drawn = Number(await page.evaluate('document.body.dataset.chartsDrawn'));
  const charts = (await page.evaluate(pixelsScript(PROBES))) as ChartPixels[];
  await page.screenshot({ path: join(OUTPUT_DIR, `report-html-${name}.png`), fullPage: true });
  return { page, url, requests, errors, drawn, charts };
}

/**
 * The charts the README promises, by their ids on the page, written out here rather than taken
 * from the code that draws them: over time (throughput, latency, errors by class) and the latency
 * distribution for every run, the ramp's two charts before them for a ramp.
 */
const OVER_TIME = ['time-throughput', 'time-latency', 'time-errors'];
const STEADY_CHARTS = [...OVER_TIME, 'latency-distribution'];
const RAMP_CHARTS = ['ramp-throughput', 'ramp-latency', ...STEADY_CHARTS];

function assertDrawn(expected: readonly string[], opened: Awaited<ReturnType<typeof openReport>>): void {
  assert.deepEqual(opened.requests, [opened.url], 'the page itself, and no other request');
  assert.deepEqual(opened.errors, [], 'no error or warning in the console');
  assert.equal(opened.drawn, expected.length, 'every chart drawn');
  assert.deepEqual(
    opened.charts.map((chart) => chart.id),
    expected,
  );
  for (const chart of opened.charts) {
    assert.ok(chart.width >= 600 && chart.height >= 250, `${chart.id}: a canvas of ${chart.width}x${chart.height}`);
    assert.ok(chart.coloured > 300, `${chart.id}: lines drawn (${chart.coloured} coloured pixels)`);
  }
}

const byId = (charts: readonly ChartPixels[], id: string) => charts.find((chart) => chart.id === id)!;

test('load test report: opens offline, draws every chart', async () => {
  const opened = await openReport('report-load');
  assertDrawn(STEADY_CHARTS, opened);
  assert.equal(byId(opened.charts, 'time-throughput').probes.outage, 0, 'no outage band without an outage');
  await opened.page.close();
});

test('ramp report: breaking point in text and as a marker; broke and generator-limited bands apart', async () => {
  const opened = await openReport('report-ramp');
  assertDrawn(RAMP_CHARTS, opened);
  const headline = opened.page.locator('#breaking-point');
  assert.ok(await headline.isVisible(), 'breaking point headline visible');
  assert.match(await headline.innerText(), /Breaking point ~3,313 req\/s/);
  for (const id of ['ramp-throughput', 'ramp-latency']) {
    const { probes } = byId(opened.charts, id);
    assert.ok(probes.marker! > 100, `${id}: breaking point line (${probes.marker} px)`);
    assert.ok(probes.broke! > 1000, `${id}: bands of steps that broke (${probes.broke} px)`);
    assert.ok(probes.generator! > 1000, `${id}: bands of generator-limited steps (${probes.generator} px)`);
  }
  await opened.page.close();
});

test('endurance report: the outage is shaded on the charts over time', async () => {
  const opened = await openReport('report-endurance');
  assertDrawn(STEADY_CHARTS, opened);
  for (const id of ['time-throughput', 'time-latency', 'time-errors']) {
    assert.ok(byId(opened.charts, id).probes.outage! > 500, `${id}: outage band`);
  }
  assert.ok(await opened.page.locator('#drift').isVisible());
  await opened.page.close();
});

test('a summary from before the report fields draws what it has', async () => {
  const opened = await openReport('legacy-ramp');
  // it has no percentile distribution: every other chart
  assertDrawn(['ramp-throughput', 'ramp-latency', ...OVER_TIME], opened);
  await opened.page.close();
});

test('a real short ramp: the page stress wrote draws every chart and shows the breaking point; `stress report` rebuilds it byte for byte', async () => {
  const html = join(dir, 'real-ramp.html');
  const json = join(dir, 'real-ramp.json');
  // the bundled target serves at most 1,500 req/s: the ramp breaks at its third or fourth step.
  // Target, generator and test share 2 cores here, so a few ms of scheduler lag is contention,
  // not this test's subject: --max-lag keeps it from ending the ramp as generator-limited.
  const run = await runStress(
    [
      '--ramp',
      '500:2500',
      '--steps',
      '5',
      '--step',
      '1s',
      '--warmup',
      '500ms',
      '--bundled',
      'capacity=1500',
      '--bundled',
      'queue=100',
      '--timeout',
      '500ms',
      '--max-lag',
      CONTENTION_MAX_LAG,
      '--quiet',
      '--html',
      html,
      '--out',
      json,
    ],
    60_000,
  );
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(await readFile(json, 'utf8')) as HtmlReport;
  assertInvariants(report as unknown as Summary);
  assert.notEqual(report.breakingPoint, null, `the ramp broke: ${JSON.stringify(report.rampOutcome)}`);
  const opened = await openHtmlFile(html, 'real-ramp');
  assertDrawn(RAMP_CHARTS, opened);
  const headline = opened.page.locator('#breaking-point');
  assert.ok(await headline.isVisible(), 'breaking point headline visible');
  assert.match(await headline.innerText(), /Breaking point/);
  await opened.page.close();

  const rebuilt = join(dir, 'rebuilt.html');
  const rebuild = await runStress(['report', json, '--html', rebuilt], 30_000);
  assert.equal(rebuild.code, 0, rebuild.stderr);
  assert.equal(await readFile(rebuilt, 'utf8'), await readFile(html, 'utf8'), 'the same page from the saved JSON');
});

/** Markup that runs a script if any of it reaches the page unescaped, in an attribute or in text. */
const PAYLOAD = `"'><img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;

/** Every string of `value` replaced by the payload, recursively (keys stay). */
function poisoned(value: unknown): unknown {
  if (typeof value === 'string') return PAYLOAD;
  if (Array.isArray(value)) return value.map(poisoned);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, poisoned(v)]));
  return value;
}

test('a saved report whose every string is a script payload: rendered, opened, and no script of it runs', async () => {
  for (const name of ['report-ramp', 'report-endurance'] as const) {
    // a load box controls a failure's worker index: a string where a number belongs
    const failures = [{ workerIndex: PAYLOAD, atS: 1, message: PAYLOAD }];
    const report = { ...(poisoned(loadFixture(name)) as object), workerFailures: failures } as unknown as HtmlReport;
    const path = join(dir, `poisoned-${name}.html`);
    await writeFile(path, renderHtml(report));
    const page = await chromium.context.newPage();
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load', timeout: 10_000 });
    await page.waitForTimeout(300);
    assert.notEqual(await page.title(), 'pwned', `${name}: a payload ran`);
    assert.equal(await page.evaluate('document.querySelectorAll("img").length'), 0, `${name}: markup of a payload reached the page`);
    assert.ok((await page.locator('body').innerText()).includes(`<img src=x onerror=`), `${name}: the payload is shown as text`);
    await page.close();
  }
});

test("the page's Content-Security-Policy names its own scripts by hash: no 'unsafe-inline'", async () => {
  const html = renderHtml(loadFixture('report-load'));
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.doesNotMatch(policy, /unsafe-inline/);
  assert.match(policy, /script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/);
  // a script added to the page by any other way is refused by the browser
  const path = join(dir, 'extra-script.html');
  await writeFile(path, html.replace('</main>', `</main><script>document.title='pwned'</script>`));
  const page = await chromium.context.newPage();
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load', timeout: 10_000 });
  assert.notEqual(await page.title(), 'pwned');
  await page.close();
});
