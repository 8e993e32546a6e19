/**
 * HTTP/2 and Unix sockets against Debian's nginx, a server none of us wrote. nginx's access log
 * is the referee: every request of a --http2 run is logged as HTTP/2.0, as many as the run's JSON
 * counts, over the --connections asked for; a TLS nginx that speaks HTTP/1.1 only is refused by
 * --http2 in one line before any request; nginx on a Unix socket answers every request of a
 * --unix-socket run, with either client, and HTTP/2 over TLS over that socket too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportDocument } from '../../engine/report/document.js';
import { testEachClient } from '../helpers/each-client.js';
import { startNginx, type AccessEntry, type NginxLab } from '../helpers/nginx.js';
import { CONTENTION_MAX_LAG, runStress, runSummary } from '../helpers/stress-cli.js';
import { makeTestCertificates, SERVER_NAME, type TestCertificates } from '../helpers/test-certificates.js';

let dir: string;
let certificates: TestCertificates;
/** TLS with h2 and http/1.1, on a port and a Unix socket */
let h2: NginxLab;
/** TLS, HTTP/1.1 only */
let http1: NginxLab;
/** plain HTTP on a Unix socket (and a port) */
let plain: NginxLab;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-h2-'));
  certificates = await makeTestCertificates(dir);
  const tls = { cert: certificates.serverCert, key: certificates.serverKey };
  [h2, http1, plain] = await Promise.all([
    startNginx({ ...tls, http2: true }, { unixSocket: true }),
    startNginx(tls),
    startNginx(null, { unixSocket: true }),
  ]);
});

after(async () => {
  await Promise.all([h2?.stop(), http1?.stop(), plain?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** requests of each run: 200 requests/s for 0.5 s */
const REQUESTS = 100;
const TRUSTED = () => ['--ca', certificates.ca, '--servername', SERVER_NAME];

/** 200 requests/s for 0.5 s over 2 connections from 1 worker: small, and every request counted by nginx */
function load(url: string, ...flags: string[]): string[] {
  return [
    url,
    '--rate',
    '200',
    '--duration',
    '0.5s',
    '--warmup',
    '0',
    '--workers',
    '1',
    '--connections',
    '2',
    '--max-lag',
    CONTENTION_MAX_LAG,
    ...flags,
  ];
}

/** nginx's entries written during `body` (the log grows; earlier runs' lines are not this run's). */
async function logged<T>(lab: NginxLab, body: () => Promise<T>): Promise<{ result: T; entries: AccessEntry[] }> {
  const before = (await lab.accessLog()).length;
  const result = await body();
  return { result, entries: (await lab.accessLog()).slice(before) };
}

/** The run's JSON counts and nginx's log agree: every request answered once, over `protocol`. */
function assertServed(summary: ReportDocument, entries: AccessEntry[], protocol: string): void {
  assert.equal(summary.totals.requests, REQUESTS);
  assert.equal(summary.totals.success, REQUESTS, `errors: ${JSON.stringify(summary.totals.errorCodes)}`);
  assert.equal(entries.length, summary.totals.requests, 'nginx answered each request of the run once');
  for (const entry of entries) assert.deepEqual([entry.status, entry.protocol], [200, protocol]);
}

test('--http2: every request is logged by nginx as HTTP/2.0, over the 2 connections asked for, and the reports say HTTP/2', async () => {
  const { result, entries } = await logged(h2, () => runSummary(load(`${h2.origin}/`, '--http2', ...TRUSTED()), { limitMs: 30_000 }));
  const summary = result.summary as ReportDocument;
  assertServed(summary, entries, 'HTTP/2.0');
  for (const entry of entries) assert.match(entry.tlsVersion, /^TLSv1\.[23]$/);
  assert.deepEqual(summary.connections.protocols, { h2: 2 }, 'ALPN agreed on h2, on both connections');
  // the requests are spread over --connections, not piled on the first one while it has streams to spare
  const carriedBy = new Map<number, number>();
  for (const entry of entries) carriedBy.set(entry.connection, (carriedBy.get(entry.connection) ?? 0) + 1);
  const perConnection = [...carriedBy.values()];
  assert.equal(perConnection.length, 2, `requests per connection: ${perConnection}`);
  for (const carried of perConnection) assert.ok(carried >= REQUESTS / 4, `requests per connection: ${perConnection}`);
  assert.deepEqual([summary.run.protocol, summary.run.maxStreams], ['HTTP/2', 100]);
  assert.match(summary.text, /^Connections: 2 opened, HTTP\/2 \(h2\) over TLSv1\.[23]$/m);
});

test('--http2 against a TLS nginx that speaks HTTP/1.1 only: refused in one line before any request, exit 2', async () => {
  const { result, entries } = await logged(http1, () => runStress([...load(`${http1.origin}/`, '--http2', ...TRUSTED())], 20_000));
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^stress: --http2: https:\/\/127\.0\.0\.1:\d+ agreed to http\/1\.1 only through ALPN, not h2: .*drop --http2/);
  assert.equal(result.stdout, '');
  assert.equal(entries.length, 0, 'nginx answered nothing');
});

testEachClient('--unix-socket: nginx on a Unix socket answers every request, as many as the JSON counts', async (client) => {
  const { result, entries } = await logged(plain, () =>
    // the URL's host names no listening port: only the socket can have answered
    runSummary([...load('http://localhost:9/', '--unix-socket', plain.unixSocket!), ...client], { limitMs: 30_000 }),
  );
  assertServed(result.summary as ReportDocument, entries, 'HTTP/1.1');
  assert.equal((result.summary as ReportDocument).run.unixSocket, plain.unixSocket);
});

test('--http2 over TLS over a Unix socket: nginx logs every request as HTTP/2.0', async () => {
  const { result, entries } = await logged(h2, () =>
    runSummary(load(`https://${SERVER_NAME}:9/`, '--http2', '--unix-socket', h2.unixSocket!, '--ca', certificates.ca), { limitMs: 30_000 }),
  );
  assertServed(result.summary as ReportDocument, entries, 'HTTP/2.0');
  assert.deepEqual(result.summary.connections.protocols, { h2: result.summary.connections.opened });
});
