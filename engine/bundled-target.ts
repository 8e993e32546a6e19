/**
 * The bundled target server, started when no URL is given, in a thread of its own. In the
 * primary's thread it would share an event loop with the merging of every interval, the progress
 * line and the report files: any pause there would be served as the target's latency, and the
 * report would blame the server for the generator's work.
 */
import { Worker } from 'node:worker_threads';
import type { TargetServerOptions } from '../target-server/server.js';
import type { BundledTargetMessage } from './bundled-target-thread.js';

export interface BundledTarget {
  /** base URL without a trailing slash */
  url: string;
  /** which uWebSockets.js came up (`native`, or the slow `fallback`) */
  engine: string;
  /** stops the server (in-flight responses are drained) and ends its thread */
  close(): Promise<void>;
}

/** How long closing may take before the thread is terminated: the server's own drain, and a margin. */
const CLOSE_LIMIT_MS = 5000;

export function startBundledTarget(options: TargetServerOptions): Promise<BundledTarget> {
  const thread = new Worker(new URL('./bundled-target-thread.js', import.meta.url), { workerData: options });
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    thread.postMessage({ type: 'close' });
    const limit = setTimeout(() => void thread.terminate(), CLOSE_LIMIT_MS);
    await exited;
    clearTimeout(limit);
  };
  return new Promise((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the bundled target server's thread ended (exit ${code}) before listening`)));
    thread.on('message', (message: BundledTargetMessage) => {
      if (message.type === 'listening') resolve({ url: message.url, engine: message.engine, close });
      else if (message.type === 'failed') reject(new Error(`the bundled target server did not start: ${message.message}`));
    });
  });
}
