/**
 * The text of the run's connections: how many were opened and what the server agreed to (ALPN
 * protocol, TLS version), their set-up times (rendered as rows of the latency table by text.ts),
 * and the warning of a run that did not verify the server's certificate.
 */
import type { ConnectionSetup, Distribution } from '../../measure/statistics.js';
import { count, tally } from '../../../common/format.js';
import { stripControls } from '../../../common/strip-controls.js';

export const INSECURE_WARNING = "Warning: --insecure: the server's certificate was not verified (nothing proved who answered)";

/** One name alone when every connection agreed to it, else each with its count. */
function agreed(counts: Record<string, number>): string {
  const names = Object.keys(counts);
  return names.length === 1 ? stripControls(names[0]!, 100) : tally(counts);
}

/** ALPN's name for HTTP/2 is terse: the line says which protocol that is. */
function named(protocols: string): string {
  return protocols === 'h2' ? 'HTTP/2 (h2)' : protocols;
}

/** `Connections: 8 opened, http/1.1 over TLSv1.3`, `Connections: 2 opened, HTTP/2 (h2) over TLSv1.3`, or none. */
export function connectionLine(connections: ConnectionSetup): string {
  if (connections.opened === 0) return 'Connections: none opened';
  const over = Object.keys(connections.tlsVersions).length > 0 ? ` over ${agreed(connections.tlsVersions)}` : '';
  return `Connections: ${count(connections.opened)} opened, ${named(agreed(connections.protocols))}${over}`;
}

/** The set-up rows (label and figures) of the connections that were timed. */
export function setupRows(connections: ConnectionSetup): Array<[string, Distribution]> {
  const rows: Array<[string, Distribution]> = [];
  if (connections.connectMs.p50 !== null) rows.push(['connect', connections.connectMs]);
  if (connections.tlsHandshakeMs.p50 !== null) rows.push(['TLS handshake', connections.tlsHandshakeMs]);
  return rows;
}
