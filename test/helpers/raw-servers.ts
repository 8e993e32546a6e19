/**
 * Test helper: byte-exact misbehaving HTTP servers on raw `net` sockets, on 127.0.0.1 port 0,
 * for the faults a real server framework would never produce on purpose. Each answers every
 * request on a connection the same way; `close()` destroys every socket it still holds.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

export interface RawServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  port: number;
  /** connections accepted so far */
  readonly accepted: number;
  close(): Promise<void>;
}

/** What to do with each accepted socket. */
export type Behaviour = (socket: net.Socket) => void;

export async function startRawServer(behaviour: Behaviour): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // the client going away mid-answer is part of every test here, not a failure of the server
    socket.on('error', () => undefined);
    behaviour(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The kernel's range of ephemeral ports: what it gives a client socket, or a listen on port 0. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: the range Linux has by default
  }
  return [32768, 60999];
}

/**
 * A port free right now on `address`, from a listen on port 0 (a server started on it may still
 * lose it to another process meanwhile: its caller retries).
 */
export function freePort(address = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, address, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A port of 127.0.0.1 that is free and that the kernel never hands out by itself: outside its
 * ephemeral range, so no client socket gets it as its source port (a connection to itself, where
 * a test wants a refusal) and no listen on port 0 gets it while a test has it down. Port 0 is
 * no such port: bound, closed, then used, it could be taken meanwhile. Probed by listening on it
 * once; another one on EADDRINUSE.
 */
export async function portOutsideEphemeral(): Promise<number> {
  const [low, high] = ephemeralRange();
  // below the range when there is room, else above it
  const [from, to] = low > 11_000 ? [10_000, low - 1] : [high + 1, 65_535];
  if (to - from < 1000) throw new Error(`no room for test ports outside the ephemeral range ${low}-${high}`);
  for (let attempt = 0; ; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    const probe = net.createServer();
    const free = await new Promise<boolean>((resolve, reject) => {
      probe.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return port;
    }
    if (attempt >= 20) throw new Error('no free port outside the ephemeral range after 20 tries');
  }
}

/** A port nothing listens on, and that nothing is given meanwhile (portOutsideEphemeral): connections to it are refused. */
export const refusedPort = portOutsideEphemeral;

/** Calls `answer` once per request received (one request per chunk is enough for GETs without bodies). */
export function perRequest(answer: (socket: net.Socket) => void): Behaviour {
  return (socket) => socket.on('data', () => answer(socket));
}

/** Accepts, reads, never answers. */
export const neverAnswers: Behaviour = (socket) => socket.resume();

/** Headers for `length` bytes, then one byte every `everyMs`: never idle for long, never done soon. */
export function slowBody(length: number, everyMs: number): Behaviour {
  return perRequest((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n`);
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || sent >= length) return clearInterval(timer);
      socket.write('x');
      sent++;
    }, everyMs);
    socket.once('close', () => clearInterval(timer));
  });
}

/** Answers one request with a chunked body that never ends, 64 KiB per chunk, written as fast as the client reads (backpressure). */
export function endlessChunkedAnswer(socket: net.Socket): void {
  const chunk = Buffer.concat([Buffer.from(`${(64 * 1024).toString(16)}\r\n`), Buffer.alloc(64 * 1024, 'y'), Buffer.from('\r\n')]);
  socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on('drain', pump);
  pump();
}

/** A chunked body that never ends for every request (endlessChunkedAnswer). */
export const endlessChunked: Behaviour = perRequest(endlessChunkedAnswer);

/** Headers for `length` bytes, half of the body, then a TCP reset. */
export function resetMidBody(length: number): Behaviour {
  return perRequest((socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n${'z'.repeat(length / 2)}`, () => socket.resetAndDestroy());
  });
}

/** Answers every request with these exact bytes, then leaves the connection open. */
export function fixedBytes(bytes: string | Buffer): Behaviour {
  return perRequest((socket) => socket.write(bytes));
}

/**
 * Fuzz: answers each request with random bytes from `random` (seeded by the test, so a failure
 * can be replayed), sometimes after a plausible status line so the parser gets further in, then
 * closes or keeps the connection at random.
 */
export function randomBytes(random: () => number): Behaviour {
  const prefixes = [
    '',
    'HTTP/1.1 ',
    'HTTP/1.1 200 OK\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
  ];
  return perRequest((socket) => {
    const prefix = prefixes[Math.floor(random() * prefixes.length)]!;
    const noise = Buffer.alloc(1 + Math.floor(random() * 200));
    for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
    socket.write(Buffer.concat([Buffer.from(prefix), noise]));
    if (random() < 0.5) socket.end();
  });
}

/** Marsaglia's xorshift32: deterministic, so a fuzz run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
