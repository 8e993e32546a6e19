/**
 * A histogram from a load box is decoded only once it is known to be one of ours: the same figures
 * as hdr-histogram-js's own decoder for everything stress writes, and a phrase, not an exception
 * or an unbounded inflate, for everything else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { decodeHistogramChecked, MAX_INFLATED_BYTES, MAX_TRACKABLE } from '../../engine/measure/hdr-decoding.js';
import { Histogram, slotsFor } from '../../engine/measure/histogram.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** The inflated bytes of an encoded histogram, and a way to wrap (changed) bytes back. */
function inflated(encoded: string): Buffer {
  return inflateSync(Buffer.from(encoded, 'base64').subarray(8));
}
function wrapped(raw: Buffer, cookie = 0x1c849314): string {
  const compressed = deflateSync(raw);
  const header = Buffer.alloc(8);
  header.writeInt32BE(cookie, 0);
  header.writeInt32BE(compressed.length, 4);
  return Buffer.concat([header, compressed]).toString('base64');
}

const random = seededRandom(7);
/** Histograms as stress writes them, and as hdr-histogram-js writes them (an agent of an older version). */
function samples(): string[] {
  const encoded: string[] = [];
  for (const values of [[], [0], [1, 2, 3], [5, 1e5, 3e9], Array.from({ length: 5000 }, () => Math.floor(random() ** 4 * 6e7))]) {
    const counts = new Histogram();
    const histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
    for (const value of values) {
      counts.recordValue(value);
      histogram.recordValue(value);
    }
    encoded.push(counts.encode(), encodeIntoCompressedBase64(histogram));
  }
  return encoded;
}

test('every histogram stress writes decodes to the figures of the trusted decoder', () => {
  for (const encoded of samples()) {
    const checked = decodeHistogramChecked(encoded);
    assert.notEqual(typeof checked, 'string', checked as string);
    const trusted = decodeFromCompressedBase64(encoded, 64);
    const mine = checked as Histogram;
    assert.equal(mine.totalCount, trusted.totalCount);
    for (const p of [0, 50, 99, 99.9, 100]) assert.equal(mine.getValueAtPercentile(p), trusted.getValueAtPercentile(p));
  }
});

test('the inflate limit is the most a valid histogram needs: every slot below 2^53 holding a count near 2^53', () => {
  const histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  // a count in every slot (the lowest value of each), each large: the densest encoding there is
  for (let slot = 0; slot < slotsFor(MAX_TRACKABLE); slot++) {
    const bucket = Math.max(0, (slot >> 10) - 1);
    const value = ((slot & 1023) + (slot < 1024 ? 0 : 1024)) * 2 ** bucket;
    if (value < MAX_TRACKABLE) histogram.recordValueWithCount(value, 2 ** 52);
  }
  const encoded = encodeIntoCompressedBase64(histogram);
  assert.ok(inflated(encoded).length <= MAX_INFLATED_BYTES, `${inflated(encoded).length} bytes inflated`);
  assert.notEqual(typeof decodeHistogramChecked(encoded), 'string');
});

test('anything else is refused with one phrase: garbage, inflate bombs, another layout, counts out of range', () => {
  const valid = inflated(new Histogram().encode());
  const changed = (change: (raw: Buffer) => Buffer | undefined): string => {
    const raw = Buffer.from(valid);
    return wrapped(change(raw) ?? raw);
  };
  const payload = (words: number[]): Buffer => {
    // ZigZag LEB128 words after a valid header, its payload length set to theirs
    const bytes: number[] = [];
    for (const value of words) {
      let word = value >= 0 ? value * 2 : -value * 2 - 1;
      while (word >= 0x80) {
        bytes.push((word % 0x80) | 0x80);
        word = Math.floor(word / 0x80);
      }
      bytes.push(word);
    }
    const raw = Buffer.concat([valid.subarray(0, 40), Buffer.from(bytes)]);
    raw.writeInt32BE(bytes.length, 4);
    return raw;
  };
  const table: Array<[string, string, RegExp]> = [
    ['empty', '', /^is not a compressed HdrHistogram/],
    ['three bytes', 'AAAA', /^is not a compressed HdrHistogram/],
    ['not base64', 'HIST!!!!', /^is not base64$/],
    ['too long', 'A'.repeat(4 * 200_000), /^is 800000 characters long, more than \d+$/],
    ['a V1 cookie', wrapped(valid, 0x1c849301), /^is not a compressed HdrHistogram/],
    ['the uncompressed form of a worker thread', new Histogram().encodeForThread(), /^is not a compressed HdrHistogram/],
    [
      'a wrong compressed length',
      (() => {
        const bytes = Buffer.from(new Histogram().encode(), 'base64');
        bytes.writeInt32BE(5, 4);
        return bytes.toString('base64');
      })(),
      /^declares 5 compressed bytes, it has \d+$/,
    ],
    [
      'not zlib',
      (() => {
        const bytes = Buffer.from(new Histogram().encode(), 'base64');
        bytes.fill(7, 8);
        return bytes.toString('base64');
      })(),
      /^does not inflate \(not zlib data\)$/,
    ],
    ['an inflate bomb', wrapped(Buffer.alloc(64 << 20)), /^inflates past 405544 bytes$/],
    ['zeros within the limit', wrapped(Buffer.alloc(1000)), /^is not an HdrHistogram \(no V2 encoding cookie\)$/],
    ['a payload length that is not its own', changed((raw) => void raw.writeInt32BE(99, 4)), /^declares 99 bytes of counts, it has 1$/],
    ['5 significant digits', changed((raw) => void raw.writeInt32BE(5, 12)), /^has 5 significant digits, not 3$/],
    ['a lowest value of 1000', changed((raw) => void raw.writeUInt32BE(1000, 20)), /^has a lowest value of 1000, not 1$/],
    [
      'a range up to 2^62',
      changed((raw) => void raw.writeUInt32BE(2 ** 30, 24)),
      /^tracks values up to 4611686018427388000, not from 2 to 2\^53$/,
    ],
    ['a count past 2^53', changed(() => payload([2 ** 53 + 2])), /^has a count past 2\^53$/],
    ['counts past the range', changed(() => payload([1, -3000, 1])), /^has counts past the 2048 slots of its range$/],
    ['a zero run past the range', changed(() => payload([-(2 ** 50)])), /^has counts past the 2048 slots of its range$/],
    [
      'a count cut short',
      changed(() => {
        const raw = Buffer.concat([valid.subarray(0, 40), Buffer.from([0x80])]);
        raw.writeInt32BE(1, 4);
        return raw;
      }),
      /^ends inside a count$/,
    ],
  ];
  for (const [why, encoded, problem] of table) {
    const checked = decodeHistogramChecked(encoded);
    assert.equal(typeof checked, 'string', why);
    assert.match(checked as string, problem, why);
  }
});
