/**
 * HTTPS against Debian's nginx, a server none of us wrote, with certificates made for the test:
 * a self-signed server is refused as class `tls` (DEPTH_ZERO_SELF_SIGNED_CERT), and served when
 * its certificate is trusted with --ca or with --insecure; a certificate signed by a CA Node does
 * not know is refused too (nginx sees no request, and the handshakes back off); --ca trusts that
 * CA; a certificate that has expired is refused as `tls` (CERT_HAS_EXPIRED) even with its CA trusted;
 * the name checked is --servername's; a client certificate nginx requires is given with
 * --cert/--key. nginx's access log confirms what each run reports: as many requests answered,
 * over TLS, with the client certificate verified. Each case runs with both clients.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../engine/summary/summary.js';
import { testEachClient } from '../helpers/each-client.js';
import { startNginx, type NginxLab } from '../helpers/nginx.js';
import { CONTENTION_MAX_LAG, runStress, runSummary } from '../helpers/stress-cli.js';
import { makeTestCertificates, SERVER_NAME, type TestCertificates } from '../helpers/test-certificates.js';

let dir: string;
let certificates: TestCertificates;
let server: NginxLab;
let mutual: NginxLab;
let selfSigned: NginxLab;
let plain: NginxLab;
let expired: NginxLab;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-tls-'));
  certificates = await makeTestCertificates(dir);
  server = await startNginx({ cert: certificates.serverCert, key: certificates.serverKey });
  mutual = await startNginx({ cert: certificates.serverCert, key: certificates.serverKey, clientCa: certificates.ca });
  plain = await startNginx(null);
  selfSigned = await startNginx({ cert: certificates.selfSignedCert, key: certificates.selfSignedKey });
  expired = await startNginx({ cert: certificates.expiredCert, key: certificates.serverKey });
});

after(async () => {
  await Promise.all([server?.stop(), mutual?.stop(), plain?.stop(), selfSigned?.stop(), expired?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** requests in a run: 200 requests/s for 0.5 s over 2 connections from 1 worker, each counted by nginx */
