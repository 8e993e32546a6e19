/**
 * A 1:2:7 request mix (--targets) against Debian's nginx, a server none of us wrote, over two
 * origins (two nginx servers, so each worker keeps a pool per origin). nginx's access logs say
 * what each endpoint was really sent: the counts agree with the weights, and the per-endpoint
 * counts of the JSON summary, merged from two workers, equal nginx's exactly. A run of 1,000
 * requests of the global sequence is 100 whole cycles of the mix, so the counts are exact too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../engine/summary/summary.js';
import { NGINX_BODY, startNginx, type NginxLab } from '../helpers/nginx.js';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';

let dir: string;
let first: NginxLab;
let second: NginxLab;
let targets: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-mix-'));
  [first, second] = await Promise.all([startNginx(null), startNginx(null)]);
  await writeFile(join(dir, 'order.json'), '{"order":1}');
  targets = join(dir, 'mix.json');
  await writeFile(
    targets,
    JSON.stringify([
      { name: 'home', url: `${first.origin}/home`, weight: 1 },
      { name: 'search', url: `${first.origin}/search?q=x`, headers: { 'x-mix': 'search' }, weight: 2 },
      // nginx answers a POST to a `return` location like a GET
      { name: 'checkout', method: 'POST', url: `${second.origin}/checkout`, bodyFile: 'order.json', weight: 7 },
    ]),
  );
});

after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** nginx's requests by path and query, over both servers, during `body`. */
async function loggedByUri<T>(body: () => Promise<T>): Promise<{ result: T; byUri: Map<string, number> }> {
  const before = [(await first.accessLog()).length, (await second.accessLog()).length];
  const result = await body();
  const entries = [...(await first.accessLog()).slice(before[0]), ...(await second.accessLog()).slice(before[1])];
  const byUri = new Map<string, number>();
  for (const entry of entries) {
    assert.equal(entry.status, 200);
    byUri.set(entry.uri, (byUri.get(entry.uri) ?? 0) + 1);
  }
  return { result, byUri };
}

/** The endpoints' figures add up to the run's, and each has the figures of its successes. */
function assertEndpointsAddUp(summary: Summary): void {
  const endpoints = summary.endpoints!;
  const sum = (read: (e: (typeof endpoints)[number]) => number) => endpoints.reduce((total, e) => total + read(e), 0);
  assert.equal(
    sum((e) => e.requests),
    summary.totals.requests,
    'endpoint requests add up to the total',
  );
  assert.equal(
    sum((e) => e.success),
    summary.totals.success,
  );
  assert.equal(
    sum((e) => e.failure),
    summary.totals.failure,
  );
  assert.equal(
    sum((e) => e.bytes),
    summary.bodyBytes,
    'endpoint bytes add up to the body bytes',
  );
  for (const endpoint of endpoints) {
    assert.equal(endpoint.bytes, endpoint.success * NGINX_BODY.length, `${endpoint.name}: nginx's body per success`);
    const { p50, p90, p99, max } = endpoint.latencyMs;
    assert.ok(p50 !== null && p90 !== null && p99 !== null && max !== null, `${endpoint.name} has latency figures`);
    assert.ok(p50 <= p90 && p90 <= p99 && p99 <= max, `${endpoint.name}: percentiles in order`);
    assert.ok(max <= summary.latencyMs.max!, `${endpoint.name}: its max is within the run's`);
  }
}

test('a 1:2:7 open-loop mix from 2 workers: nginx counts 100, 200 and 700, and so does the JSON, endpoint by endpoint', async () => {
  const { result, byUri } = await loggedByUri(() =>
    runSummary(
      [
        '--targets',
        targets,
        '--rate',
        '1000',
        '--duration',
        '1s',
        '--warmup',
        '0',
        '--workers',
        '2',
        '--connections',
        '2',
        '--max-lag',
        CONTENTION_MAX_LAG,
        '--fail-on',
        'checkout:errors<1%',
        '--fail-on',
        'home:p99<10s',
      ],
      { limitMs: 30_000 },
    ),
  );
  const { summary } = result;
  assert.equal(summary.totals.dropped, 0, 'nothing dropped: every request of the schedule was sent');
  assert.equal(summary.totals.requests, 1000);
  assert.equal(summary.totals.success, 1000, JSON.stringify(summary.totals.errors));
  const total = [...byUri.values()].reduce((a, b) => a + b, 0);
  assert.equal(total, 1000, 'nginx answered every request once');
  const weights = { '/home': 0.1, '/search?q=x': 0.2, '/checkout': 0.7 };
  for (const [uri, share] of Object.entries(weights))
    assert.ok(Math.abs((byUri.get(uri) ?? 0) / total - share) <= 0.01, `${uri}: ${byUri.get(uri)} of ${total}, share ${share}`);
  assert.deepEqual(
    summary.endpoints!.map((endpoint) => [endpoint.name, endpoint.requests]),
    [
      ['home', byUri.get('/home')],
      ['search', byUri.get('/search?q=x')],
      ['checkout', byUri.get('/checkout')],
    ],
    "the JSON's counts are nginx's",
  );
  assert.deepEqual(
    summary.endpoints!.map((endpoint) => endpoint.requests),
    [100, 200, 700],
    '100 whole cycles of the mix, across both workers',
  );
  assertEndpointsAddUp(summary);
  const document = summary as Summary & { thresholds: Array<{ expression: string; passed: boolean }> };
  assert.deepEqual(
    document.thresholds.map((threshold) => [threshold.expression, threshold.passed]),
    [
      ['checkout:errors<1%', true],
      ['home:p99<10s', true],
    ],
  );
});

// 505 is 50 whole cycles and the first 5 requests of the next (checkout, search, checkout, checkout,
// home): only workers that each take every other request of the one global sequence send that
test('a closed loop with a request count over the mix (undici, 2 workers): the first 505 of the global sequence, exactly', async () => {
  const { result, byUri } = await loggedByUri(() =>
    runSummary(['--targets', targets, '--client', 'undici', '--clients', '4', '--requests', '505', '--workers', '2'], { limitMs: 30_000 }),
  );
  const { summary } = result;
  assert.equal(summary.totals.success, 505, JSON.stringify(summary.totals.errors));
  assert.deepEqual(
    summary.endpoints!.map((endpoint) => [endpoint.name, endpoint.requests]),
    [
      ['home', 51],
      ['search', 101],
      ['checkout', 353],
    ],
  );
  assert.deepEqual([byUri.get('/home'), byUri.get('/search?q=x'), byUri.get('/checkout')], [51, 101, 353], "nginx's counts");
  assertEndpointsAddUp(summary);
});
