// Every endpoint of bin/target-server, over real sockets on 127.0.0.1 against a child process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Pool } from 'undici';
import { rssBytes } from '../helpers/proc-stats.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';

let target: SpawnedTarget;
let pool: Pool;

before(async () => {
  target = await spawnTarget([]);
  pool = new Pool(target.url, { connections: 16 });
});

after(async () => {
  await pool.close();
  const stopping = performance.now();
  assert.equal(await target.stop(), 0);
  assert.ok(performance.now() - stopping < 2000, 'exits within 2 s of SIGTERM');
});

/** Status, headers and body length of one request (the body is counted, not kept). */
async function fetchLength(path: string, options: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD'; body?: Buffer } = {}) {
  const response = await pool.request({ path, method: options.method ?? 'GET', body: options.body ?? null });
  let length = 0;
  for await (const chunk of response.body) length += (chunk as Buffer).length;
  return { status: response.statusCode, headers: response.headers, length };
}

async function fetchText(path: string) {
  const response = await pool.request({ path, method: 'GET' });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

test('the native uWebSockets.js engine loaded (a fallback would measure node:http instead)', () => {
  assert.equal(target.engine, 'native', `first line: ${target.line}; stderr: ${target.stderr()}`);
  assert.match(target.line, /^listening on http:\/\/127\.0\.0\.1:\d+ \(uWebSockets\.js native\)$/);
});

test('/test-get/:n: lengths vary per request within 500..40000 bytes', async () => {
  const lengths: number[] = [];
  for (let batch = 0; batch < 10; batch += 1) {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetchLength(`/test-get/${batch * 20 + i}`)));
    for (const { status, length } of answers) {
      assert.equal(status, 200);
      lengths.push(length);
    }
  }
  assert.equal(lengths.length, 200);
  assert.ok(
    lengths.every((length) => length >= 500 && length <= 40_000),
    `out of range: ${lengths.filter((l) => l < 500 || l > 40_000)}`,
  );
  // uniform over ~39.5k values: 200 draws are nearly all distinct and spread over the range
  assert.ok(new Set(lengths).size > 150, `${new Set(lengths).size} distinct lengths`);
  assert.ok(Math.min(...lengths) < 10_000 && Math.max(...lengths) > 30_000, `min ${Math.min(...lengths)} max ${Math.max(...lengths)}`);
});

test('/hello and /health answer 200 with a small body', async () => {
  const hello = await fetchText('/hello');
  assert.equal(hello.status, 200);
  assert.match(hello.text, /hello/);
  assert.ok(hello.text.length < 100);
  const health = await fetchText('/health');
  assert.equal(health.status, 200);
  assert.equal(health.text, 'ok\n');
});

test('/bytes/:n: exactly n bytes, from 0 to 64 MiB; 400 beyond or when n is not a number', async () => {
  for (const n of [0, 1, 1000, 65_536, 65_537, 3 * 1024 * 1024 + 7]) {
    const { status, length, headers } = await fetchLength(`/bytes/${n}`);
    assert.equal(status, 200, `/bytes/${n}`);
    assert.equal(length, n, `/bytes/${n}`);
    assert.equal(headers['content-length'], String(n), `/bytes/${n}`);
  }
  const largest = await fetchLength(`/bytes/${64 * 1024 * 1024}`);
  assert.equal(largest.length, 64 * 1024 * 1024);
  for (const bad of [`/bytes/${64 * 1024 * 1024 + 1}`, '/bytes/abc', '/bytes/-5']) {
    const answer = await fetchText(bad);
    assert.equal(answer.status, 400, bad);
    assert.match(answer.text, /\/bytes\/:n needs n from 0 to 67108864/, bad);
  }
});

