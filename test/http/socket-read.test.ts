/**
 * The lean client's reads straight from a socket's handle (http/socket-read.ts), against a raw
 * server on 127.0.0.1: a read's bytes go to the handler, in the socket's `onread` buffer, and the
 * end of the stream and a reset still end the socket as Node's own read callback would.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { readStraight } from '../../engine/http/socket/socket-read.js';

async function server(onPeer: (peer: net.Socket) => void): Promise<{ port: number; close: () => void }> {
  const listener = net.createServer((peer) => {
    peer.on('error', () => undefined);
    onPeer(peer);
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  return { port: (listener.address() as net.AddressInfo).port, close: () => listener.close() };
}

/** A socket made as the lean client makes it, its reads taken straight from the handle. */
function straightSocket(port: number): { socket: net.Socket; straight: boolean; viaHandle: string[]; viaCallback: string[] } {
  const buffer = Buffer.alloc(64 * 1024);
  const viaHandle: string[] = [];
  const viaCallback: string[] = [];
  const socket = net.connect({
    host: '127.0.0.1',
    port,
    onread: {
      buffer,
      callback: (bytes: number) => {
        viaCallback.push(buffer.toString('latin1', 0, bytes));
        return true;
      },
    },
  });
  const straight = readStraight(socket, (bytes) => viaHandle.push(buffer.toString('latin1', 0, bytes)));
  return { socket, straight, viaHandle, viaCallback };
}

test("a read's bytes go to the handler, in the socket's onread buffer, and not to the onread callback", { timeout: 10_000 }, async () => {
  const { port, close } = await server((peer) => peer.write('HTTP/1.1 200 OK\r\n\r\n'));
  const { socket, straight, viaHandle, viaCallback } = straightSocket(port);
  assert.equal(straight, true, 'the stream_wrap binding is not usable: reads go through the onread callback');
  const deadline = Date.now() + 5000;
  while (viaHandle.join('').length < 19 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(viaHandle.join(''), 'HTTP/1.1 200 OK\r\n\r\n');
  assert.deepEqual(viaCallback, []);
  socket.destroy();
  close();
});

test('the end of the stream still ends and closes the socket', { timeout: 10_000 }, async () => {
  const { port, close } = await server((peer) => peer.end('bye'));
  const { socket, viaHandle } = straightSocket(port);
  const ended = once(socket, 'end');
  await once(socket, 'close');
  await ended;
  assert.equal(viaHandle.join(''), 'bye');
  close();
});

test('a reset still fails the socket with the system error', { timeout: 10_000 }, async () => {
  const { port, close } = await server((peer) => setTimeout(() => peer.resetAndDestroy(), 20));
  const { socket } = straightSocket(port);
  const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNRESET');
  assert.equal(socket.destroyed, true);
  close();
});
