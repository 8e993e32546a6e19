/**
 * --connections and --max-streams under --http2, seen from the server's side: Node's own HTTP/2
 * server holds every response for a while and counts, per session (a TCP connection), the most
 * streams open at once. Offered more than they can carry, the run's 2 connections each carry
 * exactly 3 streams at a time, never more, and both are used.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENTION_MAX_LAG, runSummary } from '../helpers/stress-cli.js';
import { makeTestCertificates, SERVER_NAME } from '../helpers/test-certificates.js';

/** how long each response is held: at 100 requests/s that wants 15 streams at once, more than 2 x 3 */
const HOLD_MS = 150;

let dir: string;
let ca: string;
let server: http2.Http2SecureServer;
/** the most streams open at once on each session, by session */
const mostOpen = new Map<http2.Http2Session, number>();
const open = new Map<http2.Http2Session, number>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-h2-streams-'));
  const certificates = await makeTestCertificates(dir);
  server = http2.createSecureServer({ cert: await readFile(certificates.serverCert), key: await readFile(certificates.serverKey) });
  server.on('stream', (stream) => {
    const session = stream.session!;
    const now = (open.get(session) ?? 0) + 1;
    open.set(session, now);
    mostOpen.set(session, Math.max(mostOpen.get(session) ?? 0, now));
    const timer = setTimeout(() => {
      stream.respond({ ':status': 200 });
      stream.end('held\n');
    }, HOLD_MS);
    stream.once('close', () => {
      clearTimeout(timer);
      open.set(session, open.get(session)! - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ca = certificates.ca;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

test('--connections 2 --max-streams 3: two connections, each with 3 streams open at most and at some point exactly 3', async () => {
  const port = (server.address() as net.AddressInfo).port;
  const { summary } = await runSummary(
    [
      `https://127.0.0.1:${port}/`,
      '--http2',
      '--connections',
      '2',
      '--max-streams',
      '3',
      '--ca',
      ca,
      '--servername',
      SERVER_NAME,
      '--rate',
      '100',
      '--duration',
      '0.5s',
      '--warmup',
      '0',
      '--workers',
      '1',
      '--max-lag',
      CONTENTION_MAX_LAG,
    ],
    { limitMs: 30_000 },
  );
  assert.equal(summary.totals.success, 50, `errors: ${JSON.stringify(summary.totals.errorCodes)}`);
  assert.deepEqual(summary.connections.protocols, { h2: 2 });
  assert.deepEqual([...mostOpen.values()], [3, 3], 'each session carried 3 streams at once, never more');
});
