/**
 * Before a --http2 run, one TLS handshake with the server, offering h2 and http/1.1 through ALPN
 * as a browser would, to learn whether it speaks HTTP/2: a server that agrees to http/1.1 (or to
 * no protocol) is refused in one line before any load, instead of every request of the run failing
 * alike. A handshake that fails for any other reason (refused, a certificate not trusted) says
 * nothing about HTTP/2: the run goes on and counts those failures in their classes, as any run does.
 */
import tls from 'node:tls';
import { H2 } from './connection-setup.js';
import type { TargetSpec } from './target.js';
import { tlsConnectOptions } from './tls-options.js';

/** What the server agreed to: an ALPN protocol (`false`: none), or null when no handshake completed. */
export function agreedProtocol(target: TargetSpec, timeoutMs: number): Promise<string | false | null> {
  const url = new URL(target.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const address = target.unixSocket === undefined ? { host, port: Number(url.port) || 443 } : { path: target.unixSocket };
  return new Promise((resolve) => {
    const socket = tls.connect({ ...address, ...tlsConnectOptions(target.tls, host), ALPNProtocols: [H2, 'http/1.1'] });
    const done = (agreed: string | false | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(agreed);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.once('secureConnect', () => done(socket.alpnProtocol));
    socket.once('error', () => done(null));
  });
}

/** The one line that refuses a --http2 run, or null when the server agreed to h2 or no handshake completed. */
export async function http2Refusal(target: TargetSpec, timeoutMs: number): Promise<string | null> {
  const agreed = await agreedProtocol(target, timeoutMs);
  if (agreed === null || agreed === H2) return null;
  const what = agreed === false ? 'chose no protocol' : `agreed to ${agreed} only`;
  return `--http2: ${new URL(target.url).origin} ${what} through ALPN, not h2: it does not speak HTTP/2 over TLS (drop --http2 to test it over HTTP/1.1)`;
}
