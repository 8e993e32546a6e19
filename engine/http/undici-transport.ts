/**
 * undici behind the sender's transport: its keep-alive Pool over HTTP/1.1 (the cross-check of the
 * lean client), and its clients over HTTP/2 (--http2), each connection carrying many streams.
 */
import net from 'node:net';
import tls from 'node:tls';
import { buildConnector, Client, Pool, type Dispatcher } from 'undici';
import { H2, timeConnection, type ConnectionListener } from './connection-setup.js';
import type { Http2Spec } from './target.js';
import type { ExchangeHandler, Transport, TransportOptions } from './transport.js';

/** A connection of --http2 whose server agreed to another protocol than h2 (or none): counted as `tls`. */
export const NOT_H2_CODE = 'STRESS_ERR_NOT_H2';

export interface UndiciOptions extends TransportOptions {
  tls?: tls.ConnectionOptions;
  /** the server's Unix socket; null: the origin's host and port */
  unixSocket: string | null;
  /** HTTP/2 and its streams per connection; null: HTTP/1.1 */
  http2: Http2Spec | null;
}

class NotH2Error extends Error {
  readonly code = NOT_H2_CODE;
}

/**
 * undici's own connector with the target's TLS options and socket path, each socket it opens
 * timed like the lean client's (connection-setup.ts). Its connector returns the socket it opens,
 * though its types say nothing of it; the tests of connection set-up under undici would see if
 * that changed. Under --http2 it offers h2 beside http/1.1 (undici's choice of ALPN list), and a
 * socket the server agreed to anything but h2 on is closed: the run is never served over HTTP/1.1
 * behind the user's back.
 */
function timedConnector(url: URL, options: UndiciOptions): buildConnector.connector {
  const connect = buildConnector({
    ...options.tls,
    checkServerIdentity: nameCheck,
    timeout: options.timeoutMs,
    ...(options.unixSocket === null ? {} : { socketPath: options.unixSocket }),
    ...(options.http2 === null ? {} : { allowH2: true }),
  });
  const secure = url.protocol === 'https:';
  const recorder = options.http2 === null ? options.recorder : onlyH2(options.recorder);
  return (connectOptions, callback) => {
    const checked: buildConnector.Callback =
      options.http2 === null
        ? callback
        : (...[error, socket]) => {
            if (error !== null) return callback(error, null);
            const refused = notH2(socket as tls.TLSSocket);
            if (refused === null) callback(null, socket);
            else callback(refused, null);
          };
    const socket: unknown = connect(connectOptions, checked);
    if (socket instanceof net.Socket) timeConnection(socket, secure, recorder);
    return socket;
  };
}

/** Closes `socket` and says why when its server agreed to another protocol than h2; null: it agreed to h2. */
function notH2(socket: tls.TLSSocket): NotH2Error | null {
  const agreed = socket.alpnProtocol;
  if (agreed === H2) return null;
  socket.destroy();
  return new NotH2Error(`the server agreed to ${agreed ? agreed : 'no protocol'} through ALPN, not h2 (it does not speak HTTP/2 here)`);
}

/** Counts only the connections that can carry HTTP/2: one agreed to anything else is closed at once. */
function onlyH2(listener: ConnectionListener): ConnectionListener {
  return {
    recordConnection: (connectMs, handshakeMs, protocol, tlsVersion) => {
      if (protocol === H2) listener.recordConnection(connectMs, handshakeMs, protocol, tlsVersion);
    },
  };
}

/**
 * Node's own check of the certificate's names, its error wrapped (the code on the cause, where
 * error-class.ts finds it). undici handles an error coded ERR_TLS_CERT_ALTNAME_INVALID apart: it
 * fails the requests waiting for the connection but then counts them as still running, and the
 * requests dispatched after that waited until their deadline (measured: 8 of 100 ended as timeouts).
 */
function nameCheck(hostname: string, cert: tls.PeerCertificate): Error | undefined {
  const refused = tls.checkServerIdentity(hostname, cert);
  return refused === undefined ? undefined : new Error(refused.message, { cause: refused });
}

export function undiciTransport(
  url: URL,
  requests: ReadonlyArray<{ path: string; method: string; headers: Record<string, string>; body: Buffer | null }>,
  options: UndiciOptions,
): Transport {
  const clientOptions = {
    pipelining: options.http2?.maxStreams ?? 1,
    // undici's own idle timers as a second line; the sender's sweep enforces the total deadline
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: timedConnector(url, options),
    keepAliveTimeout: 30_000,
    ...(options.http2 === null ? {} : { allowH2: true, maxConcurrentStreams: options.http2.maxStreams }),
  };
  // `servername` is undici's request option (its types leave it out): the name sent as SNI, which
  // it would otherwise take from the URL's host
  const dispatchOptions = requests.map((request) => ({
    origin: url.origin,
    path: request.path,
    method: request.method as Dispatcher.HttpMethod,
    headers: request.headers,
    body: request.body,
    // undici keeps a request it may not retry alone on its connection: under HTTP/1.1 that is
    // what is wanted (no pipelining), under HTTP/2 it would allow one stream per connection.
    // Nothing in its Client or Pool retries either way.
    idempotent: options.http2 !== null,
    blocking: false,
    ...(options.tls?.servername === undefined ? {} : { servername: options.tls.servername }),
  })) as Dispatcher.DispatchOptions[];
  // The handler is undici's low-level (legacy) interface on purpose: that path hands over raw
  // header buffers instead of parsing every response's headers into an object.
  if (options.http2 !== null) return new StreamSpread(options.connections, () => new Client(url.origin, clientOptions), dispatchOptions);
  const pool = new Pool(url.origin, { ...clientOptions, connections: options.connections });
  return {
    dispatch: (handler: ExchangeHandler) => pool.dispatch(dispatchOptions[handler.request]!, handler as Dispatcher.DispatchHandler),
    // undici opens its connections as requests need them
    openAll: () => undefined,
    destroy: () => pool.destroy(),
  };
}

/**
 * HTTP/2 over `--connections` connections, the requests spread over them in turn. undici's Pool
 * would fill its first connection to the stream limit before it opened a second, so a run's
 * connections would depend on its concurrency; here each takes its share (as h2load's do),
 * passing over one that is full until it drains.
 */
class StreamSpread implements Transport {
  private readonly clients: Client[] = [];
  private readonly full: boolean[] = [];
  private next = 0;

  constructor(
    connections: number,
    client: () => Client,
    /** each request's options, by the exchange's request index (a mix's endpoints at this origin) */
    private readonly options: readonly Dispatcher.DispatchOptions[],
  ) {
    for (let i = 0; i < connections; i++) {
      const opened = client();
      opened.on('drain', () => (this.full[i] = false));
      this.clients.push(opened);
      this.full.push(false);
    }
  }

  dispatch(handler: ExchangeHandler): void {
    const count = this.clients.length;
    let index = this.next;
    for (let tried = 0; tried < count && this.full[index]; tried++) index = (index + 1) % count;
    // all full: the next in turn queues it
    this.next = (index + 1) % count;
    this.full[index] = !this.clients[index]!.dispatch(this.options[handler.request]!, handler as Dispatcher.DispatchHandler);
  }

  /** undici opens its connections as requests need them: the first `--connections` requests open them all */
  openAll(): void {}

  async destroy(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.destroy()));
  }
}
