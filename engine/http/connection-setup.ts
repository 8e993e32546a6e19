/**
 * How long each new connection took to set up, apart from any request's latency: the TCP connect
 * (name lookup included) and, over https, the TLS handshake after it, with the protocol and TLS
 * version the server agreed to. Both clients time their sockets here, once per connection; a
 * connection that never becomes usable is not counted (its failure is the request's).
 */
import type net from 'node:net';
import type tls from 'node:tls';

/** What is told of each connection that can carry requests (the worker's recorder). */
export interface ConnectionListener {
  /** `handshakeMs` and `tlsVersion` are null over plain TCP; `protocol` is the ALPN one, or http/1.1 */
  recordConnection(connectMs: number, handshakeMs: number | null, protocol: string, tlsVersion: string | null): void;
}

/** The protocol both clients speak, offered through ALPN and assumed when none was agreed. */
export const HTTP1 = 'http/1.1';
/** HTTP/2's ALPN name: the one protocol a connection of --http2 may agree to (undici's client). */
export const H2 = 'h2';

/** Times `socket`, just opened (plain, or TLS when `secure`), and tells `listener` once it is ready. */
export function timeConnection(socket: net.Socket, secure: boolean, listener: ConnectionListener): void {
  const startMs = performance.now();
  let connectedMs = -1;
  socket.once('connect', () => {
    connectedMs = performance.now();
    if (!secure) listener.recordConnection(connectedMs - startMs, null, HTTP1, null);
  });
  if (!secure) return;
  socket.once('secureConnect', () => {
    const readyMs = performance.now();
    // a TLS socket reports its TCP connect first; should it not, the whole wait is the handshake's
    const tcpMs = connectedMs < 0 ? startMs : connectedMs;
    const secured = socket as tls.TLSSocket;
    listener.recordConnection(tcpMs - startMs, readyMs - tcpMs, secured.alpnProtocol || HTTP1, secured.getProtocol());
  });
}
