/**
 * The TLS flags (declared in flags.ts; the shell reads the files): their validation into the
 * plan's `tls` part, every problem at once like the rest of the plan, before any load. The files
 * are checked as Node will use them: each certificate parses, the key parses and matches the
 * client certificate, and Node builds a secure context from the lot. Pure: no file is read here.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { TlsSpec } from '../http/target.js';
import type { FlagValues } from './flags.js';
import { printable } from './request-headers.js';

/** The TLS flags' raw values (the files already read: content null when unreadable). */
export type RawTlsOptions = Pick<FlagValues, 'url' | 'insecure' | 'ca' | 'cert' | 'key' | 'servername'>;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** A host name as SNI carries it (RFC 6066: never an IP address): dot-separated labels, 253 characters at most. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const quoted = (path: string): string => `"${printable(path)}"`;

/** The certificates of a PEM file, or a problem naming the flag and the file. */
function certificates(flag: string, file: { path: string; content: string | null }, problems: string[]): X509Certificate[] | null {
  if (file.content === null) {
    problems.push(`${flag}: cannot read ${quoted(file.path)}`);
    return null;
  }
  const blocks = file.content.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    problems.push(`${flag}: ${quoted(file.path)} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return null;
  }
  // node:crypto (and node:tls below) loaded only when a TLS flag is given: most runs have none
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  const parsed: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      parsed.push(new X509Certificate(block));
    } catch {
      problems.push(`${flag}: certificate ${index + 1} of ${quoted(file.path)} is not a valid certificate`);
      return null;
    }
  }
  return parsed;
}

function privateKey(file: { path: string; content: string | null }, problems: string[]): KeyObject | null {
  if (file.content === null) {
    problems.push(`--key: cannot read ${quoted(file.path)}`);
    return null;
  }
  try {
    return process.getBuiltinModule('node:crypto').createPrivateKey(file.content);
  } catch {
    problems.push(`--key: ${quoted(file.path)} is not an unencrypted PEM private key`);
    return null;
  }
}

/** The names of the TLS flags given, as the user typed them. */
function givenFlags(raw: RawTlsOptions): string[] {
  const flags: Array<[string, unknown]> = [
    ['--insecure', raw.insecure === true ? true : undefined],
    ['--ca', raw.ca],
    ['--cert', raw.cert],
    ['--key', raw.key],
    ['--servername', raw.servername],
  ];
  return flags.filter(([, value]) => value !== undefined).map(([name]) => name);
}

/**
 * The TLS part of the plan: null when no TLS flag is given (Node's defaults), else the spec every
 * worker and load box connects with. `url` is the plan's target (null: the bundled, plain-HTTP target).
 */
export function tlsPlan(raw: RawTlsOptions, url: string | null, problems: string[]): TlsSpec | null {
  const flags = givenFlags(raw);
  if (flags.length === 0) return null;
  const before = problems.length;
  // a URL given but not taken is a problem of its own already
  const urlRefused = url === null && raw.url !== undefined;
  if (!urlRefused && (url === null || new URL(url).protocol !== 'https:')) {
    const target = url === null ? 'the bundled target speaks plain HTTP' : 'the URL is not https://';
    problems.push(`${flags.join(', ')}: ${flags.length === 1 ? 'needs' : 'need'} an https:// URL (${target})`);
  }
  if (raw.insecure === true && raw.ca !== undefined)
    problems.push('--insecure and --ca contradict: --insecure verifies no certificate, --ca verifies against yours');
  if (raw.ca !== undefined) certificates('--ca', raw.ca, problems);
  if (raw.cert !== undefined && raw.key === undefined) problems.push('--cert needs --key (the private key of the client certificate)');
  if (raw.key !== undefined && raw.cert === undefined) problems.push('--key needs --cert (the client certificate it belongs to)');
  const cert = raw.cert === undefined ? null : certificates('--cert', raw.cert, problems);
  const key = raw.key === undefined ? null : privateKey(raw.key, problems);
  if (cert !== null && key !== null && !cert[0]!.checkPrivateKey(key))
    problems.push(`--key: ${quoted(raw.key!.path)} does not match the certificate in ${quoted(raw.cert!.path)}`);
  const servername = raw.servername ?? null;
  if (servername !== null && (isIP(servername) !== 0 || !HOST_NAME.test(servername)))
    problems.push(`--servername: "${printable(servername)}" is not a host name (SNI carries a name such as example.com, never an address)`);
  if (problems.length > before) return null;
  const spec: TlsSpec = {
    insecure: raw.insecure === true,
    ca: raw.ca?.content ?? null,
    cert: raw.cert?.content ?? null,
    key: raw.key?.content ?? null,
    servername,
  };
  // as the workers will build it: whatever Node still refuses is refused now, not in every request
  try {
    process
      .getBuiltinModule('node:tls')
      .createSecureContext({ ca: spec.ca ?? undefined, cert: spec.cert ?? undefined, key: spec.key ?? undefined });
  } catch (error) {
    problems.push(`${flags.join(', ')}: Node cannot use these files (${(error as Error).message})`);
    return null;
  }
  return spec;
}
