/**
 * The lean HTTP/1.1 client of the hot path: keep-alive sockets of `node:net` (or `node:tls`), one
 * request per socket at a time (no pipelining), the request's bytes built once and written as one
 * Buffer, and a response parser written for the job (response-parser.ts) that counts body bytes
 * without copying them. It takes the same handler calls as undici's pool (`onConnect`,
 * `onHeaders`, `onData`, `onComplete`, `onError`), so the sender drives either the same way.
 *
 * Measured beside undici on one core (see BENCHMARKS.md): undici's per-request machinery (a
 * Request object, header strings, its queue) costs more CPU per request than the whole of this.
 * Nothing here is allocated per request except what Node allocates for a socket write.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { timeConnection, type ConnectionListener } from './connection-setup.js';
import { ResponseParser, type ResponseHandler } from './parse/response-parser.js';
import { readStraight } from './socket/socket-read.js';
import { writeWhole } from './socket/socket-write.js';

/** What the pool calls on the request it carries, in undici's order. */
export interface LeanRequestHandler {
  /** which of its pool's requests it sends (an index into the list the pool was built with) */
  readonly request: number;
  /** the request goes onto a connected socket now; `abort` ends it (and its connection) */
  onConnect(abort: (error?: Error) => void): void;
  onHeaders(statusCode: number): boolean;
  /** `chunk.length` body bytes went past; the chunk is a view, never kept */
  onData(chunk: { length: number }): boolean;
  onComplete(): void;
  onError(error: Error): void;
}

/** A failure of the lean client, with a stable code (error-class.ts classifies it). */
export class LeanClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server closed the connection before the response was whole: counted as `reset`. */
export const SOCKET_CLOSED_CODE = 'STRESS_ERR_SOCKET_CLOSED';

export interface LeanPoolOptions {
  connections: number;
  /** told the set-up time of every connection opened */
  recorder: ConnectionListener;
  /** an https origin's connect options (tls-options.ts); absent: Node's defaults */
  tls?: tls.ConnectionOptions;
  /** the server's Unix socket, connected to instead of the origin's host and port; null or absent: TCP */
  unixSocket?: string | null;
}

function closedEarly(): LeanClientError {
  return new LeanClientError(SOCKET_CLOSED_CODE, 'the server closed the connection before the response was whole');
}

/** One byte count reused for every body chunk: the handler reads only `length`. */
class ByteCount {
  length = 0;
}

/** One keep-alive connection and the request on it, if any. */
class LeanConnection implements ResponseHandler {
  socket: net.Socket | null = null;
  connected = false;
  current: LeanRequestHandler | null = null;
  private readonly parser: ResponseParser;
  private readonly bytes = new ByteCount();
  /** set while the parser hears that the socket closed: an incomplete response is then a reset */
  private closing = false;
  /** handed to each request at onConnect; one function for the connection's life */
  readonly abort = (error?: Error): void => {
    this.fail(error ?? new LeanClientError('STRESS_ERR_ABORTED', 'aborted'), this.unsent);
  };
  /** true while the request is handed over and not yet written: ending it then leaves the socket clean */
  private unsent = false;

  constructor(private readonly pool: LeanPool) {
    // plain reads land at the start of the pool's read buffer: the parser can recognise a repeated head there
    this.parser = new ResponseParser(this, pool.secure ? null : pool.readBuffer);
  }

  /**
   * Plain TCP reads land in the pool's one read buffer (`onread`), parsed at once: no Buffer and no
   * stream machinery per read. They come to `onBytes` straight from the socket's handle where
   * socket-read.ts can arrange it, else to `onRead`. Only the current socket's bytes are read; a
   * replaced socket is destroyed, so its late reads are dropped.
   */
  private readonly onRead = (bytes: number, buffer: Uint8Array): boolean => {
    this.parser.execute(buffer, bytes);
    return true;
  };

  private readonly onBytes = (bytes: number): void => {
    this.parser.execute(this.pool.readBuffer, bytes);
  };

