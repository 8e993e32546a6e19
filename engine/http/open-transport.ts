/**
 * Makes the client a run asks for. The lean client is loaded with the sender; undici only when
 * asked for, since loading it costs about 0.2 s of CPU in every worker.
 */
import { LeanPool } from './lean-pool.js';
import { tlsConnectOptions } from './tls-options.js';
import type { ClientKind, TargetSpec } from './target.js';
import type { Transport, TransportOptions } from './transport.js';

export async function openTransport(kind: ClientKind, target: TargetSpec, options: TransportOptions): Promise<Transport> {
  const url = new URL(target.url);
  const body = target.bodyBase64 === null ? null : Buffer.from(target.bodyBase64, 'base64');
  const request = { path: url.pathname + url.search, method: target.method, headers: target.headers, body };
  const tls = url.protocol === 'https:' ? tlsConnectOptions(target.tls, url.hostname.replace(/^\[|\]$/g, '')) : undefined;
  if (kind === 'undici') {
    const { undiciTransport } = await import('./undici-transport.js');
    return undiciTransport(url, request, { ...options, tls });
  }
  return new LeanPool(url, request, { ...options, tls });
}
