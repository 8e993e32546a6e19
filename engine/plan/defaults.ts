/**
 * The defaults of the plan, and the knobs of the bundled target: named once, read by the flag
 * table for --help and by the plan for the values it fills in.
 */
import { DEFAULT_CRITERIA } from '../verdict/breaking-point.js';

export const DEFAULTS = {
  rate: 1000,
  durationMs: 10_000,
  timeoutMs: 10_000,
  connectionsPerWorker: 64,
  /** HTTP/2 streams per connection, as h2load's -m and undici's own default */
  maxStreamsPerConnection: 100,
  maxInflightPerWorker: 4096,
  maxLagMs: DEFAULT_CRITERIA.lagBoundMs,
  intervalMs: 1000,
  warmupMs: 1000,
  stepMs: 10_000,
  rampSteps: 10,
  maxErrorRate: DEFAULT_CRITERIA.maxErrorRate,
} as const;

/** Fault knobs of the bundled target server that --bundled may set (its own flags' names). */
export const BUNDLED_KNOBS = ['latency', 'fail-rate', 'capacity', 'queue', 'pause-every', 'pause-for', 'close-rate'];
