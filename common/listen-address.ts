/**
 * The address a server of this process listens on (`--metrics ADDR`, `--dashboard ADDR`): `PORT`, `HOST:PORT`,
 * `[IPV6]:PORT` or `HOST`, where HOST is an IP address or `localhost`. A name other than
 * localhost is refused rather than resolved: which interface a name binds to would depend on
 * DNS at the moment of the run, and a live page must never land on a public interface by
 * surprise. Pure.
 */
import { isIP } from 'node:net';
import { stripControls } from './strip-controls.js';

export interface ListenAddress {
  /** an IP address (v4 or v6, without brackets) */
  host: string;
  /** 0: a free port chosen by the system */
  port: number;
}

/** Where a server listens when no address is given: loopback only, on a free port. */
export const LOOPBACK_ANY_PORT: ListenAddress = { host: '127.0.0.1', port: 0 };

/** `text` as an address, or one phrase saying what is wrong with it (`flag` names the flag). */
export function parseListenAddress(text: string, flag: string): ListenAddress | string {
  const shown = `${flag}: "${stripControls(text, 60)}"`;
  const hint = 'give PORT, HOST:PORT or [IPV6]:PORT, HOST an IP address or localhost';
  let host: string;
  let portText: string | null;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (text.startsWith('[')) {
    host = bracketed?.[1] ?? '';
    portText = bracketed?.[2] ?? null;
    if (!bracketed || isIP(host) !== 6) return `${shown} is not an IPv6 address in brackets (${hint})`;
  } else if (/^\d+$/.test(text)) {
    host = LOOPBACK_ANY_PORT.host;
    portText = text;
  } else {
    const colon = text.lastIndexOf(':');
    // more than one colon without brackets: an IPv6 address whose port could not be told apart
    if (colon >= 0 && text.indexOf(':') !== colon) return `${shown} is ambiguous: put an IPv6 address in brackets, [::1]:8080 (${hint})`;
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? null : text.slice(colon + 1);
    if (host === '') host = LOOPBACK_ANY_PORT.host;
    else if (host === 'localhost') host = '127.0.0.1';
    else if (isIP(host) !== 4) return `${shown} is not an address (${hint})`;
  }
  if (portText === null) return { host, port: 0 };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return `${shown}: the port must be a whole number from 0 to 65535 (${hint})`;
  return { host, port: Number(portText) };
}

/** `host:port` as a URL's authority (an IPv6 address in brackets). */
export function authority(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** An address a server could not listen on: one line saying why and how to fix it (exit 2). */
export class ListenError extends Error {
  readonly code = 'STRESS_ERR_LISTEN';
}

/** Why `flag`'s server could not listen on `address`, in the user's words. Pure. */
export function listenProblem(flag: string, address: ListenAddress, error: NodeJS.ErrnoException): string {
  const where = authority(address);
  switch (error.code) {
    case 'EADDRINUSE':
      return `${flag}: ${where} is in use by another process: give another port`;
    case 'EACCES':
      return `${flag}: no permission to listen on ${where} (ports below 1024 need privileges): give a port of 1024 or more`;
    case 'EADDRNOTAVAIL':
      return `${flag}: ${address.host} is not an address of this machine: give one of its own, 127.0.0.1 or 0.0.0.0`;
    default:
      return `${flag}: cannot listen on ${where}: ${error.message}`;
  }
}
