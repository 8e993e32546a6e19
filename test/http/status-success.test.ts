/**
 * The README's "success: a response with status below 400", end to end against the bundled
 * target's /status/:code: a 3xx is a success (redirects are answers, and are not followed), a
 * 4xx a failure of class http, and the status codes tally counts both.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { testEachClient } from '../helpers/each-client.js';
import { startRecordingServer } from '../helpers/recording-server.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { runSummary } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
before(async () => {
  target = await spawnTarget([]);
});
after(() => target.stop());

/** 20 requests to `path`, one client: each one is answered, none in flight at the end. */
async function twenty(client: string[], url: string) {
  const { summary } = await runSummary([url, ...client, '--clients', '1', '--requests', '20'], { limitMs: 30_000 });
  assert.equal(summary.totals.requests, 20);
  return summary;
}

testEachClient('3xx counts as a success, the last code below 400 too', async (client) => {
  for (const code of ['302', '399']) {
    const summary = await twenty(client, `${target.url}/status/${code}`);
    assert.equal(summary.totals.success, 20, `${code}: ${JSON.stringify(summary.totals)}`);
    assert.deepEqual(summary.totals.statusCodes, { [code]: 20 });
    assert.ok(summary.latencyMs.p50! > 0, 'latency is of successful requests: there is one');
  }
});

testEachClient('4xx counts as a failure of class http, from 400 on', async (client) => {
  for (const code of ['400', '404']) {
    const summary = await twenty(client, `${target.url}/status/${code}`);
    assert.equal(summary.totals.failure, 20, `${code}: ${JSON.stringify(summary.totals)}`);
    assert.deepEqual(summary.totals.errors, { http: 20 });
    assert.deepEqual(summary.totals.statusCodes, { [code]: 20 });
    assert.equal(summary.latencyMs.p50, null, 'no latency: nothing succeeded');
  }
});

testEachClient('a redirect is not followed: the request measured is the one given', async (client) => {
  const server = await startRecordingServer((_index, _request, response) => {
    response.writeHead(302, { location: '/elsewhere' }).end();
  });
  try {
    const summary = await twenty(client, `${server.url}/start`);
    assert.equal(summary.totals.success, 20);
    assert.deepEqual(
      server.received.map((request) => request.url),
      Array(20).fill('/start'),
    );
  } finally {
    await server.close();
  }
});
