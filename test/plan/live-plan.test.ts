/** --metrics ADDR and --metrics-linger as the plan reads them: a table of what a user may write. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostPort, metricsPlan, parseListenAddress } from '../../engine/plan/live-plan.js';

test('an address: a port alone is loopback, a host is an IP literal (IPv6 in brackets) or localhost', () => {
  const table: Array<[string, { host: string; port: number } | RegExp]> = [
    ['9464', { host: '127.0.0.1', port: 9464 }],
    [' 9464 ', { host: '127.0.0.1', port: 9464 }],
    ['0', { host: '127.0.0.1', port: 0 }],
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['0.0.0.0:65535', { host: '0.0.0.0', port: 65535 }],
    ['localhost:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    ['[::]:1', { host: '::', port: 1 }],
    // malformed: each says what is wrong
    ['', /no port/],
    ['65536', /no port from 0 to 65535/],
    ['127.0.0.1:', /no port/],
    ['127.0.0.1:-1', /no port/],
    ['127.0.0.1:94x', /no port/],
    ['example.com:9464', /no IP address before its port/],
    ['300.0.0.1:9464', /no IP address/],
    [':9464', /no IP address/],
    ['::1:9464', /brackets around an IPv6 address/],
    ['[127.0.0.1]:9464', /no IPv6 address between its brackets/],
    ['[::1]', /no port after its IPv6 address/],
    ['[::1]9464', /no port after its IPv6 address/],
  ];
  for (const [text, expected] of table) {
    const parsed = parseListenAddress(text);
    if (expected instanceof RegExp) assert.match(String(parsed), expected, `"${text}"`);
    else assert.deepEqual(parsed, expected, `"${text}"`);
  }
});

test('host:port as a URL writes it: IPv6 in brackets', () => {
  assert.equal(hostPort({ host: '127.0.0.1', port: 9464 }), '127.0.0.1:9464');
  assert.equal(hostPort({ host: '::1', port: 9464 }), '[::1]:9464');
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
    '--metrics: "nowhere:1" has no IP address before its port (use e.g. 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464)',
    '--metrics-linger: "11m" must be at most 10m',
    '--metrics-linger needs --metrics ADDR (it keeps that endpoint up after the summary)',
  ]);
});
