/** The HTML report as text: self-contained, escaped, its data intact, its sections where they belong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartLibrarySource } from '../../engine/report/html/chart-library.js';
import { chartSpecs } from '../../engine/report/html/charts.js';
import { escapeHtml, inlineSafe, jsonScript } from '../../engine/report/html/escape.js';
import { renderHtml, type HtmlReport } from '../../engine/report/html/html.js';
import { FIXTURES, loadFixture } from '../helpers/fixtures.js';

function jsonData(html: string, id: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${id}">([^<]*)</script>`).exec(html);
  assert.ok(match, `a JSON script element #${id}`);
  return JSON.parse(match[1]!);
}

/** The page without the inlined chart library and the JSON data: what the page itself says and loads. */
function ownMarkup(html: string): string {
  return html.replace(chartLibrarySource().js, '').replace(/<script type="application\/json" id="[a-z-]+">[^<]*<\/script>/g, '');
}

for (const name of FIXTURES) {
  test(`${name}: nothing on the page would be fetched; the only URL is the target, as escaped text`, () => {
    const report = loadFixture(name);
    const html = renderHtml(report);
    const own = ownMarkup(html);
    assert.doesNotMatch(own, /\ssrc\s*=/i, 'no src attribute at all');
    for (const match of own.matchAll(/\shref\s*=\s*"([^"]*)"/gi)) assert.match(match[1]!, /^data:/, 'href only to inline data');
    assert.doesNotMatch(own, /url\(|@import/i, 'no CSS fetches');
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    const urls = [...own.matchAll(/https?:\/\/[^\s<>"']*/g)].map((match) => match[0]);
    assert.ok(urls.length > 0, 'the target is on the page');
    for (const url of urls) assert.equal(url, escapeHtml(report.target));
  });

  test(`${name}: uPlot is inlined, and the data round-trips through the page`, () => {
    const report = loadFixture(name);
    const html = renderHtml(report);
    const library = chartLibrarySource();
    assert.ok(html.includes(`<script>${library.js}</script>`), "uPlot's code, inline");
    assert.ok(html.includes(library.css), "uPlot's style, inline");
    assert.deepEqual(jsonData(html, 'report-data'), report);
    assert.deepEqual(jsonData(html, 'chart-data'), chartSpecs(report));
    for (const chart of chartSpecs(report)) assert.ok(html.includes(`data-chart="${chart.id}"`), `a container for ${chart.id}`);
    assert.equal(
      [...html.matchAll(/<figure class="chart" [^>]*data-chart="/g)].length,
      chartSpecs(report).length,
      'one container per chart',
    );
  });
}

test('a target URL with </script> and markup in it stays text and data', () => {
  const report: HtmlReport = { ...loadFixture('report-ramp'), target: 'http://evil.test/</script><script>alert(1)</script><!--&"\'' };
  const html = renderHtml(report);
  assert.ok(!html.includes('<script>alert(1)'), 'no script element of the attacker');
  assert.equal([...html.matchAll(/<script[\s>]/g)].length, 4, "two JSON elements, uPlot, the page's script");
  assert.equal([...html.matchAll(/<\/script>/g)].length, 4);
  assert.ok(html.includes(escapeHtml(report.target)), 'shown as escaped text');
  assert.equal((jsonData(html, 'report-data') as HtmlReport).target, report.target);
});

test('sections follow the data: a load test has no ramp, drift or outages', () => {
  const html = renderHtml(loadFixture('report-load'));
  for (const id of ['verdicts', 'over-time', 'distribution', 'run', 'run-parameters', 'text-summary'])
    assert.match(html, new RegExp(`id="${id}"`), id);
  for (const id of ['ramp', 'breaking-point', 'drift', 'outages']) assert.doesNotMatch(html, new RegExp(`id="${id}"`), id);
  assert.match(html, /<h1>Load test<\/h1>/);
});

test('sections come in order: verdicts, ramp, over time, distribution, run', () => {
  const html = renderHtml(loadFixture('report-ramp'));
  const at = ['verdicts', 'ramp', 'over-time', 'distribution', 'run'].map((id) => html.indexOf(`<section id="${id}">`));
  assert.ok(
    at.every((index) => index > 0),
    String(at),
  );
  assert.deepEqual(
    [...at].sort((a, b) => a - b),
    at,
  );
});

test('a ramp leads with its breaking point, and its steps table says which steps broke and why', () => {
  const report = loadFixture('report-ramp');
  const html = renderHtml(report);
  assert.match(
    html,
    /<div class="headline broke" id="breaking-point"><div class="big">Breaking point ~3,313 req\/s<\/div><div>3,375 req\/s broke: errors 1\.4% &gt; 1\.0% \(refined to within 2%\)<\/div>/,
  );
  assert.ok(html.includes(escapeHtml(report.verdicts![1]!)), 'the verdict line of the text report');
  assert.match(html, /<tr class="generator-limited"><td>8<\/td>/);
  assert.match(html, /<tr class="broke"><td>refine<\/td><td>3,375<\/td>/);
  assert.match(html, /generator-limited: this machine, not the server, was the limit/);
});

test('an endurance run shows its drift and outages', () => {
  const html = renderHtml(loadFixture('report-endurance'));
  assert.match(html, /<h1>Endurance test<\/h1>/);
  assert.match(html, /<div class="drift degrading" id="drift"><strong>Drift: degrading<\/strong>/);
  assert.match(html, /<table id="outages">.*<tr><td>400\.0<\/td><td>415\.0<\/td><td>15\.0<\/td><td>15,000<\/td><td>5\.0<\/td><\/tr>/s);
  assert.match(html, /loadbox-1\.example\.test, loadbox-2\.example\.test/);
});

test('an older summary renders: verdicts recomputed, absent sections left out', () => {
  const html = renderHtml(loadFixture('legacy-ramp'));
  assert.match(html, /<li>Generator: kept up \(scheduler lag p99 2\.26 ms, max 5\.22 ms\)<\/li>/);
  assert.match(html, /<li>No breaking point: the server held every step up to 3,000 req\/s<\/li>/);
  for (const id of ['distribution', 'run-parameters', 'text-summary', 'drift', 'outages'])
    assert.doesNotMatch(html, new RegExp(`id="${id}"`), id);
  assert.doesNotMatch(html, /class="key"/, 'every step held: nothing shaded, no key');
});

test("the generator's own delay is shown beside its lag: in the verdict, the latency table and every step", () => {
  const saved = loadFixture('report-ramp');
  const delay = { loopP99: 1.2, loopMax: 7.5, gcPauseTotal: 40.25, gcPauseMax: 3.5 };
  const steps = saved.steps!.map((step, i) => ({ ...step, generatorDelayMs: { ...delay, loopP99: 1 + i } }));
  // without the saved verdicts, the page decides the Generator line as the text report does
  const html = renderHtml({ ...saved, verdicts: undefined, generatorDelayMs: delay, steps });
  assert.match(
    html,
    /<li>Generator: could NOT keep up: scheduler lag p99 10\.9 ms &gt; 5 ms \(--max-lag\); figures are bounded by this machine, add workers or load boxes \(event loop delay p99 1\.20 ms, max 7\.50 ms; GC pauses 40\.3 ms in all, longest 3\.50 ms\)<\/li>/,
  );
  assert.match(
    html,
    /<tr><td>event loop delay<\/td><td><\/td><td><\/td><td><\/td><td>1\.20 ms<\/td><td><\/td><td>7\.50 ms<\/td><td><\/td><\/tr>/,
  );
  assert.match(html, /<tr><td>GC pauses<\/td>(<td><\/td>){5}<td>3\.50 ms<\/td><td><\/td><\/tr>/);
  assert.match(html, /GC pauses in all: 40\.3 ms \(summed over workers\)/);
  assert.match(html, /<th>lag p99<\/th><th>loop delay p99<\/th>/);
  assert.match(html, /<tr class="generator-limited"><td>8<\/td>(<td>[^<]*<\/td>){8}<td>10\.5 ms<\/td><td>8\.00 ms<\/td>/);
  // a summary saved before the delay was measured: no rows for it, n/a in the steps
  const older = renderHtml(saved);
  assert.doesNotMatch(older, /event loop delay<\/td>/);
  assert.match(older, /<tr class="generator-limited"><td>8<\/td>(<td>[^<]*<\/td>){8}<td>10\.5 ms<\/td><td>n\/a<\/td>/);
});

test('text from a terminal loses its colour codes', () => {
  const html = renderHtml({ ...loadFixture('report-load'), text: '\x1b[31mred\x1b[0m <b>' });
  assert.match(html, /<pre id="text-summary">red &lt;b&gt;<\/pre>/);
});

test('escaping: markup characters, JSON that cannot end its element, code that cannot be inlined', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const script = jsonScript('d', { s: '</script><!-- <b>' });
  assert.equal(script, '<script type="application/json" id="d">{"s":"\\u003c/script>\\u003c!-- \\u003cb>"}</script>');
  assert.deepEqual(JSON.parse(script.slice(script.indexOf('>') + 1, -'</script>'.length)), { s: '</script><!-- <b>' });
  assert.throws(() => inlineSafe('let s = "</SCRIPT>"', 'script'), /cannot inline/);
  assert.throws(() => inlineSafe('a { } </style>', 'style'), /cannot inline/);
  assert.equal(inlineSafe('if (a < b) x()', 'script'), 'if (a < b) x()');
});
