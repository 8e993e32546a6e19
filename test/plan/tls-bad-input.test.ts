/**
 * Bad TLS input, with real files: a certificate file that is missing, a key that belongs to
 * another certificate, files of the wrong kind. Each is refused with exit 2 on one line before any
 * load: the https target here is a raw server that counts connections, and must see none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStress } from '../helpers/stress-cli.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates.js';

let connections = 0;
const server = net.createServer((socket) => {
  connections++;
  socket.destroy();
});
let dir: string;
let url: string;
let certificates: TestCertificates;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  dir = await mkdtemp(join(tmpdir(), 'stress-tls-input-'));
  certificates = await makeTestCertificates(dir);
});

after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Exit 2, one line on stderr matching every pattern, nothing on stdout, no connection. */
async function refused(args: string[], expected: RegExp[]): Promise<void> {
  const run = await runStress([url, '--duration', '1s', ...args], 20_000);
  assert.equal(run.code, 2, `exit 2 for ${args.join(' ')}: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  for (const pattern of expected) assert.match(lines[0]!, pattern);
  assert.equal(run.stdout, '', 'no report');
  assert.equal(connections, 0, 'no load was sent');
}

test('a missing certificate file is refused before any load', async () => {
  const missing = join(dir, 'missing.pem');
  await refused(['--cert', missing, '--key', certificates.clientKey], [/--cert: cannot read ".*missing\.pem"/]);
  await refused(['--ca', missing], [/--ca: cannot read ".*missing\.pem"/]);
  await refused(['--cert', certificates.clientCert, '--key', missing], [/--key: cannot read ".*missing\.pem"/]);
});

test('a key that does not match its certificate is refused before any load, naming both files', async () => {
  await refused(
    ['--cert', certificates.clientCert, '--key', certificates.strayKey],
    [/--key: ".*stray\.key" does not match the certificate in ".*client\.pem"/],
  );
});

test('files of the wrong kind, and every problem at once on the one line', async () => {
  await refused(
    ['--cert', certificates.clientKey, '--key', certificates.clientCert],
    [/--cert: .* holds no PEM certificate/, /--key: .* is not an unencrypted PEM private key/],
  );
  await refused(
    [
      '--ca',
      join(dir, 'none.pem'),
      '--cert',
      certificates.serverCert,
      '--key',
      certificates.clientKey,
      '--servername',
      '10.0.0.1',
      '--rate',
      '0',
    ],
    [
      /--rate: "0"/,
      /--ca: cannot read/,
      /--key: .* does not match the certificate in ".*server\.pem"/,
      /--servername: "10\.0\.0\.1" is not a host name/,
    ],
  );
});

test('the matching files pass the same checks (the refusals above are theirs, not of any file)', async () => {
  // a plan that passes goes on to the load: against the raw server every request fails, and it is
  // let run for a moment only; what matters is that it was not refused with exit 2
  const run = await runStress(
    [
      url,
      '--duration',
      '200ms',
      '--warmup',
      '0',
      '--rate',
      '10',
      '--workers',
      '1',
      '--ca',
      certificates.ca,
      '--cert',
      certificates.clientCert,
      '--key',
      certificates.clientKey,
      '--quiet',
      '--json',
    ],
    20_000,
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { totals: { requests: number; success: number } };
  assert.ok(summary.totals.requests > 0 && summary.totals.success === 0, JSON.stringify(summary.totals));
  connections = 0;
});
