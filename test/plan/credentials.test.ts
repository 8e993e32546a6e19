/**
 * A password in the target URL is sent as HTTP Basic credentials, with both clients, and is never
 * printed or saved: the text summary, the JSON and the --out file show it as ***.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { perRequest, startRawServer, type RawServer } from '../helpers/raw-servers.js';
import { runStress } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';

let server: RawServer;
const requestHeads: string[] = [];
let folder: string;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'stress-credentials-'));
  server = await startRawServer((socket) => {
    socket.on('data', (chunk) => requestHeads.push(chunk.toString('latin1')));
    perRequest((answer) => answer.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))(socket);
  });
});
after(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

testEachClient('user:password in the URL: sent as Basic credentials, shown as *** everywhere', async (client, kind) => {
  requestHeads.length = 0;
  const out = join(folder, `${kind}.json`);
  const url = `http://admin:s3cr%40t@127.0.0.1:${server.port}/private`;
  const args = [url, '--rate', '50', '--duration', '400ms', '--warmup', '0', '--workers', '1', ...client];
  const text = await runStress([...args, '--out', out]);
  const json = await runStress([...args, '--json', '--quiet']);
  for (const run of [text, json]) assert.equal(run.code, 0, run.stderr);
  assert.ok(requestHeads.length > 0, 'requests arrived');
  const expected = `authorization: Basic ${Buffer.from('admin:s3cr@t').toString('base64')}`;
  for (const head of requestHeads) {
    assert.ok(head.toLowerCase().includes(expected.toLowerCase()), head);
    assert.match(head, /^GET \/private HTTP\/1\.1\r\n/, 'the request line carries no credentials');
  }
  const saved = readFileSync(out, 'utf8');
  for (const [what, content] of [
    ['the text summary', text.stdout + text.stderr],
    ['the JSON summary', json.stdout + json.stderr],
    ['the --out file', saved],
  ] as const) {
    assert.doesNotMatch(content, /s3cr/, `${what} shows the password`);
    assert.doesNotMatch(content, /YWRtaW46czNjckB0/, `${what} shows the encoded credentials`);
  }
  assert.match(JSON.parse(json.stdout).target, /^http:\/\/admin:\*\*\*@127\.0\.0\.1:\d+\/private$/);
});
