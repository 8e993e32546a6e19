/**
 * A request mix's table in the text summary: one row per endpoint, its requests, successes and
 * failures, its latency percentiles from due time, body bytes and its errors by class.
 */
import type { EndpointSummary } from '../../summary/endpoint-summary.js';
import { fixed, tally } from '../../../common/format.js';

const COLUMNS = ['requests', 'success', 'failure', 'p50', 'p90', 'p99', 'max', 'bytes'];

export function endpointLines(endpoints: readonly EndpointSummary[] | undefined): string[] {
  if (!endpoints || endpoints.length === 0) return [];
  const width = Math.max(14, ...endpoints.map((endpoint) => endpoint.name.length + 2));
  const head = `${'Endpoints (ms)'.padEnd(width + 4)}${COLUMNS.map((column) => column.padStart(10)).join('')}  errors`;
  const rows = endpoints.map((endpoint) => {
    const { p50, p90, p99, max } = endpoint.latencyMs;
    const cells = [
      String(endpoint.requests),
      String(endpoint.success),
      String(endpoint.failure),
      ...[p50, p90, p99, max].map((value) => fixed(value)),
      String(endpoint.bytes),
    ];
    const errors = endpoint.failure > 0 ? tally(endpoint.errors) : '-';
    return `    ${endpoint.name.padEnd(width)}${cells.map((cell) => cell.padStart(10)).join('')}  ${errors}`;
  });
  return [head, ...rows];
}
