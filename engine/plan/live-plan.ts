/**
 * The flags of what watches a run while it lasts: `--metrics ADDR` (a Prometheus endpoint) and
 * `--metrics-linger`, validated into the plan's `metrics` part, every problem at once.
 *
 * An address for a server of the primary to listen on, as a user writes it: `9464`,
 * `127.0.0.1:9464`, `0.0.0.0:9464`, `[::1]:9464`, `localhost:9464`. A port alone binds loopback:
 * nothing the run exposes reaches another machine unless the user names an address that does.
 * Host names other than localhost are refused rather than resolved: which interface a name
 * binds would depend on DNS at the time of the run. Pure.
 */
import { isIP } from 'node:net';
import { parseDurationMs, UnitError } from '../../common/units.js';
import type { FlagValues } from './flags.js';

export interface ListenAddress {
  /** an IP literal (IPv6 without brackets) */
  host: string;
  /** 0: any free port, which the server then says */
  port: number;
}

export const DEFAULT_LISTEN_HOST = '127.0.0.1';

const PORT = /^\d{1,5}$/;

/** The address, or a phrase saying what is wrong with it (after `flag: "text" `). */
export function parseListenAddress(text: string): ListenAddress | string {
  const trimmed = text.trim();
  let host = DEFAULT_LISTEN_HOST;
  let portText = trimmed;
  const bracketed = /^\[([^\]]*)\]:(.*)$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
    if (isIP(host) !== 6) return 'has no IPv6 address between its brackets';
  } else if (trimmed.startsWith('[')) {
    return 'has no port after its IPv6 address (use e.g. [::1]:9464)';
  } else if (trimmed.includes(':')) {
    const colon = trimmed.lastIndexOf(':');
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
    if (host.includes(':')) return 'needs brackets around an IPv6 address, e.g. [::1]:9464';
    if (host === 'localhost') host = DEFAULT_LISTEN_HOST;
    else if (isIP(host) !== 4) return 'has no IP address before its port (use e.g. 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464)';
  }
  if (!PORT.test(portText) || Number(portText) > 65535) return 'has no port from 0 to 65535 (use e.g. 9464 or 127.0.0.1:9464)';
  return { host, port: Number(portText) };
}

/** `host:port` as a URL writes it (an IPv6 host in brackets). */
export function hostPort(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The Prometheus endpoint of a run. */
export interface MetricsPlan {
  address: ListenAddress;
  /**
   * After the summary, the endpoint stays up until it has served one scrape of the final figures,
   * at most this long, ms (0: it closes with the summary).
   */
  lingerMs: number;
}

/** Longest --metrics-linger: a few scrape intervals of the slowest usual setting (1 min). */
const MAX_LINGER_MS = 10 * 60_000;

export function metricsPlan(raw: Pick<FlagValues, 'metrics' | 'metricsLinger'>, problems: string[]): MetricsPlan | null {
  let lingerMs = 0;
  if (raw.metricsLinger !== undefined) {
    try {
      lingerMs = parseDurationMs(raw.metricsLinger, '--metrics-linger');
      if (lingerMs > MAX_LINGER_MS) problems.push(`--metrics-linger: "${raw.metricsLinger}" must be at most 10m`);
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      problems.push(error.message);
    }
    if (raw.metrics === undefined) problems.push('--metrics-linger needs --metrics ADDR (it keeps that endpoint up after the summary)');
  }
  if (raw.metrics === undefined) return null;
  const address = parseListenAddress(raw.metrics);
  if (typeof address === 'string') {
    problems.push(`--metrics: "${raw.metrics}" ${address}`);
    return null;
  }
  return { address, lingerMs };
}
