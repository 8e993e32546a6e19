import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { classifyError, errorKey, RequestAbort } from '../../engine/http/error-class.js';

const withCode = (code: string, cause?: unknown) => Object.assign(new Error(code), { code, cause });

test('each fault lands in exactly one stable class', () => {
  const table: Array<[unknown, string]> = [
    [withCode('ECONNREFUSED'), 'refused'],
    // a --unix-socket path whose socket is gone
    [withCode('ENOENT'), 'refused'],
    [withCode('ECONNRESET'), 'reset'],
    [new errors.SocketError('other side closed'), 'reset'],
    [new errors.HeadersTimeoutError(), 'timeout'],
    [new errors.BodyTimeoutError(), 'timeout'],
    [new errors.ConnectTimeoutError(), 'timeout'],
    [new errors.ResponseContentLengthMismatchError(), 'protocol'],
    [withCode('HPE_INVALID_CONSTANT'), 'protocol'],
    [withCode('EMFILE'), 'generator'],
    [withCode('EADDRNOTAVAIL'), 'generator'],
    // a certificate refused, a name not in it, a handshake OpenSSL or Node gave up
    [withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), 'tls'],
    [withCode('CERT_HAS_EXPIRED'), 'tls'],
    [withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'tls'],
    [withCode('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    [withCode('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), 'tls'],
    [withCode('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls'],
    [withCode('ERR_TLS_HANDSHAKE_TIMEOUT'), 'tls'],
    [withCode('EPROTO'), 'tls'],
    [withCode('UND_ERR_CONNECT', withCode('CERT_HAS_EXPIRED')), 'tls'],
    // a code named like an inherited property is no class's
    [withCode('toString'), 'other'],
    [new RequestAbort('timeout', 'deadline'), 'timeout'],
    [new RequestAbort('interrupted', 'stopped'), 'interrupted'],
    [new RequestAbort('too-large', 'over --max-body'), 'too-large'],
    // what undici 7 throws for a malformed response: its code is undefined, only the name tells
    [new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid status code)'), 'protocol'],
    [withCode('UND_ERR_SOCKET', withCode('ECONNREFUSED')), 'reset'],
    [Object.assign(new Error('wrapped'), { cause: withCode('ECONNREFUSED') }), 'refused'],
    [new Error('no code at all'), 'other'],
    [undefined, 'other'],
    ['a string', 'other'],
  ];
  for (const [error, expected] of table) assert.equal(classifyError(error), expected, String((error as Error)?.message ?? error));
});

test("the finer key: a code from the cause chain, the parser's reason, our own stable codes", () => {
  const table: Array<[unknown, string]> = [
    [withCode('ECONNREFUSED'), 'ECONNREFUSED'],
    [Object.assign(new Error('fetch failed'), { cause: withCode('EMFILE') }), 'EMFILE'],
    [new errors.SocketError('other side closed'), 'UND_ERR_SOCKET'],
    [
      new errors.HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid status code)'),
      'HTTPParserError: Invalid status code',
    ],
    [new RequestAbort('timeout', 'deadline'), 'STRESS_ERR_DEADLINE'],
    [new RequestAbort('too-large', 'cut'), 'STRESS_ERR_MAX_BODY'],
    [new RequestAbort('interrupted', 'stop'), 'STRESS_ERR_INTERRUPTED'],
    [new TypeError('bad'), 'TypeError'],
    [new Error('x'.repeat(500)), 'x'.repeat(80)],
    ['a string', 'unknown'],
  ];
  for (const [error, key] of table) assert.equal(errorKey(error), key);
});