  /** Takes a request: writes it at once on a connected socket, or connects first. */
  carry(handler: LeanRequestHandler): void {
    this.current = handler;
    if (this.connected) this.write();
    else if (this.socket === null) this.connect();
  }

  /** Opens the socket ahead of any request (an attempt that fails is retried by the first request). */
  open(): void {
    if (this.socket === null) this.connect();
  }

  private connect(): void {
    const socket = this.pool.openSocket(this.onRead, this.onBytes);
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once(this.pool.secure ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      if (this.current) this.write();
    });
    // TLS sockets have no `onread`: their bytes come as 'data' chunks
    if (this.pool.secure)
      socket.on('data', (chunk: Buffer) => {
        if (this.socket === socket) this.parser.execute(chunk);
      });
    socket.on('error', (error) => {
      if (this.socket === socket) this.fail(error);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      if (this.current !== null && this.connected) {
        this.closing = true;
        this.parser.finish();
        this.closing = false;
        // a close-delimited body ended, or the cut response failed: either may have moved on
        if (this.socket !== socket) return;
      }
      this.closed(closedEarly());
    });
  }

  private write(): void {
    // A handler may end its request as it is handed over (its deadline passed while it waited
    // for a socket): nothing was written, so the keep-alive socket stays and takes the next one.
    // A loop, not a call back into the pool: a queue of expired requests must not nest calls.
    for (let handler = this.current; handler !== null; handler = this.pool.nextWaiting()) {
      this.current = handler;
      this.unsent = true;
      handler.onConnect(this.abort);
      this.unsent = false;
      if (this.current === handler) {
        this.parser.expect(this.pool.headRequest[handler.request]!);
        writeWhole(this.socket!, this.pool.requestBytes[handler.request]!);
        return;
      }
    }
    this.pool.release(this);
  }

  onStatus(status: number): void {
    this.current?.onHeaders(status);
  }

  onBody(bytes: number): void {
    if (this.current === null) return;
    this.bytes.length = bytes;
    this.current.onData(this.bytes);
  }

  onComplete(keepAlive: boolean): void {
    const handler = this.current;
    this.current = null;
    if (!keepAlive) this.drop();
    if (handler === null) return;
    handler.onComplete();
    this.pool.release(this);
  }

  onError(code: string): void {
    this.fail(this.closing ? closedEarly() : new LeanClientError(code, `malformed response (${code})`));
  }

  /** The request on it fails with `error`; the connection is dropped (a later request reconnects). */
  /** `keepSocket`: nothing of the request was written, so the connection can carry the next one. */
  private fail(error: Error, keepSocket = false): void {
    const handler = this.current;
    this.current = null;
    if (!keepSocket) this.drop();
    // bytes or a close while idle end only the connection: it is in the idle list already
    if (handler === null) return;
    handler.onError(error);
    // an unsent request's connection goes on in write(), which takes the next one
    if (!keepSocket) this.pool.release(this);
  }

  /** The socket is gone: a request still on it fails with `error`. */
  private closed(error: Error): void {
    this.socket = null;
    this.connected = false;
    this.parser.reset();
    if (this.current !== null) this.fail(error);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    this.parser.reset();
    socket?.destroy();
  }

  destroy(): void {
    this.drop();
  }
}

/** The worker's connections to one origin and the requests waiting for one. */
export class LeanPool {
  /** each request's bytes, built once: the pool sends a few requests (a mix's endpoints at its origin) */
  readonly requestBytes: Buffer[];
  readonly headRequest: boolean[];
  readonly secure: boolean;
  private readonly idle: LeanConnection[] = [];
  private readonly all: LeanConnection[] = [];
  /** requests waiting for a connection, oldest first */
  private readonly waiting = new HandlerQueue();
  private destroyed = false;

  constructor(
    origin: URL,
    requests: ReadonlyArray<{ path: string; method: string; headers: Record<string, string>; body: Buffer | null }>,
    private readonly options: LeanPoolOptions,
  ) {
    this.secure = origin.protocol === 'https:';
    const host = origin.hostname.replace(/^\[|\]$/g, '');
    const port = Number(origin.port) || (this.secure ? 443 : 80);
    this.address = options.unixSocket ? { path: options.unixSocket } : { host, port };
    this.headRequest = requests.map((request) => request.method === 'HEAD');
    this.requestBytes = requests.map((request) => requestBytes(origin.host, request));
    for (let i = 0; i < options.connections; i++) {
      const connection = new LeanConnection(this);
      this.all.push(connection);
      this.idle.push(connection);
    }
  }

