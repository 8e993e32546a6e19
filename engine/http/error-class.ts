/**
 * Which stable error class a failed request belongs to, and the finer error code reported with it.
 * Pure: it looks only at the error's code (and its cause's), as undici and Node report them.
 */
import type { ErrorClass } from '../measure/snapshot.js';

/** Codes of the aborts we cause ourselves, by the class they are counted in. */
const ABORT_CODES: Partial<Record<ErrorClass, string>> = {
  timeout: 'STRESS_ERR_DEADLINE',
  interrupted: 'STRESS_ERR_INTERRUPTED',
  'too-large': 'STRESS_ERR_MAX_BODY',
};

/** An abort we caused ourselves carries the class it must be counted in. */
export class RequestAbort extends Error {
  readonly code: string;
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
  ) {
    super(message);
    this.code = ABORT_CODES[errorClass] ?? 'STRESS_ERR_ABORTED';
  }
}

const BY_CODE: Record<string, ErrorClass> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'refused',
  EAI_AGAIN: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  // a --unix-socket path whose socket file is gone: nothing listens there, as a closed port
  ENOENT: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol',
  UND_ERR_HEADERS_OVERFLOW: 'protocol',
  UND_ERR_INFO: 'protocol',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'protocol',
  // the generator's own limits, kept apart from the target's faults
  EMFILE: 'generator',
  ENFILE: 'generator',
  EADDRNOTAVAIL: 'generator',
  EADDRINUSE: 'generator',
  ENOBUFS: 'generator',
  ENOMEM: 'generator',
  UND_ERR_DESTROYED: 'interrupted',
  UND_ERR_CLOSED: 'interrupted',
  // the lean client's own (lean-pool.ts); its parser's codes start with STRESS_ERR_PARSE_
  STRESS_ERR_SOCKET_CLOSED: 'reset',
  STRESS_ERR_CLIENT_CLOSED: 'interrupted',
  // undici's connections under --http2 (undici-transport.ts): ALPN is TLS's part of the handshake
  STRESS_ERR_NOT_H2: 'tls',
};

/**
 * Node's codes for a certificate it refused (OpenSSL's verification results, as Node names them)
 * and for the name not in the certificate; the codes of a failed handshake start with
 * ERR_SSL_ (OpenSSL's alerts and reasons) or ERR_TLS_ (Node's own), and EPROTO is Node's code for
 * a handshake OpenSSL gave up without a reason of its own.
 */
const TLS_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);
const TLS_CODE_PREFIXES = ['ERR_SSL_', 'ERR_TLS_'] as const;

function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || TLS_CODE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/** Codes of the lean client's response parser: the server broke HTTP/1.1. */
const PARSE_CODE_PREFIX = 'STRESS_ERR_PARSE_';

/** undici's llhttp errors; its version here leaves their `code` undefined, so the name tells them apart. */
const PARSER_ERROR = 'HTTPParserError';

export function classifyError(error: unknown): ErrorClass {
  if (error instanceof RequestAbort) return error.errorClass;
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (Object.hasOwn(BY_CODE, code)) return BY_CODE[code]!;
      if (code.startsWith('HPE_') || code.startsWith(PARSE_CODE_PREFIX)) return 'protocol';
      if (isTlsCode(code)) return 'tls';
    }
    if ((current as { name?: unknown }).name === PARSER_ERROR) return 'protocol';
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}

/** Longest error key kept: messages of unknown errors can be long, and each key is stored. */
const MAX_KEY_LENGTH = 80;

/**
 * The error's finer name for the report, next to its class: the first code in its cause chain
 * (`ECONNREFUSED`, `EMFILE`, `UND_ERR_SOCKET`), the parser's reason for a malformed response, or
 * else its name or message. The set of such keys is open-ended; the tallies that hold them are capped.
 */
export function errorKey(error: unknown): string {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code.slice(0, MAX_KEY_LENGTH);
    current = (current as { cause?: unknown }).cause;
  }
  if (!(error instanceof Error)) return 'unknown';
  if (error.name === PARSER_ERROR) {
    const reason = /\(([^)]*)\)\s*$/.exec(error.message)?.[1];
    return `${PARSER_ERROR}: ${reason ?? error.message}`.slice(0, MAX_KEY_LENGTH);
  }
  return (error.name !== 'Error' ? error.name : error.message || 'Error').slice(0, MAX_KEY_LENGTH);
}
