/**
 * The young generation each worker thread is given, MiB. Pure.
 *
 * V8 doubles a thread's semi-spaces when many young objects survive a scavenge, and halves them
 * back only once the thread allocates little. A stall of the target keeps a second of requests
 * alive through scavenges, so the first stall of a long run grows a worker's semi-spaces and they
 * stay grown: its process keeps those pages for the rest of the run. Bounded, a stall's
 * survivors are promoted instead, as garbage a major collection takes back.
 *
 * How small the bound may be depends on how fast the worker allocates. Undici allocates about
 * 6.6 KB a request and settles at 8 MiB semi-spaces at 1,000 req/s with nothing going wrong: its
 * workers keep the large bound at any rate. The lean client allocates a few hundred bytes a request:
 * at up to SMALL_HEAP_RATE req/s a worker fills a 2 MiB semi-space in a second or more, so a
 * scavenge a second at most; measured with the endurance profile (1,000 req/s, a 2 s stall every 5
 * minutes), its semi-spaces otherwise grew from 4 to 8 MiB at the first stall, 8 MiB more of the
 * process's memory from then on. Above that rate, or in a closed loop (whose rate is the server's),
 * the large bound keeps scavenges rare where the worker's CPU is what the run measures.
 */
import type { ClientKind } from '../http/target.js';
import type { RunSpec } from './contract.js';

/** Two semi-spaces of 8 MiB (V8 gives a third to each, the last third to young objects too large for them). */
export const LARGE_YOUNG_GENERATION_MB = 24;
/** Two semi-spaces of 2 MiB. */
export const SMALL_YOUNG_GENERATION_MB = 6;
/** The highest offered rate per worker, req/s, at which a lean worker takes the small bound. */
export const SMALL_HEAP_RATE = 5000;

/** `ratePerWorker`: the highest rate each worker is offered, req/s; null for a closed loop. */
export function youngGenerationMb(client: ClientKind, ratePerWorker: number | null): number {
  return client === 'lean' && ratePerWorker !== null && ratePerWorker <= SMALL_HEAP_RATE
    ? SMALL_YOUNG_GENERATION_MB
    : LARGE_YOUNG_GENERATION_MB;
}

/** The highest rate each of `workers` is offered, req/s (the load is split evenly); null for a closed loop. */
export function peakRatePerWorker(load: RunSpec['load'], workers: number): number | null {
  if (load.kind === 'clients') return null;
  let peak = 0;
  for (const segment of load.segments) peak = Math.max(peak, segment.fromRate, segment.toRate);
  return peak / Math.max(1, workers);
}
