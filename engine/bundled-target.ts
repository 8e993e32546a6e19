/**
 * The bundled target server, started when no URL is given, in a thread of its own. In the
 * primary's thread it would share an event loop with the merging of every interval, the progress
 * line and the report files: any pause there would be served as the target's latency, and the
 * report would blame the server for the generator's work.
 *
 * The thread must have ended before the process exits. uWebSockets.js keeps native handles on
 * the thread's event loop while the server listens or holds a connection; a thread stopped with
 * them open (process.exit, or terminate) has its loop closed with handles still open, and Node
 * aborts the whole process (exit 134 and a native stack dump). So every way out closes the server
 * first, which lets the thread end on its own; a quick way out closes it without a drain.
 */
import { Worker } from 'node:worker_threads';
import type { TargetServerOptions } from '../target-server/server.js';
import type { BundledTargetCommand, BundledTargetMessage } from './bundled-target-thread.js';

export interface BundledTarget {
  /** resolves with the base URL (no trailing slash) and which uWebSockets.js came up (`native`, or the slow `fallback`) once it listens */
  readonly listening: Promise<{ url: string; engine: string }>;
  /**
   * Stops the server and ends its thread, resolving once the thread is gone. In-flight responses
   * get the server's own drain; `drainMs` 0 drops every connection at once, and cuts short a
   * close already draining. Safe to call at any time, and more than once.
   */
  close(drainMs?: number): Promise<void>;
}

/** How long closing may take before the thread is terminated: the server's own drain, and a margin. */
const CLOSE_LIMIT_MS = 5000;

export function startBundledTarget(options: TargetServerOptions): BundledTarget {
  const thread = new Worker(new URL('./bundled-target-thread.js', import.meta.url), { workerData: options });
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  const close = async (drainMs?: number): Promise<void> => {
    // a close sent before the server listens is read once it does; one sent after the thread ended goes nowhere
    thread.postMessage({ type: 'close', ...(drainMs === undefined ? {} : { drainMs }) } satisfies BundledTargetCommand);
    const limit = setTimeout(() => void thread.terminate(), CLOSE_LIMIT_MS);
    await exited;
    clearTimeout(limit);
  };
  const listening = new Promise<{ url: string; engine: string }>((resolve, reject) => {
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the bundled target server's thread ended (exit ${code}) before listening`)));
    thread.on('message', (message: BundledTargetMessage) => {
      if (message.type === 'listening') resolve({ url: message.url, engine: message.engine });
      else if (message.type === 'failed') reject(new Error(`the bundled target server did not start: ${message.message}`));
    });
  });
  // read by whoever awaits it; a failure after a close must not be an unhandled rejection
  listening.catch(() => undefined);
  return { listening, close };
}
