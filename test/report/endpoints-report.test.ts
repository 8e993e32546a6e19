/**
 * A request mix in the reports: the saved summary's `endpoints` checked by `stress report`
 * (bounded, names as the targets file allows them), the HTML page's table and latency chart of
 * the endpoints (every value escaped), and the text summary's table. Pure: no run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSavedReport } from '../../engine/report/saved-report-check.js';
import { chartSpecs } from '../../engine/report/html/charts.js';
import { renderHtml, type HtmlReport } from '../../engine/report/html/html.js';
import { endpointLines } from '../../engine/report/text/endpoints-text.js';
import type { EndpointSummary } from '../../engine/summary/endpoint-summary.js';
import { MAX_ENDPOINTS } from '../../engine/plan/targets-plan.js';
import { loadFixture } from '../helpers/fixtures.js';

const ENDPOINTS: EndpointSummary[] = [
  { name: 'home', requests: 100, success: 100, failure: 0, errors: {}, latencyMs: { p50: 1.5, p90: 2, p99: 3.25, max: 4 }, bytes: 1700 },
  {
    name: 'checkout',
    requests: 700,
    success: 690,
    failure: 10,
    errors: { timeout: 7, http: 3 },
    latencyMs: { p50: 10, p90: 20, p99: 250, max: 900 },
    bytes: 11730,
  },
  { name: 'idle', requests: 0, success: 0, failure: 0, errors: {}, latencyMs: { p50: null, p90: null, p99: null, max: null }, bytes: 0 },
];

function withEndpoints(endpoints: unknown): Record<string, unknown> {
  return { ...(loadFixture('report-load') as unknown as Record<string, unknown>), endpoints };
}

test('a saved summary with endpoints is accepted; endpoints of the wrong kind, or too many, are refused naming the field', () => {
  assert.equal(typeof checkSavedReport(withEndpoints(ENDPOINTS)), 'object');
  assert.equal(typeof checkSavedReport(loadFixture('report-load')), 'object', 'a summary without a mix still passes');
  const cases: Array<{ endpoints: unknown; reason: RegExp }> = [
    { endpoints: [{ ...ENDPOINTS[0], name: '<script>' }], reason: /^endpoints\[0\]\.name is not an endpoint name/ },
    { endpoints: [{ ...ENDPOINTS[0], requests: 'many' }], reason: /^endpoints\[0\]\.requests is "many", not a number/ },
    { endpoints: [{ ...ENDPOINTS[0], latencyMs: { p50: 1 } }], reason: /^endpoints\[0\]\.latencyMs\.p90 is missing/ },
    { endpoints: { home: 1 }, reason: /^endpoints is .*, not a list/ },
    {
      endpoints: Array.from({ length: MAX_ENDPOINTS + 1 }, (_, i) => ({ ...ENDPOINTS[0], name: `e${i}` })),
      reason: new RegExp(`^endpoints has ${MAX_ENDPOINTS + 1} items, more than ${MAX_ENDPOINTS}$`),
    },
  ];
  for (const { endpoints, reason } of cases) {
    const result = checkSavedReport(withEndpoints(endpoints));
    assert.equal(typeof result, 'string', JSON.stringify(endpoints).slice(0, 80));
    assert.match(result as string, reason);
  }
});

test('the HTML page has a table and a latency chart of the endpoints, numbered alike, its values escaped', () => {
  const report = withEndpoints(ENDPOINTS) as unknown as HtmlReport;
  const chart = chartSpecs(report).find((spec) => spec.id === 'endpoint-latency');
  assert.ok(chart, 'an endpoint chart');
  assert.deepEqual(chart.xs, [1, 2, 3]);
  assert.deepEqual(
    chart.series.map((s) => [s.label, s.values]),
    [
      ['p50', [1.5, 10, null]],
      ['p90', [2, 20, null]],
      ['p99', [3.25, 250, null]],
      ['max', [4, 900, null]],
    ],
  );
  const page = renderHtml(report);
  assert.match(page, /<section id="endpoints-section"><h2>Endpoints<\/h2><figure class="chart" id="chart-endpoint-latency"/);
  assert.match(page, /<tr><td>2<\/td><td>checkout<\/td><td>700<\/td><td>690<\/td><td>10<\/td>/);
  assert.match(page, /<td>http 3, timeout 7<\/td>|<td>timeout 7, http 3<\/td>/);
  assert.doesNotMatch(page, /unsafe-inline/);
  // a name that the check would refuse is still escaped if it reaches the page
  const hostile = renderHtml(withEndpoints([{ ...ENDPOINTS[0], name: '<img src=x onerror=alert(1)>' }]) as unknown as HtmlReport);
  assert.ok(hostile.includes('<td>&lt;img src=x onerror=alert(1)&gt;</td>'));
  assert.ok(!hostile.includes('<img src=x'));
  assert.equal(
    chartSpecs(loadFixture('report-load') as unknown as HtmlReport).some((spec) => spec.id === 'endpoint-latency'),
    false,
    'no mix, no endpoint chart',
  );
});

test('the text summary has one row per endpoint, with its errors by class', () => {
  const lines = endpointLines(ENDPOINTS);
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^Endpoints \(ms\) +requests +success +failure +p50 +p90 +p99 +max +bytes {2}errors$/);
  assert.match(lines[1]!, /^ {4}home +100 +100 +0 +1\.50 +2\.00 +3\.25 +4\.00 +1700 {2}-$/);
  assert.match(lines[2]!, /^ {4}checkout +700 +690 +10 +10\.00 +20\.00 +250\.00 +900\.00 +11730 {2}(timeout 7, http 3|http 3, timeout 7)$/);
  assert.match(lines[3]!, /^ {4}idle +0 +0 +0 +/);
  assert.deepEqual(endpointLines(undefined), []);
});
