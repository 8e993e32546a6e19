/** The addresses --dashboard takes, and the one line each malformed one gets: a table, no socket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authority, listenProblem, parseListenAddress } from '../../common/listen-address.js';

test('addresses: port alone, host and port, IPv6 in brackets, host alone', () => {
  const table: Array<[string, { host: string; port: number }]> = [
    ['8080', { host: '127.0.0.1', port: 8080 }],
    ['0', { host: '127.0.0.1', port: 0 }],
    [':9000', { host: '127.0.0.1', port: 9000 }],
    ['127.0.0.2:9000', { host: '127.0.0.2', port: 9000 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['localhost:65535', { host: '127.0.0.1', port: 65535 }],
    ['127.0.0.1', { host: '127.0.0.1', port: 0 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['[::1]', { host: '::1', port: 0 }],
  ];
  for (const [text, expected] of table) assert.deepEqual(parseListenAddress(text, '--dashboard'), expected, text);
});

test('malformed addresses: one phrase naming the flag, the value and the forms taken', () => {
  const table: Array<[string, RegExp]> = [
    ['65536', /port must be a whole number from 0 to 65535/],
    ['127.0.0.1:http', /port must be a whole number/],
    ['127.0.0.1:-1', /port must be a whole number/],
    ['127.0.0.1:', /port must be a whole number/],
    ['example.com:80', /is not an address/],
    ['300.1.1.1:80', /is not an address/],
    ['::1:8080', /ambiguous: put an IPv6 address in brackets/],
    ['[127.0.0.1]:80', /not an IPv6 address in brackets/],
    ['[::1]x', /not an IPv6 address in brackets/],
  ];
  for (const [text, pattern] of table) {
    const problem = parseListenAddress(text, '--dashboard');
    assert.equal(typeof problem, 'string', text);
    assert.match(problem as string, pattern, text);
    assert.match(problem as string, /^--dashboard: "/, text);
    assert.ok(!(problem as string).includes('\n'), text);
  }
});

test('authority: IPv6 in brackets', () => {
  assert.equal(authority({ host: '::1', port: 80 }), '[::1]:80');
  assert.equal(authority({ host: '127.0.0.1', port: 80 }), '127.0.0.1:80');
});

test('an address that cannot be listened on: one line naming the flag, saying why and what to do', () => {
  const address = { host: '127.0.0.1', port: 80 };
  const problem = (code: string) => listenProblem('--metrics', address, Object.assign(new Error(`listen ${code}`), { code }));
  assert.equal(problem('EADDRINUSE'), '--metrics: 127.0.0.1:80 is in use by another process: give another port');
  assert.equal(
    problem('EACCES'),
    '--metrics: no permission to listen on 127.0.0.1:80 (ports below 1024 need privileges): give a port of 1024 or more',
  );
  assert.match(problem('EADDRNOTAVAIL'), /^--metrics: 127\.0\.0\.1 is not an address of this machine/);
  assert.equal(problem('EINVAL'), '--metrics: cannot listen on 127.0.0.1:80: listen EINVAL');
  assert.equal(
    listenProblem('--dashboard', { host: '::1', port: 8089 }, Object.assign(new Error('x'), { code: 'EADDRINUSE' })),
    '--dashboard: [::1]:8089 is in use by another process: give another port',
  );
});
