/**
 * The bundled target server's own thread (see bundled-target.ts). It starts the server with the
 * options it was given, says where it listens, and closes it when told to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startTargetServer, type TargetServerOptions } from '../target-server/server.js';

/** Messages from this thread to the primary. */
export type BundledTargetMessage = { type: 'listening'; url: string; engine: string } | { type: 'failed'; message: string };

const port = parentPort!;
try {
  const server = await startTargetServer(workerData as TargetServerOptions);
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return;
    // with the server closed and the port too, nothing is left to run: the thread ends
    void server.close().then(() => port.close());
  });
  port.postMessage({ type: 'listening', url: server.url, engine: server.engine } satisfies BundledTargetMessage);
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message } satisfies BundledTargetMessage);
  port.close();
}
