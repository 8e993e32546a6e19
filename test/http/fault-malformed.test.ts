/**
 * Faults 2 and 6: responses cut off by the connection (reset) and responses that are not valid
 * HTTP (protocol), byte-exact from raw servers, plus a fuzz run of random bytes. No crash, every
 * failure in its class, nothing in `other` (which would mean an error nobody understood).
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import {
  fixedBytes,
  randomBytes,
  resetMidBody,
  seededRandom,
  startRawServer,
  type Behaviour,
  type RawServer,
} from '../helpers/raw-servers.js';
import { spawnTarget } from '../helpers/spawn-target.js';
import type { ClientKind } from '../../engine/http/target.js';
import { testEachClient } from '../helpers/each-client.js';
import { runSummary } from '../helpers/stress-cli.js';

const servers: RawServer[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function serve(behaviour: Behaviour): Promise<RawServer> {
  const server = await startRawServer(behaviour);
  servers.push(server);
  return server;
}

const ONE_SECOND = ['--rate', '100', '--duration', '1s', '--warmup', '0', '--workers', '1', '--timeout', '2s'];

testEachClient("malformed responses are protocol errors, each with the parser's reason", async (client, kind) => {
  // the reason as each client words it: undici's llhttp, or the lean client's parser codes
  const table: Array<{ name: string; bytes: string; key: Record<ClientKind, RegExp> }> = [
    {
      name: 'garbage bytes',
      bytes: 'garbage, not HTTP\r\n\r\n',
      key: { undici: /^HTTPParserError: Expected HTTP\//, lean: /^STRESS_ERR_PARSE_STATUS$/ },
    },
    {
      name: 'a bad status line',
      bytes: 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n',
      key: { undici: /^HTTPParserError: Invalid status code$/, lean: /^STRESS_ERR_PARSE_STATUS$/ },
    },
    {
      name: 'a Content-Length that is not a number',
      bytes: 'HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n',
      key: { undici: /^HTTPParserError: Invalid character in Content-Length$/, lean: /^STRESS_ERR_PARSE_CONTENT_LENGTH$/ },
    },
    {
      name: 'a Content-Length that contradicts the chunked body',
      bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      key: { undici: /^UND_ERR_RES_CONTENT_LENGTH_MISMATCH$/, lean: /^STRESS_ERR_PARSE_FRAMING_CONFLICT$/ },
    },
    {
      name: 'a header name with a space',
      bytes: 'HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n',
      key: { undici: /^HTTPParserError: Invalid header token$/, lean: /^STRESS_ERR_PARSE_HEADER$/ },
    },
  ];
  // independent servers and runs: side by side, to keep the suite short
  await Promise.all(
    table.map(async (row) => {
      const server = await serve(fixedBytes(row.bytes));
      const { summary } = await runSummary([...client, server.url, ...ONE_SECOND], { limitMs: 30_000 });
      assert.equal(summary.totals.requests, 100, row.name);
      assert.deepEqual(summary.totals.errors, { protocol: 100 }, row.name);
      const keys = Object.keys(summary.totals.errorCodes);
      assert.equal(keys.length, 1, `${row.name}: ${keys.join(', ')}`);
      assert.match(keys[0]!, row.key[kind], row.name);
    }),
  );
});

testEachClient('a response cut off half-way through its body is a reset, as is a connection the target drops', async (client) => {
  const raw = await serve(resetMidBody(2000));
  const target = await spawnTarget(['--close-rate', '0.5']);
  try {
    const [mid, dropped] = await Promise.all([
      runSummary([...client, raw.url, ...ONE_SECOND], { limitMs: 30_000 }),
      runSummary([...client, `${target.url}/hello`, ...ONE_SECOND], { limitMs: 30_000 }),
    ]);
    assert.deepEqual(mid.summary.totals.errors, { reset: 100 });
    assert.equal(mid.summary.bodyBytes, 100 * 1000, 'the half bodies were read and counted');
    const { totals } = dropped.summary;
    assert.equal(totals.requests, 100);
    assert.ok(totals.success >= 25 && totals.success <= 75, `success ${totals.success} of 100 with --close-rate 0.5`);
    assert.deepEqual(totals.errors, { reset: 100 - totals.success });
  } finally {
    await target.stop();
  }
});

testEachClient('fuzz: random bytes as responses never crash the generator, and every failure has a known class', async (client) => {
  const seed = Number(process.env.FUZZ_SEED ?? 20240607);
  const server = await serve(randomBytes(seededRandom(seed)));
  const { summary } = await runSummary([...client, server.url, '--rate', '400', '--duration', '2s', '--warmup', '0', '--timeout', '1s'], {
    limitMs: 30_000,
  });
  const { errors, requests } = summary.totals;
  assert.equal(requests, 800, `seed ${seed}`);
  assert.equal(errors.other, undefined, `seed ${seed}: unclassified errors ${JSON.stringify(summary.totals.errorCodes)}`);
  for (const name of Object.keys(errors)) assert.ok(['protocol', 'reset', 'timeout'].includes(name), `seed ${seed}: class ${name}`);
  assert.ok((errors.protocol ?? 0) >= requests / 2, `seed ${seed}: mostly protocol errors, got ${JSON.stringify(errors)}`);
});