test('/bytes/:n streams with backpressure: a stalled reader costs the server no memory, and then gets every byte', async () => {
  const n = 64 * 1024 * 1024; // the largest body it serves
  const pid = target.child.pid!;
  await fetchLength('/bytes/1000000'); // the streaming path has run once: its code is loaded
  const baseline = rssBytes(pid)!;
  const url = new URL(target.url);
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`GET /bytes/${n} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    // not read for a while: the socket fills, and a server without backpressure would buffer the rest
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 600));
    let peak = rssBytes(pid)!;
    let received = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid) ?? 0)), 20);
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= n) resolve();
      });
      socket.resume();
    });
    clearInterval(sampler);
    const head = received - n;
    assert.ok(head > 0 && head < 512, `the head (${head} bytes) and exactly n bytes of body`);
    // buffered whole, the body would add its 64 MiB to the server's RSS; streamed, a few socket buffers
    const growth = peak - baseline;
    assert.ok(
      growth < n / 4,
      `RSS grew ${(growth / 2 ** 20).toFixed(1)} MiB over ${(baseline / 2 ** 20).toFixed(0)} MiB serving ${n / 2 ** 20} MiB`,
    );
  } finally {
    socket.destroy();
  }
});

test('/delay/:ms answers after ms without holding up other requests', async () => {
  const started = performance.now();
  const delayed = fetchText('/delay/400').then((answer) => ({ ...answer, ms: performance.now() - started }));
  const quickStarted = performance.now();
  const quick = await fetchText('/hello');
  const quickMs = performance.now() - quickStarted;
  const slow = await delayed;
  assert.equal(slow.status, 200);
  assert.ok(slow.ms >= 390 && slow.ms < 2000, `delay took ${slow.ms} ms`);
  assert.equal(quick.status, 200);
  assert.ok(quickMs < 200, `/hello took ${quickMs} ms while a delay was pending`);
  assert.equal((await fetchText('/delay/soon')).status, 400);
});

test('/status/:code answers that code; 204/304 carry no body; out of range is 400', async () => {
  for (const code of [200, 201, 301, 400, 418, 429, 500, 503, 599]) {
    const answer = await fetchText(`/status/${code}`);
    assert.equal(answer.status, code);
    assert.match(answer.text, new RegExp(`^${code} `));
  }
  for (const code of [204, 304]) {
    const answer = await fetchLength(`/status/${code}`);
    assert.equal(answer.status, code);
    assert.equal(answer.length, 0);
    assert.equal(answer.headers['content-length'], undefined, `${code} must not carry Content-Length`);
  }
  for (const bad of ['/status/99', '/status/600', '/status/ok']) assert.equal((await fetchText(bad)).status, 400, bad);
  // the connection stays usable after bodiless answers
  assert.equal((await fetchText('/hello')).status, 200);
});

test('/status/1xx: sent as a bare informational head (clients then wait for a final answer)', async () => {
  const head = await new Promise<string>((resolve, reject) => {
    const url = new URL(target.url);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      received += text;
      if (received.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => {
      socket.destroy();
      reject(new Error(`no answer; got ${JSON.stringify(received)}`));
    });
    socket.write('GET /status/103 HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  assert.match(head, /^HTTP\/1\.1 103 Early Hints\r\n/);
  assert.doesNotMatch(head, /content-length/i);
});

test('unknown paths are 404', async () => {
  for (const path of ['/', '/nope', '/hello/world', '/test-get/1/2']) {
    const answer = await fetchText(path);
    assert.equal(answer.status, 404, path);
    assert.match(answer.text, /no endpoint/);
  }
});

test('any method works; a request body is read and discarded; HEAD gets headers only', async () => {
  const body = Buffer.alloc(1024 * 1024, 'y');
  // one connection, so the next request proves the discarded body left the stream in sync
  const single = new Pool(target.url, { connections: 1 });
  try {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
      const response = await single.request({ path: '/hello', method, body: method === 'DELETE' || method === 'OPTIONS' ? null : body });
      assert.equal(response.statusCode, 200, method);
      assert.match(await response.body.text(), /hello/);
    }
    const posted = await single.request({ path: '/bytes/10', method: 'POST', body: 'small' });
    assert.equal((await posted.body.arrayBuffer()).byteLength, 10);
    const headed = await single.request({ path: '/bytes/1000000', method: 'HEAD' });
    assert.equal(headed.statusCode, 200);
    assert.equal(headed.headers['content-length'], '1000000');
    assert.equal((await headed.body.arrayBuffer()).byteLength, 0);
    const after = await single.request({ path: '/health', method: 'GET' });
    assert.equal(await after.body.text(), 'ok\n');
  } finally {
    await single.close();
  }
});
