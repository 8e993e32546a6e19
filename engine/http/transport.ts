/**
 * The sender's view of an HTTP client: hand it a request's handler, and it calls the handler back
 * in undici's order (open-transport.ts makes one of either kind).
 */
import type { ConnectionListener } from './connection-setup.js';
import type { LeanRequestHandler } from './lean-pool.js';

/** The calls a request's handler gets, from either client. */
export type ExchangeHandler = LeanRequestHandler;

export interface Transport {
  /** sends the request now, or queues it until a connection is free */
  dispatch(handler: ExchangeHandler): void;
  /** opens the connections ahead of the first request, where the client can */
  openAll(): void;
  /** ends every connection */
  destroy(): Promise<void>;
}

export interface TransportOptions {
  connections: number;
  /** the requests' total deadline, ms (undici's own timers use it as a second line) */
  timeoutMs: number;
  /** told the set-up time of every connection opened (connection-setup.ts) */
  recorder: ConnectionListener;
}