const REQUESTS = 100;
function load(client: string[], url: string, ...flags: string[]): string[] {
  return [
    ...client,
    url,
    '--rate',
    String(REQUESTS * 2),
    '--duration',
    '500ms',
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
async function logged<T>(
  lab: NginxLab,
  body: () => Promise<T>,
): Promise<{ result: T; entries: Awaited<ReturnType<NginxLab['accessLog']>> }> {
  const before = (await lab.accessLog()).length;
  const result = await body();
  return { result, entries: (await lab.accessLog()).slice(before) };
}

/** A run every request of which nginx answered, over TLS, on connections whose set-up was measured. */
function assertServedOverTls(summary: Summary, entries: Awaited<ReturnType<NginxLab['accessLog']>>): void {
  assert.equal(summary.totals.requests, REQUESTS);
  assert.equal(summary.totals.success, REQUESTS, `errors: ${JSON.stringify(summary.totals.errorCodes)}`);
  assert.equal(entries.length, REQUESTS, 'nginx answered each request once');
  for (const entry of entries) {
    assert.equal(entry.status, 200);
    assert.equal(entry.protocol, 'HTTP/1.1');
    assert.match(entry.tlsVersion, /^TLSv1\.[23]$/);
  }
  const { connections } = summary;
  assert.ok(connections.opened >= 1 && connections.opened <= 2, `opened ${connections.opened} of 2 connections`);
  assert.deepEqual(connections.protocols, { 'http/1.1': connections.opened }, 'ALPN agreed on http/1.1');
  assert.deepEqual(connections.tlsVersions, { [entries[0]!.tlsVersion]: connections.opened }, 'the version nginx logged');
  assert.ok(connections.connectMs.p50 !== null && connections.connectMs.p50 >= 0, 'connect time measured');
  assert.ok(connections.tlsHandshakeMs.p50 !== null && connections.tlsHandshakeMs.p50 > 0, 'handshake time measured');
}

/** Connections nginx saw closed before any request on them: over TLS 1.3, each handshake the client refused. */
async function connectionsWithoutRequest(lab: NginxLab): Promise<number> {
  return (await lab.errorLog()).split('\n').filter((line) => line.includes('client closed connection while waiting for request')).length;
}

testEachClient('a certificate signed by a CA Node does not know is refused as class tls, and nginx sees no request', async (client) => {
  const handshakesBefore = await connectionsWithoutRequest(server);
  const { result, entries } = await logged(server, () => runSummary(load(client, `${server.origin}/`), { limitMs: 30_000 }));
  const { summary } = result;
  // one handshake per back-off period (10 ms doubling), not one per request: a handful in the half second
  const handshakes = (await connectionsWithoutRequest(server)) - handshakesBefore;
  assert.ok(handshakes >= 1 && handshakes <= 30, `${handshakes} handshakes for ${REQUESTS} requests`);
  assert.equal(summary.totals.success, 0);
  assert.deepEqual(summary.totals.errors, { tls: summary.totals.requests });
  assert.deepEqual(summary.totals.errorCodes, { UNABLE_TO_VERIFY_LEAF_SIGNATURE: summary.totals.requests });
  assert.equal(summary.connections.opened, 0, 'no connection was ready to carry a request');
  assert.equal(summary.insecure, false);
  assert.equal(entries.length, 0);
});

testEachClient('a self-signed server: refused as tls without --insecure, served trusting its own certificate with --ca', async (client) => {
  const url = `${selfSigned.origin}/`;
  const refused = await logged(selfSigned, () => runSummary(load(client, url), { limitMs: 30_000 }));
  assert.deepEqual(refused.result.summary.totals.errors, { tls: REQUESTS });
  assert.deepEqual(refused.result.summary.totals.errorCodes, { DEPTH_ZERO_SELF_SIGNED_CERT: REQUESTS });
  assert.equal(refused.entries.length, 0);
  const trusted = await logged(selfSigned, () =>
    runSummary(load(client, url, '--ca', certificates.selfSignedCert, '--servername', SERVER_NAME), { limitMs: 30_000 }),
  );
  assertServedOverTls(trusted.result.summary, trusted.entries);
  const insecure = await logged(selfSigned, () => runSummary(load(client, url, '--insecure'), { limitMs: 30_000 }));
  assertServedOverTls(insecure.result.summary, insecure.entries);
});

testEachClient('--insecure is served, and the summary warns that the certificate was not verified', async (client) => {
  const args = load(client, `${server.origin}/`, '--insecure');
  const { result, entries } = await logged(server, () => runSummary(args, { limitMs: 30_000 }));
  assertServedOverTls(result.summary, entries);
  assert.equal(result.summary.insecure, true);
  const text = await runStress([...args, '--quiet'], 30_000);
  assert.equal(text.code, 0, text.stderr);
  const warnings = text.stdout.split('\n').filter((line) => line.includes('--insecure'));
  assert.equal(warnings.length, 1, text.stdout);
  assert.match(warnings[0]!, /^Warning: --insecure: the server's certificate was not verified/);
  assert.match(text.stdout, /^Connections: [12] opened, http\/1\.1 over TLSv1\.[23]$/m);
  assert.match(text.stdout, /^ {4}TLS handshake +[0-9.]+/m);
});

testEachClient('--ca trusts the test CA: served when --servername names the certificate, refused by name without it', async (client) => {
  const url = `${server.origin}/`;
  const { result, entries } = await logged(server, () =>
    runSummary(load(client, url, '--ca', certificates.ca, '--servername', SERVER_NAME), { limitMs: 30_000 }),
  );
  assertServedOverTls(result.summary, entries);
  assert.equal(result.summary.insecure, false);
  // the certificate names localhost only: 127.0.0.1 is not its name
  const { summary } = await runSummary(load(client, url, '--ca', certificates.ca), { limitMs: 30_000 });
  assert.deepEqual(summary.totals.errors, { tls: REQUESTS });
  assert.deepEqual(summary.totals.errorCodes, { ERR_TLS_CERT_ALTNAME_INVALID: REQUESTS });
});

testEachClient(
  'an expired certificate from a trusted CA is refused as class tls with its code, and nginx sees no request',
  async (client) => {
    const args = load(client, `${expired.origin}/`, '--ca', certificates.ca, '--servername', SERVER_NAME);
    const { result, entries } = await logged(expired, () => runSummary(args, { limitMs: 30_000 }));
    const { summary } = result;
    assert.equal(summary.totals.success, 0);
    assert.deepEqual(summary.totals.errors, { tls: summary.totals.requests });
    assert.deepEqual(summary.totals.errorCodes, { CERT_HAS_EXPIRED: summary.totals.requests });
    assert.equal(entries.length, 0);
  },
);

testEachClient("the name sent and checked is --servername's, not the URL's host nor a Host header's", async (client) => {
  // the URL names localhost, as the certificate does; the name sent and checked is another
  const url = `https://${SERVER_NAME}:${server.port}/`;
  const named = await logged(server, () =>
    runSummary(load(client, url, '--ca', certificates.ca, '--servername', 'elsewhere.example'), { limitMs: 30_000 }),
  );
  assert.deepEqual(named.result.summary.totals.errorCodes, { ERR_TLS_CERT_ALTNAME_INVALID: REQUESTS });
  assert.equal(named.entries.length, 0);
  // a Host header of another name is sent as it is, and the certificate is still checked for --servername
  const hosted = await logged(server, () =>
    runSummary(load(client, `${server.origin}/`, '--ca', certificates.ca, '--servername', SERVER_NAME, '-H', 'Host: elsewhere.example'), {
      limitMs: 30_000,
    }),
  );
  assertServedOverTls(hosted.result.summary, hosted.entries);
});

testEachClient(
  'a client certificate nginx asks for: given with --cert/--key it is verified; without, nginx answers 400',
  async (client) => {
    const url = `${mutual.origin}/`;
    const trusted = ['--ca', certificates.ca, '--servername', SERVER_NAME];
    const given = await logged(mutual, () =>
      runSummary(load(client, url, ...trusted, '--cert', certificates.clientCert, '--key', certificates.clientKey), { limitMs: 30_000 }),
    );
    assertServedOverTls(given.result.summary, given.entries);
    for (const entry of given.entries) assert.equal(entry.clientVerify, 'SUCCESS');
    const missing = await logged(mutual, () => runSummary(load(client, url, ...trusted), { limitMs: 30_000 }));
    assert.equal(missing.result.summary.totals.success, 0);
    assert.deepEqual(missing.result.summary.totals.statusCodes, { 400: REQUESTS });
    assert.deepEqual(missing.result.summary.totals.errors, { http: REQUESTS });
    assert.equal(missing.entries.length, REQUESTS);
    for (const entry of missing.entries) assert.deepEqual([entry.status, entry.clientVerify], [400, 'NONE']);
  },
);

testEachClient('over plain HTTP the connections are timed too: a connect time, no handshake, no TLS version', async (client) => {
  const { result, entries } = await logged(plain, () => runSummary(load(client, `${plain.origin}/`), { limitMs: 30_000 }));
  const { summary } = result;
  assert.equal(summary.totals.success, REQUESTS);
  assert.equal(entries.length, REQUESTS);
  for (const entry of entries) assert.deepEqual([entry.protocol, entry.tlsVersion], ['HTTP/1.1', '-']);
  const { connections } = summary;
  assert.ok(connections.opened >= 1 && connections.opened <= 2, `opened ${connections.opened}`);
  assert.deepEqual([connections.protocols, connections.tlsVersions], [{ 'http/1.1': connections.opened }, {}]);
  assert.ok(connections.connectMs.p50 !== null, 'connect time measured');
  assert.equal(connections.tlsHandshakeMs.p50, null, 'no handshake over plain TCP');
});
