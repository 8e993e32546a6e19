/**
 * The hot path's histogram: counts in HdrHistogram's own bucket layout (3 significant digits,
 * values from 1), recorded with integer arithmetic. hdr-histogram-js finds a value's bucket with
 * Math.log2 and two Math.pow calls, which at four values a request was a few per cent of a
 * worker's CPU; here it is a count of leading zeros and a shift. At each snapshot the counts are
 * encoded as they are, in HdrHistogram's own format (hdr-encoding.ts), so what leaves the worker
 * is the histogram it always was: the same buckets, the same counts.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import { encodeSlotCounts } from './hdr-encoding.js';
import { encodeHistogram } from './snapshot.js';

/** 2^10: half the sub-buckets of a bucket, for 3 significant digits (2 x 10^3 < 2^11). */
const HALF_MAGNITUDE = 10;
const HALF_COUNT = 1 << HALF_MAGNITUDE;
/** Values below 2^31 take the fast path: buckets 0 to 20. */
const FAST_LIMIT = 2 ** 31;
const FAST_SLOTS = (31 - HALF_MAGNITUDE + 1) * HALF_COUNT;

/** The slot of a value in [0, 2^31), as HdrHistogram's countsArrayIndex computes it. */
export function slotOf(value: number): number {
  if (value < 2 * HALF_COUNT) return value;
  // floor(log2(value)) - HALF_MAGNITUDE: how many times the value outgrew bucket 0
  const bucket = 31 - HALF_MAGNITUDE - Math.clz32(value);
  return ((bucket + 1) << HALF_MAGNITUDE) + (value >>> bucket) - HALF_COUNT;
}

/** The lowest value a slot stands for (HdrHistogram's valueFromIndex). */
export function valueOfSlot(slot: number): number {
  let bucket = (slot >> HALF_MAGNITUDE) - 1;
  let subBucket = (slot & (HALF_COUNT - 1)) + HALF_COUNT;
  if (bucket < 0) {
    subBucket -= HALF_COUNT;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}

export class BucketCounts {
  private readonly counts = new Float64Array(FAST_SLOTS);
  /** the rare values of 2^31 and over, recorded as they come */
  private readonly huge: Histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  /** what `toHistogram` fills and hands out */
  private readonly histogram: Histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  private lowestSlot = FAST_SLOTS;
  private highestSlot = -1;

  /** `value`: a non-negative integer */
  recordValue(value: number): void {
    this.recordValueWithCount(value, 1);
  }

  recordValueWithCount(value: number, count: number): void {
    if (value >= FAST_LIMIT) {
      this.huge.recordValueWithCount(value, count);
      return;
    }
    const slot = slotOf(value);
    this.counts[slot]! += count;
    if (slot < this.lowestSlot) this.lowestSlot = slot;
    if (slot > this.highestSlot) this.highestSlot = slot;
  }

  /** Everything recorded, as an hdr-histogram-js histogram (reused: read it before the next call). */
  toHistogram(): Histogram {
    const histogram = this.histogram;
    histogram.reset();
    for (let slot = this.lowestSlot; slot <= this.highestSlot; slot++) {
      const count = this.counts[slot]!;
      if (count !== 0) histogram.recordValueWithCount(valueOfSlot(slot), count);
    }
    if (this.huge.totalCount > 0) histogram.add(this.huge);
    return histogram;
  }

  /** Everything recorded, as an encoded HdrHistogram. */
  encode(): string {
    if (this.huge.totalCount > 0) return encodeHistogram(this.toHistogram());
    // declared up to the top of the highest slot: the decoder sizes its counts to hold it
    const highestTrackable = Math.max(2, valueOfSlot(this.highestSlot + 1) - 1);
    return encodeSlotCounts(this.counts, this.highestSlot, highestTrackable);
  }

  /** Adds everything `other` recorded. */
  add(other: BucketCounts): void {
    for (let slot = other.lowestSlot; slot <= other.highestSlot; slot++) this.counts[slot]! += other.counts[slot]!;
    if (other.lowestSlot < this.lowestSlot) this.lowestSlot = other.lowestSlot;
    if (other.highestSlot > this.highestSlot) this.highestSlot = other.highestSlot;
    if (other.huge.totalCount > 0) this.huge.add(other.huge);
  }

  /** Empty again. */
  reset(): void {
    if (this.highestSlot >= this.lowestSlot) this.counts.fill(0, this.lowestSlot, this.highestSlot + 1);
    this.lowestSlot = FAST_SLOTS;
    this.highestSlot = -1;
    this.huge.reset();
  }
}
