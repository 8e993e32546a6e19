/**
 * Requests waiting for a connection of the lean pool leave together, after the answers that freed
 * their connections have all been read (lean-pool.ts, `handOverFreed`). Against a raw server on
 * 127.0.0.1 that answers two connections in one write each, from one callback: the client's next
 * turn of the event loop reads both answers, and only then are the two waiting requests written.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { LeanPool, type LeanRequestHandler } from '../../engine/http/lean-pool.js';

const ANSWER = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** A server that answers once two requests are in, both at once. */
async function pairingServer(): Promise<{ port: number; server: net.Server; peers: net.Socket[] }> {
  const peers: net.Socket[] = [];
  let waiting: net.Socket[] = [];
  const server = net.createServer((peer) => {
    peers.push(peer);
    peer.on('data', () => {
      waiting.push(peer);
      if (waiting.length < 2) return;
      for (const answered of waiting) answered.write(ANSWER);
      waiting = [];
    });
    peer.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, server, peers };
}

/** A request that writes down what the pool does with it. */
function loggingHandler(id: number, log: string[], done: () => void): LeanRequestHandler {
  return {
    request: 0,
    onConnect: () => log.push(`write ${id}`),
    onHeaders: () => true,
    onData: () => true,
    onComplete: () => {
      log.push(`answer ${id}`);
      done();
    },
    onError: (error) => {
      log.push(`error ${id}: ${error.message}`);
      done();
    },
  };
}

test('two answers read in one turn of the event loop: both are taken before either waiting request is written', {
  timeout: 10_000,
}, async () => {
  const { port, server } = await pairingServer();
  const pool = new LeanPool(new URL(`http://127.0.0.1:${port}/`), [{ path: '/', method: 'GET', headers: {}, body: null }], {
    connections: 2,
    recorder: { recordConnection: () => undefined },
  });
  const log: string[] = [];
  let left = 4;
  const allDone = new Promise<void>((resolve) => {
    const done = () => {
      if (--left === 0) resolve();
    };
    // two take the connections, two wait for them
    for (let id = 1; id <= 4; id++) pool.dispatch(loggingHandler(id, log, done));
  });
  try {
    await allDone;
    assert.deepEqual(log.slice(0, 2), ['write 1', 'write 2'], log.join(', '));
    assert.deepEqual(log.slice(2, 4).sort(), ['answer 1', 'answer 2'], `both answers before the next writes: ${log.join(', ')}`);
    assert.deepEqual(log.slice(4, 6), ['write 3', 'write 4'], `the waiting requests in their order: ${log.join(', ')}`);
    assert.deepEqual(log.slice(6).sort(), ['answer 3', 'answer 4'], log.join(', '));
  } finally {
    await pool.destroy();
    server.close();
  }
});
