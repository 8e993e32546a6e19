/**
 * Which stable error class a failed request belongs to. Pure: it looks only at the error's code
 * (and its cause's), as undici and Node report them.
 */
import type { ErrorClass } from './snapshot.js';

/** An abort we caused ourselves carries the class it must be counted in. */
export class RequestAbort extends Error {
  constructor(readonly errorClass: ErrorClass, message: string) {
    super(message);
  }
}

const BY_CODE: Record<string, ErrorClass> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'refused',
  EAI_AGAIN: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
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
};

export function classifyError(error: unknown): ErrorClass {
  if (error instanceof RequestAbort) return error.errorClass;
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code in BY_CODE) return BY_CODE[code]!;
      if (code.startsWith('HPE_')) return 'protocol';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return 'other';
}
