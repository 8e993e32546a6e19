/**
 * The bundled target server's own thread (see bundled-target.ts). It starts the server with the
 * options it was given, says where it listens, and closes it when told to.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startTargetServer, type TargetServerOptions } from '../target-server/server.js';
import { collectGarbageEvery } from './run/garbage-collection.js';

/** Messages from this thread to the primary. */
export type BundledTargetMessage = { type: 'listening'; url: string; engine: string } | { type: 'failed'; message: string };

/** Messages from the primary: close, after a drain of at most `drainMs` (absent: the server's own). */
export type BundledTargetCommand = { type: 'close'; drainMs?: number };

const port = parentPort!;
try {
  // a close sent while the server starts waits in the port until this listener is added
  const server = await startTargetServer(workerData as TargetServerOptions);
  const stopCollecting = collectGarbageEvery();
  port.on('message', (message: BundledTargetCommand) => {
    if (message.type !== 'close') return;
    stopCollecting();
    // with the server closed and the port too, nothing is left to run: the thread ends
    void server.close(message.drainMs).then(() => port.close());
  });
  port.postMessage({ type: 'listening', url: server.url, engine: server.engine } satisfies BundledTargetMessage);
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message } satisfies BundledTargetMessage);
  port.close();
}
