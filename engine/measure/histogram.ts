/**
 * The one histogram of stress: counts in HdrHistogram's own bucket layout (3 significant digits,
 * values from 1, integer values up to 2^53), so what it encodes is an HdrHistogram any of its
 * readers decodes, and what it decodes may come from any of its writers.
 *
 * Why not hdr-histogram-js's: it finds a value's bucket with Math.log2 and two Math.pow calls,
 * and reads and adds its counts one method call per bucket. On the hot path that was a few per
 * cent of a worker's CPU at four values a request; in the primary, which decodes and adds every
 * worker's histograms each interval, it was most of the primary's CPU at the start of a run,
 * before its code was optimised (about 1 s of a 10 s run at 40,000 req/s), and three count arrays
 * of garbage per histogram decoded. Here a value's bucket is a count of leading zeros and a shift,
 * and every walk is a plain loop over one Float64Array that grows with the highest value.
 */
import { encodeSlotCounts } from './hdr-encoding.js';

/** 2^10: half the sub-buckets of a bucket, for 3 significant digits (2 x 10^3 < 2^11). */
const HALF_MAGNITUDE = 10;
const HALF_COUNT = 1 << HALF_MAGNITUDE;
const TWO_POW_32 = 2 ** 32;
/** The highest value recorded as itself; anything above is counted at it (no run records 2^53 µs or bytes). */
export const HIGHEST_VALUE = 2 ** 53;

/** A time in ms as the whole µs the histograms of a run record (never below 0). */
export const usFrom = (ms: number): number => Math.max(0, Math.round(ms * 1000));

/** The slot of a value in [0, 2^31), as HdrHistogram's countsArrayIndex computes it. */
export function slotOf(value: number): number {
  if (value < 2 * HALF_COUNT) return value;
  // floor(log2(value)) - HALF_MAGNITUDE: how many times the value outgrew bucket 0
  const bucket = 31 - HALF_MAGNITUDE - Math.clz32(value);
  return ((bucket + 1) << HALF_MAGNITUDE) + (value >>> bucket) - HALF_COUNT;
}