  /**
   * One read buffer for every plain connection of the pool: each read is parsed before the next.
   * Its own memory (not a slice of Node's pool), so it starts on a word boundary (repeated-head.ts).
   */
  readonly readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

  /** Where sockets connect: the server's Unix socket, or the origin's host and port. */
  private readonly address: { path: string } | { host: string; port: number };

  /** A new socket to the origin; plain reads go to `onBytes` (or `onRead`), TLS reads come as 'data'. */
  openSocket(onRead: (bytes: number, buffer: Uint8Array) => boolean, onBytes: (bytes: number) => void): net.Socket {
    let socket: net.Socket;
    // node:tls (and with it node:crypto) loaded for an https target only
    if (this.secure) socket = process.getBuiltinModule('node:tls').connect({ ...this.address, ...this.options.tls });
    else {
      socket = net.connect({ ...this.address, onread: { buffer: this.readBuffer, callback: onRead } });
      readStraight(socket, onBytes);
    }
    timeConnection(socket, this.secure, this.options.recorder);
    return socket;
  }

  /**
   * Opens every connection now, so that the first requests do not wait for handshakes. The idle
   * list is a stack: its top is opened first, so that when the machine runs out of file
   * descriptors the connections that did open are the ones requests take first.
   */
  openAll(): void {
    if (this.destroyed) return;
    for (let i = this.idle.length - 1; i >= 0; i--) this.idle[i]!.open();
  }

  /** Sends the request on a free connection, or queues it until one is free. */
  dispatch(handler: LeanRequestHandler): void {
    if (this.destroyed) {
      handler.onError(new LeanClientError('STRESS_ERR_CLIENT_CLOSED', 'the client is closed'));
      return;
    }
    const connection = this.idle.pop();
    if (connection) connection.carry(handler);
    else this.waiting.push(handler);
  }

  /** The oldest request waiting for a connection, taken off the queue. */
  nextWaiting(): LeanRequestHandler | null {
    return this.waiting.shift() ?? null;
  }

  /** A connection finished its request: it takes the oldest waiting one, or goes idle. */
  release(connection: LeanConnection): void {
    if (connection.current !== null) return;
    if (this.destroyed) return;
    const next = this.waiting.shift();
    if (next) connection.carry(next);
    else this.idle.push(connection);
  }

  /** Ends every connection; requests still waiting or in flight fail as interrupted by the caller's sweep. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const connection of this.all) connection.destroy();
    this.waiting.clear();
  }
}

/** A first-in first-out queue on a growing ring: no allocation per request once it has grown. */
class HandlerQueue {
  private slots: Array<LeanRequestHandler | undefined> = new Array(64);
  private head = 0;
  private size = 0;

  push(handler: LeanRequestHandler): void {
    if (this.size === this.slots.length) this.grow();
    this.slots[(this.head + this.size) % this.slots.length] = handler;
    this.size++;
  }

  shift(): LeanRequestHandler | undefined {
    if (this.size === 0) return undefined;
    const handler = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.size--;
    return handler;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const grown: Array<LeanRequestHandler | undefined> = new Array(this.slots.length * 2);
    for (let i = 0; i < this.size; i++) grown[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = grown;
    this.head = 0;
  }
}

/** The request line, headers and body, once: every request of the run is these bytes. */
export function requestBytes(
  host: string,
  request: { path: string; method: string; headers: Record<string, string>; body: Buffer | null },
): Buffer {
  const lines = [`${request.method} ${request.path} HTTP/1.1`];
  if (!('host' in request.headers)) lines.push(`host: ${host}`);
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  if (request.body !== null && !('content-length' in request.headers)) lines.push(`content-length: ${request.body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return request.body === null ? head : Buffer.concat([head, request.body]);
}
