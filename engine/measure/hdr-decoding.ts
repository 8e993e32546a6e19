/**
 * A compressed HdrHistogram from another process (a load box), decoded only once it is known to
 * be one of ours: the V2 format that hdr-encoding.ts and hdr-histogram-js write, 3 significant
 * digits, values from 1 up to at most 2^53, every count a whole number its layout has room for.
 *
 * hdr-histogram-js's own decoder trusts its input: it inflates without any limit (a 348 KB field
 * of zeros inflated to hundreds of MiB), sizes its counts from the declared range and precision,
 * and throws on what it cannot read. Here the inflate stops at the most a valid histogram can
 * need, the header is read before any count, every count is checked as it is read, and what is
 * wrong comes back as one phrase instead of an exception. Pure, apart from zlib.
 */
import { HIGHEST_VALUE, Histogram, slotsFor } from './histogram.js';

/** V2 cookies without their word-size nibble (hdr-histogram-js and HdrHistogram set it to 0x10). */
const COMPRESSED_COOKIE = 0x1c849304;
const ENCODING_COOKIE = 0x1c849303;
const COOKIE_MASK = ~0xf0;
const HEADER_BYTES = 40;
const SIGNIFICANT_DIGITS = 3;
/** The highest value a histogram from elsewhere may track: beyond any µs or byte count a run records. */
export const MAX_TRACKABLE = HIGHEST_VALUE;
/** A count is at most 9 bytes as a ZigZag LEB128 word. */
const MAX_WORD_BYTES = 9;

/** The most bytes a valid histogram inflates to: its header, and every slot a word of the largest size. */
export const MAX_INFLATED_BYTES = HEADER_BYTES + slotsFor(MAX_TRACKABLE) * MAX_WORD_BYTES;
/** The most characters its base64 can take: the inflated size (deflate's stored blocks add little), its own header, base64's 4/3. */
export const MAX_ENCODED_CHARS = Math.ceil((MAX_INFLATED_BYTES + 1024) / 3) * 4;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function readInt64(buffer: Buffer, at: number): number {
  return buffer.readUInt32BE(at) * 2 ** 32 + buffer.readUInt32BE(at + 4);
}

/** The inflated histogram's slot count, from its header, or why it is not one of ours. */
function readHeader(inflated: Buffer): number | string {
  if (inflated.length < HEADER_BYTES || (inflated.readInt32BE(0) & COOKIE_MASK) !== ENCODING_COOKIE)
    return 'is not an HdrHistogram (no V2 encoding cookie)';
  const payload = inflated.readInt32BE(4);
  if (payload !== inflated.length - HEADER_BYTES) return `declares ${payload} bytes of counts, it has ${inflated.length - HEADER_BYTES}`;
  const digits = inflated.readInt32BE(12);
  if (digits !== SIGNIFICANT_DIGITS) return `has ${digits} significant digits, not ${SIGNIFICANT_DIGITS}`;
  const lowest = readInt64(inflated, 16);
  if (lowest !== 1) return `has a lowest value of ${lowest}, not 1`;
  const highest = readInt64(inflated, 24);
  if (!(highest >= 2 && highest <= MAX_TRACKABLE)) return `tracks values up to ${highest}, not from 2 to 2^53`;
  return slotsFor(highest);
}

/** The inflated histogram's counts, or why it is not one of ours: its header, then every count. */
function readCounts(inflated: Buffer): Histogram | string {
  const histogram = new Histogram();
  return readCountsInto(inflated, histogram) ?? histogram;
}

/**
 * Reads the inflated histogram into `into`, emptied first, its counts array grown only to hold the
 * range read (kept when it already does); null, or why it is not one of ours, `into` then untouched.
 */
function readCountsInto(inflated: Buffer, into: Histogram): string | null {
  const slots = readHeader(inflated);
  if (typeof slots === 'string') return slots;
  // one walk checks every count and notes the ones held; only a histogram found whole is touched
  const found = walkCounts(inflated, slots);
  if (typeof found === 'string') return found;
  into.reset();
  if (found > 0) {
    into.cover(foundSlots[0]!, foundSlots[found - 1]!);
    for (let index = 0; index < found; index++) into.addToSlot(foundSlots[index]!, foundCounts[index]!);
  }
  return null;
}

/** The slots that hold a count and their counts, in slot order, as the last walk found them; grown as needed, then reused. */
let foundSlots = new Int32Array(1024);
let foundCounts = new Float64Array(1024);

function noteFound(index: number, slot: number, count: number): void {
  if (index === foundSlots.length) {
    const slots = new Int32Array(index * 2);
    slots.set(foundSlots);
    foundSlots = slots;
    const counts = new Float64Array(index * 2);
    counts.set(foundCounts);
    foundCounts = counts;
  }
  foundSlots[index] = slot;
  foundCounts[index] = count;
}

