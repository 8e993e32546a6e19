/**
 * How the workers reach the server: which client, HTTP/1.1 or HTTP/2, over TCP or a Unix socket.
 * The flags (declared in flags.ts; the shell looks at the socket path) validated into the plan's
 * connection part, every problem at once like the rest of the plan. Pure.
 *
 * HTTP/2 is only agreed through TLS's ALPN: cleartext h2c (prior knowledge) is not offered, so
 * `--http2` needs an https URL. The lean client speaks HTTP/1.1 only: `--http2` is undici's.
 * A Unix socket is a file of this machine: load boxes cannot reach it, so `--agents` refuses it
 * (a socket of the same path on each box would be another server on each).
 */
import { CLIENT_KINDS, type ClientKind, type Http2Spec } from '../http/target.js';
import { parseWholeNumber, UnitError } from '../../common/units.js';
import { DEFAULTS } from './defaults.js';
import type { FlagValues } from './flags.js';
import { printable } from './request-headers.js';

export type RawConnectionOptions = Pick<FlagValues, 'url' | 'client' | 'http2' | 'maxStreams' | 'unixSocket' | 'agents' | 'agentsFile'>;

export interface ConnectionPlan {
  /** the HTTP client of the workers (undici when --http2) */
  client: ClientKind;
  /** HTTP/2 and its streams per connection; null: HTTP/1.1 */
  http2: Http2Spec | null;
  /** the server's Unix socket; null: the URL's host and port */
  unixSocket: string | null;
}

/** Linux keeps a socket's path in 108 bytes, its terminating zero among them. */
const MAX_SOCKET_PATH_BYTES = 107;

/** The plan's connection part; `url` is the plan's target (null: the bundled target, or a URL refused already). */
export function connectionPlan(raw: RawConnectionOptions, url: string | null, problems: string[]): ConnectionPlan {
  const client = (raw.client ?? (raw.http2 === true ? 'undici' : 'lean')) as ClientKind;
  if (!CLIENT_KINDS.includes(client))
    problems.push(`--client: "${printable(raw.client!)}" is not a client (use ${CLIENT_KINDS.join(' or ')})`);
  // a URL given but refused is a problem of its own already
  const urlKnown = url !== null || raw.url === undefined;
  let http2: Http2Spec | null = null;
  if (raw.http2 === true) {
    if (client === 'lean')
      problems.push('--http2 and --client lean contradict: the lean client speaks HTTP/1.1 only (drop --client; --http2 uses undici)');
    if (urlKnown && (url === null || new URL(url).protocol !== 'https:'))
      problems.push(
        `--http2 needs an https:// URL: HTTP/2 is agreed through TLS (ALPN), and cleartext h2c is not offered (${url === null ? 'the bundled target speaks plain HTTP/1.1' : 'the URL is http://'})`,
      );
    const maxStreams = take(problems, () =>
      raw.maxStreams === undefined ? DEFAULTS.maxStreamsPerConnection : parseWholeNumber(raw.maxStreams, '--max-streams', 1, 100_000),
    );
    http2 = maxStreams === null ? null : { maxStreams };
  } else if (raw.maxStreams !== undefined) {
    problems.push('--max-streams needs --http2 (an HTTP/1.1 connection carries one request at a time; use --connections)');
  }
  return { client, http2, unixSocket: unixSocket(raw, urlKnown && url === null, problems) };
}

/** The socket path, once it is known to hold a socket; null when none is given or it is refused. */
function unixSocket(raw: RawConnectionOptions, bundled: boolean, problems: string[]): string | null {
  if (raw.unixSocket === undefined) return null;
  const { path, found } = raw.unixSocket;
  const shown = `"${printable(path)}"`;
  const before = problems.length;
  if (bundled) problems.push('--unix-socket needs a URL (for its scheme, path and Host): the bundled target listens on TCP');
  if (raw.agents !== undefined || raw.agentsFile !== undefined)
    problems.push(
      "--unix-socket and --agents contradict: the socket is a file of this machine, out of the load boxes' reach (give the server's TCP URL)",
    );
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES)
    problems.push(
      `--unix-socket: ${shown} is ${Buffer.byteLength(path)} bytes long; a Unix socket's path holds ${MAX_SOCKET_PATH_BYTES} at most (use a shorter path or a link)`,
    );
  else if (found === 'missing') problems.push(`--unix-socket: nothing at ${shown} (start the server first, or fix the path)`);
  else if (found === 'not-a-socket') problems.push(`--unix-socket: ${shown} is not a Unix socket (give the path the server listens on)`);
  return problems.length > before ? null : path;
}

function take<T>(problems: string[], parse: () => T): T | null {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
    problems.push(error.message);
    return null;
  }
}
