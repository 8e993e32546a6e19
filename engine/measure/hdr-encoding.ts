/**
 * HdrHistogram's compressed V2 encoding (what hdr-histogram-js decodes), written straight from a
 * counts array in HdrHistogram's bucket layout. A worker encodes a handful of histograms every
 * interval; going through an hdr-histogram-js histogram first cost a record call per non-zero
 * bucket (a log2 and a power each) and, as the histograms' ranges changed from one interval to the
 * next, recompiled that path again and again. Here it is one walk over the counts.
 *
 * The layout: a 40-byte header (cookie, payload length, normalizing offset, significant digits,
 * lowest and highest trackable value, conversion ratio), then each count as a ZigZag LEB128 word,
 * a run of zeros written as one negative word; the whole deflated (zlib) behind its own cookie
 * and length, in base64.
 */

/** V2 cookies; the word-size nibble 0x10 marks zero runs (TLZE), as HdrHistogram writes them. */
const ENCODING_COOKIE = 0x1c849303 | 0x10;
const COMPRESSED_COOKIE = 0x1c849304 | 0x10;
const HEADER_BYTES = 40;
/** A count below 2^53 is at most 8 LEB128 bytes once ZigZag doubled it. */
const MAX_WORD_BYTES = 8;
const TWO_POW_32 = 2 ** 32;
/** The high 32 bits of the IEEE 754 double 1.0 (its low 32 bits are zero). */
const DOUBLE_ONE_HIGH_WORD = 0x3ff00000;

/** Grown to the largest payload seen, then reused: encoding allocates only its result. */
let scratch = Buffer.allocUnsafe(HEADER_BYTES + 4096 * MAX_WORD_BYTES);

/**
 * zlib's defaults set up a 32 KB window and 256 KB of state, and a 16 KB output buffer, for an
 * input of a few hundred bytes: the primary deflates every merged interval for its series, and
 * each call cost 0.1 ms and 16 KB of array buffer that only a garbage collection returned
 * (megabytes a minute in an endurance run). A 4 KB window compresses these inputs as small
 * (measured: 411, 2,464 and 4,568 bytes against the defaults' 411, 2,480 and 4,539), any zlib
 * inflates it, and an output buffer under 4 KB comes from Node's shared pool.
 */
const SMALL_DEFLATE = { windowBits: 12, memLevel: 4, chunkSize: 2048 } as const;

/**
 * The base64 text of a histogram with 3 significant digits and values from 1 whose bucket counts
 * are `counts[0..highestSlot - firstSlot]` from slot `firstSlot` on, every slot below it empty
 * (integers below 2^53; `highestSlot` -1 when empty), declared to
 * track values up to `highestTrackableValue`, which must lie in or above the highest slot.
 * `compressed` false: the V2 encoding without its deflate, for a message between threads of one
 * process (see Histogram.encodeForThread).
 */
export function encodeSlotCounts(
  counts: ArrayLike<number>,
  firstSlot: number,
  highestSlot: number,
  highestTrackableValue: number,
  compressed = true,
): string {
  // like HdrHistogram, an empty histogram still writes its first count
  const limit = Math.max(highestSlot, 0) + 1;
  if (scratch.length < HEADER_BYTES + limit * MAX_WORD_BYTES) scratch = Buffer.allocUnsafe(HEADER_BYTES + limit * MAX_WORD_BYTES);
  const out = scratch;
  let at = HEADER_BYTES;
  let slot = 0;
  // the slots below the first held are empty: one run of zeros
  if (firstSlot > 1 && highestSlot >= firstSlot) {
    at = putZigZag(out, at, -firstSlot);
    slot = firstSlot;
  }
  while (slot < limit) {
    const count = slot < firstSlot ? 0 : counts[slot - firstSlot]!;
    slot++;
    if (count !== 0) {
      at = putZigZag(out, at, count);
      continue;
    }
    let zeros = 1;
    while (slot < limit && (slot < firstSlot || counts[slot - firstSlot] === 0)) {
      zeros++;
      slot++;
    }
    at = putZigZag(out, at, zeros > 1 ? -zeros : 0);
  }
  out.writeInt32BE(ENCODING_COOKIE, 0);
  out.writeInt32BE(at - HEADER_BYTES, 4);
  out.writeInt32BE(0, 8); // normalizing index offset: none
  out.writeInt32BE(3, 12); // significant value digits
  putInt64(out, 16, 1); // lowest discernible value
  putInt64(out, 24, highestTrackableValue);
  // the integer-to-double conversion ratio, the double 1.0 (decoders of integer histograms ignore
  // it), as its two big-endian words: writeDoubleBE, called only here and a few times a second,
  // could still be without type feedback when this function was optimised, and sent it back
  out.writeInt32BE(DOUBLE_ONE_HIGH_WORD, 32);
  out.writeInt32BE(0, 36);
  if (!compressed) return out.toString('base64', 0, at);
  // zlib loaded at the first compressed histogram: a worker thread never writes one (see Histogram.encodeForThread)
  const deflated = process.getBuiltinModule('node:zlib').deflateSync(out.subarray(0, at), SMALL_DEFLATE);
  const whole = Buffer.allocUnsafe(8 + deflated.length);
  whole.writeInt32BE(COMPRESSED_COOKIE, 0);
  whole.writeInt32BE(deflated.length, 4);
  deflated.copy(whole, 8);
  return whole.toString('base64');
}

/** Writes `value` (a safe integer) ZigZag encoded as LEB128 at `at`; returns the position after it. */
function putZigZag(out: Buffer, at: number, value: number): number {
  let word = value >= 0 ? value * 2 : -value * 2 - 1;
  while (word >= 0x80) {
    out[at++] = (word % 0x80) | 0x80;
    word = Math.floor(word / 0x80);
  }
  out[at++] = word;
  return at;
}

function putInt64(out: Buffer, at: number, value: number): void {
  out.writeUInt32BE(Math.floor(value / TWO_POW_32), at);
  out.writeUInt32BE(value % TWO_POW_32, at + 4);
}