/**
 * Reads and checks the counts after the header, noting each slot that holds one (foundSlots,
 * foundCounts): how many it noted, or what is wrong. Nothing but the notes is touched, so one walk
 * both checks a histogram from outside and reads it.
 */
function walkCounts(inflated: Buffer, slots: number): number | string {
  let found = 0;
  let slot = 0;
  for (let at = HEADER_BYTES; at < inflated.length; ) {
    let word = 0;
    let scale = 1;
    for (let size = 1; ; size++) {
      if (at >= inflated.length) return 'ends inside a count';
      const byte = inflated[at++]!;
      // the ninth byte of a word carries 8 bits, as HdrHistogram writes it
      if (size === MAX_WORD_BYTES) {
        word += byte * scale;
        break;
      }
      word += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 0x80;
    }
    // ZigZag: a negative word is a run of empty slots
    const value = word % 2 === 0 ? word / 2 : -(word + 1) / 2;
    if (value < 0) {
      slot -= value;
    } else {
      if (value > Number.MAX_SAFE_INTEGER) return 'has a count past 2^53';
      if (slot >= slots) return `has counts past the ${slots} slots of its range`;
      if (value > 0) noteFound(found++, slot, value);
      slot++;
    }
    if (slot > slots) return `has counts past the ${slots} slots of its range`;
  }
  return found;
}

/**
 * The histogram `encoded` holds (compressed V2, base64), or why it is not one stress could have
 * recorded. Nothing beyond MAX_INFLATED_BYTES is ever inflated.
 */
export function decodeHistogramChecked(encoded: string): Histogram | string {
  if (encoded.length > MAX_ENCODED_CHARS) return `is ${encoded.length} characters long, more than ${MAX_ENCODED_CHARS}`;
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return 'is not base64';
  return decodeCompressed(Buffer.from(encoded, 'base64'));
}

/** The checks after the text: the bytes of a compressed histogram, inflated within the limit and read. */
function decodeCompressed(bytes: Buffer): Histogram | string {
  const inflated = inflateChecked(bytes);
  return typeof inflated === 'string' ? inflated : readCounts(inflated);
}

/**
 * zlib's output comes in chunks of this size. Its default, 16 KB, is an array buffer of its own for
 * each inflate, only freed by a garbage collection, where a histogram inflates to a few KB: the
 * primary inflates two for every pair of points a long run's series merges (four an interval),
 * and its memory grew by megabytes a minute while it did. Under 4 KB a chunk comes from Node's
 * shared pool; a larger histogram takes a few chunks.
 */
const INFLATE_CHUNK_BYTES = 2048;

/** The bytes of a compressed histogram inflated, never past MAX_INFLATED_BYTES, or why they cannot be. */
function inflateChecked(bytes: Buffer): Buffer | string {
  if (bytes.length < 8 || (bytes.readInt32BE(0) & COOKIE_MASK) !== COMPRESSED_COOKIE)
    return 'is not a compressed HdrHistogram (no V2 compressed cookie)';
  const compressed = bytes.readInt32BE(4);
  if (compressed !== bytes.length - 8) return `declares ${compressed} compressed bytes, it has ${bytes.length - 8}`;
  // zlib loaded at the first compressed histogram: a worker thread never reads one
  const { inflateSync } = process.getBuiltinModule('node:zlib');
  try {
    return inflateSync(bytes.subarray(8), { maxOutputLength: MAX_INFLATED_BYTES, chunkSize: INFLATE_CHUNK_BYTES });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return `inflates past ${MAX_INFLATED_BYTES} bytes`;
    return 'does not inflate (not zlib data)';
  }
}

/**
 * A histogram from this process's own workers, which cannot be other than ours: a bad one is a
 * bug. Its text is not matched character by character (the primary decodes every histogram of
 * every worker, each interval); its layout and counts are still read with every check.
 */
export function decodeHistogram(encoded: string): Histogram {
  const histogram = new Histogram();
  decodeHistogramInto(encoded, histogram);
  return histogram;
}

/** As decodeHistogram, into `into` (emptied first): its counts array is kept when it holds the range. */
export function decodeHistogramInto(encoded: string, into: Histogram): void {
  decodeOwnInto(Buffer.from(encoded, 'base64'), into);
}

/**
 * As decodeHistogram, from its bytes (the base64 already read) into `into`: a decoder that reuses
 * its histograms allocates nothing once their ranges are known (see snapshot.ts's SnapshotDecoder).
 */
export function decodeOwnInto(bytes: Buffer, into: Histogram): void {
  // a worker's own: the V2 encoding without its deflate (Histogram.encodeForThread)
  const own = bytes.length >= 4 && (bytes.readInt32BE(0) & COOKIE_MASK) === ENCODING_COOKIE;
  const inflated = own ? bytes : inflateChecked(bytes);
  const problem = typeof inflated === 'string' ? inflated : readCountsInto(inflated, into);
  if (problem !== null) throw new Error(`a worker's histogram ${problem}`);
}
