/**
 * HTTPS from load boxes: the TLS files are read on the controller and travel with the plan, so a
 * box (a real sshd on 127.0.0.2) reaches nginx on 127.0.0.1 with the CA, the server name and the
 * client certificate nginx requires, without a copy of any file. The box's connections are
 * merged into the run's like its requests.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../engine/summary/summary.js';
import { assertInvariants } from '../helpers/invariants.js';
import { startNginx, type NginxLab } from '../helpers/nginx.js';
import { startSshLab, type SshLab } from '../helpers/sshd.js';
import { CONTENTION_MAX_LAG, runStress } from '../helpers/stress-cli.js';
import { makeTestCertificates, SERVER_NAME, type TestCertificates } from '../helpers/test-certificates.js';

let dir: string;
let certificates: TestCertificates;
let nginx: NginxLab;
let lab: SshLab;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stress-remote-tls-'));
  certificates = await makeTestCertificates(dir);
  nginx = await startNginx({ cert: certificates.serverCert, key: certificates.serverKey, clientCa: certificates.ca });
  lab = await startSshLab(['127.0.0.2']);
});

after(async () => {
  await nginx?.stop();
  const left = lab ? await lab.settled() : [];
  await lab?.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(left, [], 'no ssh, sshd session or agent process outlives the test');
});

test('a load box reaches an https server with the CA, server name and client certificate given on the controller', async () => {
  const run = await runStress([
    `${nginx.origin}/`,
    '--rate',
    '100',
    '--duration',
    '1s',
    '--warmup',
    '0',
    '--connections',
    '2',
    '--max-lag',
    CONTENTION_MAX_LAG,
    '--ca',
    certificates.ca,
    '--servername',
    SERVER_NAME,
    '--cert',
    certificates.clientCert,
    '--key',
    certificates.clientKey,
    '--agents',
    lab.boxes[0]!.agent,
    ...lab.sshArgs,
    '--remote-command',
    lab.remoteCommand,
    '--workers',
    '1',
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assertInvariants(summary);
  assert.equal(summary.totals.success, 100, JSON.stringify(summary.totals.errorCodes));
  const entries = await nginx.accessLog();
  assert.equal(entries.length, 100);
  for (const entry of entries) assert.deepEqual([entry.status, entry.clientVerify], [200, 'SUCCESS']);
  // the box's connections, merged like its requests
  assert.ok(summary.connections.opened >= 1 && summary.connections.opened <= 2, `opened ${summary.connections.opened}`);
  assert.equal(Object.values(summary.connections.tlsVersions)[0], summary.connections.opened);
  assert.notEqual(summary.connections.tlsHandshakeMs.p50, null);
});
