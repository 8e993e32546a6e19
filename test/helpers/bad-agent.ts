/**
 * A load box that breaks the protocol, started over real ssh by the tests of what the controller
 * accepts from its boxes. It is the real `stress agent` (runAgent, real load on the target) behind
 * a tap on its stdout: the box in global worker slot `s` (one worker per box: the s-th box given)
 * behaves as the s-th kind of the comma-separated argument says, `honest` passing everything on.
 * A box's first snapshot always goes through as it is, so it has sent valid data before it
 * misbehaves: what the controller must keep.
 *
 * `hello-*` kinds act on the hello, before any plan names a slot: they are for one-box runs.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { PassThrough, Writable } from 'node:stream';
import { createDeflate } from 'node:zlib';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { runAgent } from '../../engine/remote/agent.js';
import type { AgentMessage } from '../../engine/remote/agent-protocol.js';

/** Terminal escapes (a title change, a screen clear, a C1 CSI) and a forged line, as a hostile box would print them. */
export const ESCAPES = '\x1b]0;pwned\x07\x1b[2Jboom\u009b31m\r\nstress: forged line';

const kinds = (process.argv[2] ?? 'honest').split(',');
let kind = 'honest';
let snapshots = 0;
let spoiled = false;

type Line = string | (() => Promise<void>);

/** A compressed-histogram field whose deflated payload inflates to `bytes` zero bytes (about 1/1000 of that on the wire). */
async function inflateBomb(bytes: number): Promise<string> {
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => parts.push(chunk));
  const zeros = Buffer.alloc(1 << 20);
  for (let written = 0; written < bytes; written += zeros.length) if (!deflate.write(zeros)) await once(deflate, 'drain');
  deflate.end();
  await once(deflate, 'end');
  const compressed = Buffer.concat(parts);
  const header = Buffer.alloc(8);
  header.writeInt32BE(0x1c849304 | 0x10, 0);
  header.writeInt32BE(compressed.length, 4);
  return Buffer.concat([header, compressed]).toString('base64');
}

let bomb: Promise<string> | null = null;

/** A histogram of 5 significant digits: valid HdrHistogram, not the layout stress records. */
function otherLayout(): string {
  const histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 5, autoResize: true });
  for (let value = 1; value < 100_000; value *= 3) histogram.recordValue(value);
  return encodeIntoCompressedBase64(histogram);
}

/** Writes `bytes` of `x` with no newline, a MiB at a time as the pipe takes it. */
function longLine(bytes: number): () => Promise<void> {
  return async () => {
    const chunk = Buffer.alloc(1 << 20, 'x');
    for (let written = 0; written < bytes; written += chunk.length) {
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    }
  };
}

type Snapshot = Extract<AgentMessage, { type: 'snapshot' }>;

/** What the second snapshot of a box of each kind becomes. */
const SNAPSHOT_KINDS: Record<string, (message: Snapshot) => Line[] | Promise<Line[]>> = {
  'histogram-garbage': (message) => {
    message.snapshot.histograms.latencyUs = 'AAAA';
    return [JSON.stringify(message)];
  },
  'inflate-bomb': async (message) => {
    message.snapshot.histograms.latencyUs = await bomb!;
    return [JSON.stringify(message)];
  },
  layout: (message) => {
    message.snapshot.histograms.latencyUs = otherLayout();
    return [JSON.stringify(message)];
  },
  'interval-far': (message) => {
    message.snapshot.interval = 1e15;
    return [JSON.stringify(message)];
  },
  'phase-far': (message) => {
    message.snapshot.phase = 1e15;
    return [JSON.stringify(message)];
  },
  'huge-count': (message) => {
    // the step parts still add up: 1e308 plus a few is 1e308
    message.snapshot.counts.success = 1e308;
    if (message.snapshot.steps?.[0]) message.snapshot.steps[0].counts.success = 1e308;
    return [JSON.stringify(message)];
  },
  'negative-bytes': (message) => {
    message.snapshot.counts.bodyBytes = -5;
    return [JSON.stringify(message)];
  },
  'string-count': (message) => {
    (message.snapshot.counts as unknown as Record<string, unknown>).generatorBusyMs = '007';
    return [JSON.stringify(message)];
  },
  'errors-tally': (message) => {
    for (let i = 0; i < 5000; i++) (message.snapshot.errors as Record<string, number>)[`e${i}`] = 0;
    return [JSON.stringify(message)];
  },
  'inherited-key': (message) => {
    Object.assign(message.snapshot.statusCodes, { toString: 1 });
    return [JSON.stringify(message)];
  },
  'unknown-type': () => [JSON.stringify({ type: 'surprise' })],
  'long-line': () => [longLine(128 << 20)],
  'error-escapes': () => [
    JSON.stringify({ type: 'error', message: ESCAPES }),
    async () => {
      process.stderr.write(`${ESCAPES}\n`);
      process.exit(1);
    },
  ],
};

type Done = Extract<AgentMessage, { type: 'done' }>;

/** What the `done` of a box of each kind becomes. */
const DONE_KINDS: Record<string, (message: Done) => Line[]> = {
  'done-without-failures': (message) => {
    delete (message as Partial<Done>).workerFailures;
    return [JSON.stringify(message)];
  },
  'failure-escapes': (message) => {
    message.workerFailures = [{ workerIndex: 0, atS: 0.5, message: ESCAPES }];
    return [JSON.stringify(message)];
  },
};

async function spoil(message: AgentMessage): Promise<Line[]> {
  const honest = [JSON.stringify(message)];
  if (message.type === 'hello' && kinds[0] === 'hello-escapes') return [JSON.stringify({ ...message, version: ESCAPES })];
  if (kind === 'honest' || spoiled) return kind === 'long-line' && spoiled ? [] : honest;
  if (message.type === 'snapshot' && SNAPSHOT_KINDS[kind] && ++snapshots > 1) {
    spoiled = true;
    return SNAPSHOT_KINDS[kind](message);
  }
  if (message.type === 'done' && DONE_KINDS[kind]) {
    spoiled = true;
    return DONE_KINDS[kind](message);
  }
  return honest;
}

async function emit(lines: Line[]): Promise<void> {
  for (const line of lines) {
    if (typeof line === 'function') await line();
    else if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
  }
}

if (kinds[0] === 'hello-exit-escapes') {
  // a box whose remote command fails before any hello, saying why on stderr
  process.stderr.write(`${ESCAPES}\n`);
  process.exit(3);
}

process.stdout.on('error', () => process.exit(0)); // the controller hung up
const input = new PassThrough();
createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    try {
      const message = JSON.parse(line) as { type?: string; spec?: { workerSlots?: { first: number } } };
      if (message.type === 'plan') {
        kind = kinds[message.spec?.workerSlots?.first ?? 0] ?? 'honest';
        if (kind === 'inflate-bomb') bomb ??= inflateBomb(256 << 20);
      }
    } catch {
      // the agent itself answers what it cannot read
    }
    input.write(`${line}\n`);
  })
  .on('close', () => input.end());

const output = new Writable({
  write(chunk: Buffer, _encoding, done) {
    spoil(JSON.parse(String(chunk)) as AgentMessage)
      .then(emit)
      .then(() => done(), done);
  },
});

process.exit(await runAgent(input, output, process.stderr));
