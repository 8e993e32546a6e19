/** --metrics ADDR and --metrics-linger as the plan reads them: a table of what a user may write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsPlan } from '../../engine/plan/live-plan.js';

test('--metrics ADDR: read by the one address parser (common/listen-address.ts), a port alone on loopback, its problems named by the flag', () => {
  const table: Array<[string, { host: string; port: number } | RegExp]> = [
    ['9464', { host: '127.0.0.1', port: 9464 }],
    [' 9464 ', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['', /^--metrics needs an address/],
    ['65536', /^--metrics: "65536": the port must be a whole number from 0 to 65535/],
    ['example.com:9464', /^--metrics: "example.com:9464" is not an address/],
  ];
  for (const [text, expected] of table) {
    const problems: string[] = [];
    const plan = metricsPlan({ metrics: text }, problems);
    if (expected instanceof RegExp) {
      assert.equal(plan, null, `"${text}"`);
      assert.match(problems.join('\n'), expected, `"${text}"`);
    } else assert.deepEqual(plan?.address, expected, `"${text}"`);
  }
});

test('the metrics plan: none without --metrics, a linger only with it, every problem at once', () => {
  const problems: string[] = [];
  assert.equal(metricsPlan({}, problems), null);
  assert.deepEqual(metricsPlan({ metrics: '9464' }, problems), { address: { host: '127.0.0.1', port: 9464 }, lingerMs: 0 });
  assert.deepEqual(metricsPlan({ metrics: '[::1]:9', metricsLinger: '15s' }, problems), {
    address: { host: '::1', port: 9 },
    lingerMs: 15_000,
  });
  assert.deepEqual(problems, []);
  assert.equal(metricsPlan({ metrics: 'nowhere:1', metricsLinger: 'soon' }, problems), null);
  assert.equal(metricsPlan({ metricsLinger: '11m' }, problems), null);
  assert.deepEqual(problems, [
    '--metrics-linger: "soon" is not a duration (use e.g. 500ms, 2s, 5m, 1h)',
    '--metrics: "nowhere:1" is not an address (give PORT, HOST:PORT or [IPV6]:PORT, HOST an IP address or localhost)',
    '--metrics-linger: "11m" must be at most 10m',
    '--metrics-linger needs --metrics ADDR (it keeps that endpoint up after the summary)',
  ]);
});
