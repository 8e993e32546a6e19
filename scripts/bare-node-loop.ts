/**
 * The bench's measure of Node itself: the least an open loop on `node:net` can do, to show what a
 * Node generator costs on the day before `stress` is compared with wrk2. Each request is one
 * pre-built Buffer written to a free keep-alive socket; each response is taken to be one `data`
 * event (true of the bundled target's short /hello answer, and of nothing in general: this is no
 * client); latency is timed from the request's due time, after the warm-up, as `stress` times it.
 *
 *   node dist/scripts/bare-node-loop.js URL RATE SECONDS WARMUP_SECONDS CONNECTIONS [stream|handle]
 *
 * `stream` (the default) reads `data` events and writes with `socket.write`, as the issue that
 * asked for this loop measured Node. `handle` takes the lean client's two shortcuts past Node's
 * stream machinery and nothing else of it (engine/http/socket/): each read lands in one buffer and
 * comes straight from the socket's handle, each request is written to the handle. That is the
 * least Node costs with `stress`'s own I/O, so what `stress` costs above it is its parser, pacing
 * and recording.
 *
 * prints {"requests": sent, the warm-up's included, "p99Ms": p99 after the warm-up}. Bounded: it
 * stops when every request has been answered, or SECONDS + WARMUP_SECONDS + 5 s after it began.
 */
import net from 'node:net';
import { readStraight } from '../engine/http/socket/socket-read.js';
import { writeWhole } from '../engine/http/socket/socket-write.js';

/** A socket's request, due at `dueMs`, is in flight. */
interface Connection {
  socket: net.Socket;
  dueMs: number;
}

function main(argv: readonly string[]): void {
  const [address, rateText, secondsText, warmupText, connectionsText, io = 'stream'] = argv;
  const url = new URL(address ?? '');
  const rate = Number(rateText);
  const warmupMs = Number(warmupText) * 1000;
  const connections = Number(connectionsText);
  const total = Math.round((rate * (Number(secondsText) * 1000 + warmupMs)) / 1000);
  if (
    url.protocol !== 'http:' ||
    !(rate > 0) ||
    !(total > 0) ||
    !(warmupMs >= 0) ||
    !(connections > 0) ||
    (io !== 'stream' && io !== 'handle')
  ) {
    process.stderr.write('usage: bare-node-loop.js http://HOST:PORT/PATH RATE SECONDS WARMUP_SECONDS CONNECTIONS [stream|handle]\n');
    process.exit(2);
  }
  const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`, 'latin1');
  // chosen once: the loop measures the write, not a choice of it
  const send = io === 'handle' ? (socket: net.Socket) => writeWhole(socket, request) : (socket: net.Socket) => socket.write(request);
  // an http URL without a port is port 80
  const port = Number(url.port) || 80;
  const latenciesMs = new Float64Array(total);
  let measured = 0;
  let sent = 0;
  let answered = 0;
  /** once the result is out (all answered, or the deadline): nothing more is sent or scheduled */
  let finished = false;
  const free: Connection[] = [];
  const all: Connection[] = [];
  // the first request is due once the sockets have had a moment to connect
  const startMs = performance.now() + 200;
  const dueMs = (index: number) => startMs + (index * 1000) / rate;

  const pump = () => {
    if (finished) return;
    const now = performance.now();
    while (sent < total && free.length > 0 && dueMs(sent) <= now) {
      const connection = free.pop()!;
      connection.dueMs = dueMs(sent++);
      send(connection.socket);
    }
  };
  const finish = () => {
    finished = true;
    clearTimeout(deadline);
    for (const connection of all) connection.socket.destroy();
    const sorted = latenciesMs.subarray(0, measured).sort();
    const p99Ms = measured > 0 ? sorted[Math.min(measured - 1, Math.floor(measured * 0.99))]! : null;
    process.stdout.write(`${JSON.stringify({ requests: sent, p99Ms })}\n`);
  };
  const tick = () => {
    pump();
    if (!finished && sent < total) setTimeout(tick, Math.max(0, dueMs(sent) - performance.now()));
  };
  const deadline = setTimeout(finish, 200 + (total * 1000) / rate + 5000);

  // handle: every read lands here, each taken whole before the next
  const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);
  const connect = (onResponse: () => void): net.Socket => {
    if (io === 'stream') return net.connect(port, url.hostname).on('data', onResponse);
    const callback = () => {
      onResponse();
      return true;
    };
    const socket = net.connect({ port, host: url.hostname, onread: { buffer: readBuffer, callback } });
    readStraight(socket, onResponse);
    return socket;
  };
  const onAnswer = (connection: Connection) => {
    if (finished) return;
    if (connection.dueMs >= startMs + warmupMs) latenciesMs[measured++] = performance.now() - connection.dueMs;
    free.push(connection);
    if (++answered === total) finish();
    else pump();
  };
  for (let index = 0; index < connections; index++) {
    // the callback runs on an answer, long after `connection` is set
    const connection: Connection = { socket: connect(() => onAnswer(connection)), dueMs: 0 };
    connection.socket.setNoDelay(true);
    connection.socket.on('error', (error) => {
      process.stderr.write(`bare-node-loop: ${error.message}\n`);
      process.exit(1);
    });
    // free once connected: the handle takes writes only then
    connection.socket.once('connect', () => free.push(connection));
    all.push(connection);
  }
  setTimeout(tick, 200);
}

main(process.argv.slice(2));
