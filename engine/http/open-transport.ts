/**
 * Makes the client a run asks for. The lean client is loaded with the sender; undici only when
 * asked for, since loading it costs about 0.2 s of CPU in every worker. HTTP/2 is undici's alone:
 * the lean client speaks HTTP/1.1 (the plan never pairs it with --http2).
 */
import { LeanPool } from './lean-pool.js';
import { tlsConnectOptions } from './tls-options.js';
import type { ClientKind, TargetSpec } from './target.js';
import type { Transport, TransportOptions } from './transport.js';

export async function openTransport(kind: ClientKind, target: TargetSpec, options: TransportOptions): Promise<Transport> {
  const url = new URL(target.url);
  // a mix's endpoints at this origin (the sender opens one transport per origin), or the one request
  const requests = (target.endpoints ?? [target]).map((endpoint) => {
    const { pathname, search } = new URL(endpoint.url);
    const body = endpoint.bodyBase64 === null ? null : Buffer.from(endpoint.bodyBase64, 'base64');
    return { path: pathname + search, method: endpoint.method, headers: endpoint.headers, body };
  });
  const http2 = target.http2 ?? null;
  const tls = url.protocol === 'https:' ? tlsConnectOptions(target.tls, url.hostname.replace(/^\[|\]$/g, '')) : undefined;
  const unixSocket = target.unixSocket ?? null;
  if (kind === 'undici') {
    const { undiciTransport } = await import('./undici-transport.js');
    return undiciTransport(url, requests, { ...options, tls, unixSocket, http2 });
  }
  if (http2 !== null) throw new Error('the lean client speaks HTTP/1.1 only: HTTP/2 needs undici');
  return new LeanPool(url, requests, { ...options, tls, unixSocket });
}
