/**
 * Test helper: a `node:http` server on 127.0.0.1 port 0 that keeps what every request carried
 * (method, path, headers, body bytes) in arrival order, and answers each as the test says. For
 * the claims about what reaches a server, which the bundled target cannot tell (it echoes nothing).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** path and query, as sent */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Answers the request that arrived `index`-th (from 0); the default answers 200 `ok`. */
export type Answer = (index: number, request: IncomingMessage, response: ServerResponse) => void;

export interface RecordingServer {
  /** http://127.0.0.1:PORT, without a trailing slash */
  url: string;
  /** every request so far, in arrival order */
  readonly received: readonly Received[];
  close(): Promise<void>;
}

export const answerOk: Answer = (_index, _request, response) => response.end('ok');

export async function startRecordingServer(answer: Answer = answerOk): Promise<RecordingServer> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const index = received.length;
    const entry: Received = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.alloc(0) };
    received.push(entry);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      entry.body = Buffer.concat(chunks);
      answer(index, request, response);
    });
  });
  // the load's connections stay open between requests: a test's end must not wait for them
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
