/**
 * Node's TLS connect options for an https target, from the plan's TLS spec: certificate checks on
 * or off (--insecure), the CAs trusted (--ca), the client certificate (--cert, --key) in one
 * secure context made once per pool rather than parsed again for every connection, and the name
 * sent as SNI (--servername, or the URL's host name; none for an IP address, as RFC 6066 wants).
 */
import net from 'node:net';
import type tls from 'node:tls';
import { HTTP1 } from './connection-setup.js';
import type { TlsSpec } from './target.js';

export function tlsConnectOptions(spec: TlsSpec | undefined, host: string): tls.ConnectionOptions {
  const servername = spec?.servername ?? (net.isIP(host) ? undefined : host);
  const options: tls.ConnectionOptions = { ALPNProtocols: [HTTP1], ...(servername === undefined ? {} : { servername }) };
  if (spec === undefined) return options;
  // node:tls (and with it node:crypto) loaded for an https target only
  const secureContext = process
    .getBuiltinModule('node:tls')
    .createSecureContext({ ca: spec.ca ?? undefined, cert: spec.cert ?? undefined, key: spec.key ?? undefined });
  return { ...options, secureContext, rejectUnauthorized: !spec.insecure };
}
