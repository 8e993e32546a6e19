import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'undici';
import { classifyError, RequestAbort } from '../engine/error-class.js';

const withCode = (code: string, cause?: unknown) => Object.assign(new Error(code), { code, cause });

test('each fault lands in exactly one stable class', () => {
  const table: Array<[unknown, string]> = [
    [withCode('ECONNREFUSED'), 'refused'],
    [withCode('ECONNRESET'), 'reset'],
    [new errors.SocketError('other side closed'), 'reset'],
    [new errors.HeadersTimeoutError(), 'timeout'],
    [new errors.BodyTimeoutError(), 'timeout'],
    [new errors.ConnectTimeoutError(), 'timeout'],
    [new errors.ResponseContentLengthMismatchError(), 'protocol'],
    [withCode('HPE_INVALID_CONSTANT'), 'protocol'],
    [withCode('EMFILE'), 'generator'],
    [withCode('EADDRNOTAVAIL'), 'generator'],
    [new RequestAbort('timeout', 'deadline'), 'timeout'],
    [new RequestAbort('interrupted', 'stopped'), 'interrupted'],
    [withCode('UND_ERR_SOCKET', withCode('ECONNREFUSED')), 'reset'],
    [Object.assign(new Error('wrapped'), { cause: withCode('ECONNREFUSED') }), 'refused'],
    [new Error('no code at all'), 'other'],
    [undefined, 'other'],
    ['a string', 'other'],
  ];
  for (const [error, expected] of table) assert.equal(classifyError(error), expected, String((error as Error)?.message ?? error));
});
