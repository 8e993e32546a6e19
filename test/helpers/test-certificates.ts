/**
 * Certificates for the TLS tests, made by Debian's openssl command in a directory of the test's:
 * a CA of our own, a server certificate it signed (for the name `localhost` only, so that reaching
 * 127.0.0.1 also needs --servername), a client certificate it signed, a key that belongs to none
 * of them, a server certificate signed by nobody but itself, and one the CA signed that expired in
 * 2020 (`openssl ca` sets dates in the past, which `x509 -days` cannot). Nothing is reused between
 * runs: every certificate is made for one test file.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  /** the CA's certificate: what --ca trusts, and what nginx checks client certificates against */
  ca: string;
  /** the server's certificate and key, for the name `localhost` */
  serverCert: string;
  serverKey: string;
  /** a client certificate and its key, signed by the CA */
  clientCert: string;
  clientKey: string;
  /** a private key that matches none of the certificates */
  strayKey: string;
  /** a server certificate signed by its own key, for the name `localhost` (no CA at all) */
  selfSignedCert: string;
  selfSignedKey: string;
  /** a server certificate for `localhost`, signed by the CA, valid only on 1 January 2020 (its key: serverKey) */
  expiredCert: string;
}

/** The name in the server's certificate. */
export const SERVER_NAME = 'localhost';

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args);
}

/** An unencrypted P-256 key and a request for `subject`. */
async function keyAndRequest(dir: string, name: string, subject: string): Promise<{ key: string; request: string }> {
  const key = join(dir, `${name}.key`);
  const request = join(dir, `${name}.csr`);
  await openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    request,
    '-subj',
    subject,
  ]);
  return { key, request };
}

/** The CA signs `request` into `name`.pem with the extensions given, valid for two days. */
async function sign(dir: string, name: string, request: string, extensions: string): Promise<string> {
  const extfile = join(dir, `${name}.ext`);
  await writeFile(extfile, `${extensions}\n`);
  const cert = join(dir, `${name}.pem`);
  const ca = ['-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial'];
  await openssl(['x509', '-req', '-in', request, ...ca, '-out', cert, '-days', '2', '-sha256', '-extfile', extfile]);
  return cert;
}

/** A certificate signed by its own new key (`name`.pem, `name`.key), valid for two days. */
async function selfSigned(dir: string, name: string, subject: string, extensions: string[]): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  await openssl([
    'req',
    '-x509',
    ...curve,
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    subject,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  return { cert, key };
}

/**
 * The CA signs `request` for a day long past: `openssl ca` takes start and end dates, and wants a
 * database and a serial file of its own.
 */
async function signExpired(dir: string, name: string, request: string, extensions: string): Promise<string> {
  const config = join(dir, `${name}.cnf`);
  await writeFile(join(dir, `${name}.index`), '');
  await writeFile(join(dir, `${name}.serial`), '01\n');
  await writeFile(
    config,
    [
      '[ca]',
      'default_ca = past',
      '[past]',
      `database = ${join(dir, `${name}.index`)}`,
      `serial = ${join(dir, `${name}.serial`)}`,
      `new_certs_dir = ${dir}`,
      'default_md = sha256',
      'policy = any_name',
      '[any_name]',
      'commonName = supplied',
      '[server]',
      extensions,
      '',
    ].join('\n'),
  );
  const cert = join(dir, `${name}.pem`);
  await openssl([
    'ca',
    '-batch',
    '-config',
    config,
    '-cert',
    join(dir, 'ca.pem'),
    '-keyfile',
    join(dir, 'ca.key'),
    '-in',
    request,
    '-out',
    cert,
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-extensions',
    'server',
    '-notext',
  ]);
  return cert;
}

export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const { cert: ca } = await selfSigned(dir, 'ca', '/CN=stress test CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const server = await keyAndRequest(dir, 'server', `/CN=${SERVER_NAME}`);
  const serverExtensions = `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth`;
  const serverCert = await sign(dir, 'server', server.request, serverExtensions);
  const expiredCert = await signExpired(dir, 'expired', server.request, serverExtensions);
  const client = await keyAndRequest(dir, 'client', '/CN=stress test client');
  const clientCert = await sign(dir, 'client', client.request, 'extendedKeyUsage=clientAuth');
  const stray = await keyAndRequest(dir, 'stray', '/CN=stray');
  const own = await selfSigned(dir, 'self-signed', `/CN=${SERVER_NAME}`, [`subjectAltName=DNS:${SERVER_NAME}`]);
  return {
    ca,
    serverCert,
    serverKey: server.key,
    clientCert,
    clientKey: client.key,
    strayKey: stray.key,
    selfSignedCert: own.cert,
    selfSignedKey: own.key,
    expiredCert,
  };
}
