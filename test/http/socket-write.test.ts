/**
 * The lean client's write past the stream machinery (http/socket-write.ts), against a raw server on
 * 127.0.0.1: the bytes arrive whole, also when the kernel takes them in parts (a write finished by
 * libuv later), and a write the peer can no longer take fails the socket with the system's error,
 * as `socket.write` would.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { WRITES_TO_HANDLE, writeWhole } from '../../engine/http/socket/socket-write.js';

/** A server that counts what each connection sends; `pause`: it reads nothing until resumed. */
async function countingServer(pause = false): Promise<{ port: number; received: () => number; server: net.Server; peers: net.Socket[] }> {
  let received = 0;
  const peers: net.Socket[] = [];
  const server = net.createServer((peer) => {
    peers.push(peer);
    if (pause) peer.pause();
    peer.on('data', (chunk: Buffer) => (received += chunk.length));
    peer.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, received: () => received, server, peers };
}

async function connected(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

test('the short path is the one taken on this Node', () => {
  assert.equal(WRITES_TO_HANDLE, true, 'the stream_wrap binding is not usable: every write goes through socket.write');
});

test('a request written to the handle arrives whole, and one larger than the kernel takes at once too', { timeout: 20_000 }, async () => {
  const { port, received, server, peers } = await countingServer(true);
  const socket = await connected(port);
  const small = Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n', 'latin1');
  writeWhole(socket, small);
  // far more than the socket buffers hold while the peer reads nothing: libuv finishes it later
  const large = Buffer.alloc(32 * 2 ** 20, 0x61);
  writeWhole(socket, large);
  assert.equal(socket.destroyed, false);
  while (peers.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  peers[0]!.resume();
  const expected = small.length + large.length;
  const deadline = Date.now() + 10_000;
  while (received() < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(received(), expected);
  socket.destroy();
  server.close();
});

test('a write to a connection the peer has reset fails the socket with the system error', { timeout: 10_000 }, async () => {
  const { port, server, peers } = await countingServer();
  const socket = await connected(port);
  const failed = once(socket, 'error');
  // not reading: the reset is met by the write, not by a read
  (socket as unknown as { _handle: { readStop(): number } })._handle.readStop();
  while (peers.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  peers[0]!.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 3 && !socket.destroyed; i++) {
    writeWhole(socket, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const [error] = (await failed) as [NodeJS.ErrnoException];
  assert.equal(error.syscall, 'write');
  assert.ok(['EPIPE', 'ECONNRESET'].includes(error.code!), `code ${error.code}`);
  assert.equal(socket.destroyed, true);
  server.close();
});

test('writes finished later on two sockets at once each arrive whole: a held write request is never handed to the next write', {
  timeout: 30_000,
}, async () => {
  const first = await countingServer(true);
  const second = await countingServer(true);
  const a = await connected(first.port);
  const b = await connected(second.port);
  // a small write the kernel takes whole, then on each socket one it cannot take while its peer reads nothing
  writeWhole(a, Buffer.from('GET / HTTP/1.1\r\n\r\n', 'latin1'));
  const large = Buffer.alloc(16 * 2 ** 20, 0x62);
  writeWhole(a, large);
  writeWhole(b, large);
  writeWhole(b, Buffer.from('x'));
  assert.equal(a.destroyed || b.destroyed, false);
  for (const { peers } of [first, second]) {
    while (peers.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    peers[0]!.resume();
  }
  const expectedA = 'GET / HTTP/1.1\r\n\r\n'.length + large.length;
  const expectedB = large.length + 1;
  const deadline = Date.now() + 20_000;
  while ((first.received() < expectedA || second.received() < expectedB) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(first.received(), expectedA);
  assert.equal(second.received(), expectedB);
  a.destroy();
  b.destroy();
  first.server.close();
  second.server.close();
});
