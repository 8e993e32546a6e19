/**
 * The README's POST example end to end: what -X, -H, --body and --body-file say is what reaches
 * the server, method, path, headers and body bytes, for both clients. The server is a plain
 * `node:http` one that records each request (the bundled target echoes nothing).
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEachClient } from '../helpers/each-client.js';
import { startRecordingServer } from '../helpers/recording-server.js';
import { seededRandom } from '../helpers/raw-servers.js';
import { runSummary } from '../helpers/stress-cli.js';

const dir = await mkdtemp(join(tmpdir(), 'stress-request-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Few requests, one client: each is checked, and none is left in flight at the end. */
const FEW = ['--clients', '1', '--requests', '5'];

testEachClient('-X POST, -H and --body reach the server as given', async (client) => {
  const server = await startRecordingServer();
  try {
    const args = [`${server.url}/orders?id=7&x=%20`, ...client, ...FEW, '-X', 'POST'];
    args.push('-H', 'Content-Type: application/json', '-H', 'X-Trace: a b;c=d', '--body', '{"a":1}');
    const { summary } = await runSummary(args, { limitMs: 30_000 });
    assert.equal(summary.totals.success, 5);
    assert.equal(server.received.length, 5, 'one request at the server per request counted');
    for (const request of server.received) {
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/orders?id=7&x=%20');
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(request.headers['x-trace'], 'a b;c=d');
      assert.equal(request.headers['content-length'], '7', 'the client frames the body itself');
      assert.equal(request.body.toString('latin1'), '{"a":1}');
    }
  } finally {
    await server.close();
  }
});

testEachClient('--body-file: every byte of the file reaches the server, binary bytes too', async (client) => {
  // every byte value, CR LF and NUL among them, and more than one TCP segment's worth
  const random = seededRandom(17);
  const bytes = Buffer.alloc(100_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i < 256 ? i : Math.floor(random() * 256);
  const file = join(dir, 'body.bin');
  await writeFile(file, bytes);
  const server = await startRecordingServer();
  try {
    const args = [`${server.url}/upload`, ...client, ...FEW, '-X', 'PUT', '--body-file', file];
    const { summary } = await runSummary(args, { limitMs: 30_000 });
    assert.equal(summary.totals.success, 5);
    assert.equal(server.received.length, 5);
    for (const request of server.received) {
      assert.equal(request.method, 'PUT');
      assert.equal(request.headers['content-length'], String(bytes.length));
      assert.ok(request.body.equals(bytes), `body of ${request.body.length} bytes differs from the file's ${bytes.length}`);
    }
  } finally {
    await server.close();
  }
});
