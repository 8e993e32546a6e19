/**
 * What one worker records of one endpoint of a request mix over an interval: its requests, their
 * outcomes by class, body bytes and the latency of its successes. Its own histogram, so that an
 * endpoint's percentiles are merged exactly across workers and boxes like the run's. Nothing is
 * allocated per request: the tallies live for the worker's run and are emptied at each boundary.
 */
import { Histogram, usFrom } from './histogram.js';
import { ERROR_CLASSES, type EndpointOf, type ErrorClass } from './snapshot.js';

export class EndpointTally {
  requests = 0;
  success = 0;
  failure = 0;
  bodyBytes = 0;
  /** failures by class, in ERROR_CLASSES order */
  private readonly errors = new Array<number>(ERROR_CLASSES.length).fill(0);
  private readonly latencyUs = new Histogram();

  constructor(readonly endpoint: number) {}

  /** A whole response: a success below 400, else an `http` failure (as the step tallies count it). */
  response(status: number, bodyBytes: number, dueMs: number, doneMs: number): void {
    this.requests++;
    this.bodyBytes += bodyBytes;
    if (status < 400) {
      this.success++;
      this.latencyUs.recordValue(usFrom(doneMs - dueMs));
    } else {
      this.failed('http');
    }
  }

  /** A request that ended without a whole response. */
  failedWith(errorClass: ErrorClass, bodyBytes: number): void {
    this.requests++;
    this.bodyBytes += bodyBytes;
    this.failed(errorClass);
  }

  private failed(errorClass: ErrorClass): void {
    this.failure++;
    this.errors[ERROR_CLASSES.indexOf(errorClass)]!++;
  }

  /** The interval's figures on the wire; then empty again. */
  take(): EndpointOf<string> {
    const errors: Partial<Record<ErrorClass, number>> = {};
    ERROR_CLASSES.forEach((name, index) => {
      if (this.errors[index]! > 0) errors[name] = this.errors[index]!;
    });
    const part = {
      endpoint: this.endpoint,
      requests: this.requests,
      success: this.success,
      failure: this.failure,
      bodyBytes: this.bodyBytes,
      errors,
      latencyUs: this.latencyUs.encodeForThread(),
    };
    this.requests = 0;
    this.success = 0;
    this.failure = 0;
    this.bodyBytes = 0;
    this.errors.fill(0);
    this.latencyUs.reset();
    return part;
  }
}