/** The slot of any value in [0, 2^53]. */
function slotOfAny(value: number): number {
  if (value < 2 ** 31) return slotOf(value);
  const high = Math.floor(value / TWO_POW_32);
  const log2 = high > 0 ? 63 - Math.clz32(high) : 31;
  const bucket = log2 - HALF_MAGNITUDE;
  return (bucket + 1) * HALF_COUNT + Math.floor(value / 2 ** bucket) - HALF_COUNT;
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

/** How many values a slot stands for. */
function slotWidth(slot: number): number {
  return 2 ** Math.max(0, (slot >> HALF_MAGNITUDE) - 1);
}

/** The highest value a slot stands for. */
export function topOfSlot(slot: number): number {
  return valueOfSlot(slot) + slotWidth(slot) - 1;
}

/** Slots of a histogram tracking values from 1 up to `highest` (hdr-histogram-js's countsArrayLength). */
export function slotsFor(highest: number): number {
  let smallestUntrackable = 2 * HALF_COUNT;
  let buckets = 1;
  while (smallestUntrackable <= highest) {
    // as hdr-histogram-js: the bucket whose next doubling would pass 2^53 is the last
    if (smallestUntrackable > Number.MAX_SAFE_INTEGER / 2) {
      buckets++;
      break;
    }
    smallestUntrackable *= 2;
    buckets++;
  }
  return (buckets + 1) * HALF_COUNT;
}

/** Every slot there can be. */
export const MAX_SLOTS = slotsFor(HIGHEST_VALUE);

const NO_COUNTS = new Float64Array(0);
/** The least a histogram grows by, slots. */
const MIN_GROWTH = 64;
const ONE_EMPTY_SLOT = new Float64Array(1);

/** hdr-histogram-js's unit in the last place, the same formula, so that counts round as its own do. */
const ulp = (x: number): number => 2 ** (Math.floor(Math.log2(x)) - 52);

/** How many of `total` values lie at or below `percent`, as HdrHistogram's getValueAtPercentile counts them. */
function countAtPercentile(percent: number, total: number): number {
  const exact = (Math.min(percent, 100) / 100) * total;
  return Math.max(Math.ceil(exact - ulp(exact)), 1);
}

/** getValueAtPercentile's argument and answer, in the typed arrays fillValuesAt walks with */
const ONE_PERCENT = new Float64Array(1);
const ONE_VALUE = new Float64Array(1);

export class Histogram {
  /** counts of slots base .. base + counts.length - 1: a histogram holds only the range it saw */
  private counts: Float64Array = NO_COUNTS;
  private base = 0;
  private total = 0;
  private lowestSlot = MAX_SLOTS;
  private highestSlot = -1;

  /** How many values were recorded. */
  get totalCount(): number {
    return this.total;
  }

  /** `value`: a non-negative integer */
  recordValue(value: number): void {
    this.recordValueWithCount(value, 1);
  }

  recordValueWithCount(value: number, count: number): void {
    const slot = value < 2 ** 31 ? slotOf(value) : slotOfAny(Math.min(value, HIGHEST_VALUE));
    this.addToSlot(slot, count);
  }

  /** Adds `count` values to `slot` (0 <= slot < MAX_SLOTS): what a decoder does. */
  addToSlot(slot: number, count: number): void {
    let index = slot - this.base;
    if (index < 0 || index >= this.counts.length) {
      this.cover(slot, slot, true);
      index = slot - this.base;
    }
    this.counts[index]! += count;
    this.total += count;
    // no branch: a new lowest slot is rare once an interval has begun, and a branch the warm-up
    // hardly took was compiled as a bail-out that threw the recording code away
    this.lowestSlot = Math.min(this.lowestSlot, slot);
    this.highestSlot = Math.max(this.highestSlot, slot);
  }

  /** Adds everything `other` recorded. */
  add(other: Histogram): void {
    if (other.highestSlot < 0) return;
    this.cover(other.lowestSlot, other.highestSlot, true);
    const counts = this.counts;
    const from = other.counts;
    const shift = other.base - this.base;
    for (let index = other.lowestSlot - other.base, end = other.highestSlot - other.base; index <= end; index++)
      counts[index + shift]! += from[index]!;
    this.total += other.total;
    if (other.lowestSlot < this.lowestSlot) this.lowestSlot = other.lowestSlot;
    if (other.highestSlot > this.highestSlot) this.highestSlot = other.highestSlot;
  }

  /** Empty again, its counts kept for reuse. */
  reset(): void {
    if (this.highestSlot >= 0) this.counts.fill(0, this.lowestSlot - this.base, this.highestSlot - this.base + 1);
    this.total = 0;
    this.lowestSlot = MAX_SLOTS;
    this.highestSlot = -1;
  }

  /** The highest value recorded, at the top of its slot; 0 when empty. */
  get maxValue(): number {
    return this.highestSlot < 0 ? 0 : topOfSlot(this.highestSlot);
  }

  /** The mean as HdrHistogram computes it: each slot at its middle value. 0 when empty. */
  get mean(): number {
    // every field read before the walk: the walk is compiled on its own while it runs (OSR), and
    // a field first read after it, with no type feedback yet, sent that code back each time (five
    // compilations of this getter in a 10 s run)
    const { total, lowestSlot, highestSlot, counts, base } = this;
    if (total === 0) return 0;
    let sum = 0;
    for (let slot = lowestSlot; slot <= highestSlot; slot++) {
      const count = counts[slot - base]!;
      if (count !== 0) sum += (valueOfSlot(slot) + Math.floor(slotWidth(slot) / 2)) * count;
    }
    return sum / total;
  }

  /**
   * The values at `percents` (ascending, 0..100), as HdrHistogram's getValueAtPercentile gives
   * each (the top of the slot; the bottom for 0), in one walk; 0 for each when empty.
   */
  valuesAtPercentiles(percents: readonly number[]): number[] {
    const values = new Float64Array(percents.length);
    this.fillValuesAt(Float64Array.from(percents), values);
    return Array.from(values);
  }

  getValueAtPercentile(percent: number): number {
    ONE_PERCENT[0] = percent;
    this.fillValuesAt(ONE_PERCENT, ONE_VALUE);
    return ONE_VALUE[0]!;
  }

  /**
   * The walk of valuesAtPercentiles, from typed arrays: callers pass percentiles as whole numbers
   * and as fractions, and values may pass 2^31, and plain arrays of each kind had V8 compile this
   * walk again and again (seven times at the end of one run).
   */
  private fillValuesAt(percents: Float64Array, into: Float64Array): void {
    into.fill(0);
    let next = 0;
    let wanted = percents.length > 0 ? countAtPercentile(percents[0]!, this.total) : 0;
    let running = 0;
    for (let slot = this.lowestSlot; slot <= this.highestSlot && next < percents.length; slot++) {
      running += this.counts[slot - this.base]!;
      while (next < percents.length && running >= wanted) {
        into[next] = percents[next] === 0 ? valueOfSlot(slot) : topOfSlot(slot);
        if (++next < percents.length) wanted = countAtPercentile(percents[next]!, this.total);
      }
    }
  }

  /** The lowest value of the fullest slot (the first of equals); 0 when empty. */
  mode(): number {
    let best = -1;
    let bestCount = 0;
    for (let slot = this.lowestSlot; slot <= this.highestSlot; slot++) {
      if (this.counts[slot - this.base]! > bestCount) {
        bestCount = this.counts[slot - this.base]!;
        best = slot;
      }
    }
    return best < 0 ? 0 : valueOfSlot(best);
  }

  /**
   * Adds the counts into coarser buckets: `into[i]` gains the values of every slot whose highest
   * value is at most `bounds[i]` and above `bounds[i - 1]`, `into[bounds.length]` those above the
   * last bound. A slot is placed by its top, as a percentile reads it, so a count never sits under
   * a bound some of its values may exceed. Returns the sum of the values, each slot at its middle
   * (as `mean` counts them). `bounds`: ascending integers below 2^31; `into`: one longer.
   *
   * Once per interval in the primary, over every slot between the lowest and the highest: the
   * bounds become slot numbers first, and a slot's value steps by its width, so the walk is plain
   * additions (reading each slot's value from its number cost 0.1 µs a slot, milliseconds a walk).
   */
  addCountsByBound(bounds: readonly number[], into: number[]): number {
    if (this.highestSlot < 0) return 0;
    // the last slot whose top is at most the bound: the one before the slot of bound + 1
    const lastSlots = bounds.map((bound) => slotOf(bound + 1) - 1);
    let bucket = 0;
    let sum = 0;
    let width = slotWidth(this.lowestSlot);
    let middle = valueOfSlot(this.lowestSlot) + Math.floor(width / 2);
    for (let slot = this.lowestSlot; slot <= this.highestSlot; slot++) {
      if ((slot & (HALF_COUNT - 1)) === 0 && slot > this.lowestSlot) {
        // a new half-bucket: its slots are as wide as the formula says, from its own first value
        width = slotWidth(slot);
        middle = valueOfSlot(slot) + Math.floor(width / 2);
      }
      const count = this.counts[slot - this.base]!;
      if (count !== 0) {
        while (bucket < lastSlots.length && slot > lastSlots[bucket]!) bucket++;
        into[bucket]! += count;
        sum += middle * count;
      }
      middle += width;
    }
    return sum;
  }

  /** Everything recorded, as a compressed HdrHistogram (V2, base64): what leaves the process. */
  encode(): string {
    return this.encodeAs(true);
  }

  /**
   * Everything recorded, as an HdrHistogram (V2, base64) without its deflate, which only
   * hdr-decoding.ts's decodeHistogram reads: for a worker thread's snapshots to the primary.
   * Deflating every histogram of every interval cost each worker a zlib stream a time (hundreds
   * of kB of native memory each, allocated and freed again), and the primary one to inflate it:
   * in the endurance profile the native heap grew with that churn, and the text saved is a few
   * hundred bytes that never leave the process.
   */
  encodeForThread(): string {
    return this.encodeAs(false);
  }

  private encodeAs(compressed: boolean): string {
    // like HdrHistogram, an empty histogram still writes its first count
    if (this.highestSlot < 0) return encodeSlotCounts(ONE_EMPTY_SLOT, 0, -1, 2, compressed);
    // declared up to the top of the highest slot: a decoder sizes its counts to hold it
    const highestTrackable = Math.max(2, topOfSlot(this.highestSlot));
    return encodeSlotCounts(this.counts, this.base, this.highestSlot, Math.min(highestTrackable, HIGHEST_VALUE), compressed);
  }

  /**
   * Room for the slots `from` to `to`, what is counted kept. `slack`: half as much again on the
   * side that grew (a range that creeps copies rarely); without it, exactly that (a decoder, which
   * knows its range). Only the range seen is held: a body size is one slot, not the 2,048 below it.
   */
  cover(from: number, to: number, slack = false): void {
    const had = this.counts.length;
    if (had > 0 && from >= this.base && to < this.base + had) return;
    let low = had > 0 ? Math.min(from, this.base) : from;
    let high = had > 0 ? Math.max(to, this.base + had - 1) : to;
    if (slack) {
      const extra = Math.max(MIN_GROWTH, (high - low + 1) >> 1);
      if (had === 0 || from < this.base) low = Math.max(0, low - extra);
      if (had === 0 || to >= this.base + had) high = Math.min(MAX_SLOTS - 1, high + extra);
    }
    const counts = new Float64Array(high - low + 1);
    if (had > 0) counts.set(this.counts, this.base - low);
    this.counts = counts;
    this.base = low;
  }
}
