/**
 * Which endpoint of a request mix (--targets) each request goes to: a pure function of the
 * request's index in the run's global sequence, so that the workers and load boxes, each taking
 * every W-th request of that sequence (pacer.ts: worker w of W sends global requests w, w + W,
 * w + 2W...), send together exactly the sequence one sender would have.
 *
 * The sequence is a smooth weighted round robin over one cycle of S slots (S the sum of the
 * weights as whole numbers): before each pick every endpoint gains its weight, the one with the
 * most is picked and loses S. Each endpoint gets exactly its weight of every cycle, spread as
 * evenly as whole requests allow (a 1:2:7 mix is not seven of one, then two, then one): every
 * whole cycle is exact, and any window of consecutive requests is within two requests of its
 * share per endpoint (within one for a 1:2:7 mix; test/load/endpoint-mix.test.ts checks every window).
 */

/** The longest cycle: weights whose whole-number ratio needs more slots are rounded to it. */
export const MAX_CYCLE = 100_000;

/** Decimals a fractional weight keeps (0.125 is exact, 1/3 is 0.333333) before it is made whole. */
const WEIGHT_DECIMALS = 6;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Slots per cycle of each endpoint: the weights as the smallest whole numbers in the same ratio;
 * when that ratio needs more than MAX_CYCLE slots, MAX_CYCLE slots shared by largest remainder
 * (each endpoint keeping at least one). Weights are positive and finite (the plan checks them).
 */
export function cycleSlots(weights: readonly number[]): number[] {
  const scale = 10 ** WEIGHT_DECIMALS;
  const whole = weights.map((weight) => Math.max(1, Math.round(weight * scale)));
  const divisor = whole.reduce((a, b) => gcd(a, b));
  const reduced = whole.map((value) => value / divisor);
  const total = reduced.reduce((a, b) => a + b, 0);
  if (total <= MAX_CYCLE) return reduced;
  const exact = reduced.map((value) => Math.max(1, (value * MAX_CYCLE) / total));
  const slots = exact.map(Math.floor);
  const left = MAX_CYCLE - slots.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder);
  for (let i = 0; i < left && i < byRemainder.length; i++) slots[byRemainder[i]!.index]!++;
  return slots;
}

/** One cycle of the smooth weighted round robin: the endpoint of each of its positions. */
export function mixCycle(slots: readonly number[]): Uint8Array {
  if (slots.length > 256) throw new RangeError(`at most 256 endpoints, got ${slots.length}`);
  const total = slots.reduce((a, b) => a + b, 0);
  const cycle = new Uint8Array(total);
  const current = new Array<number>(slots.length).fill(0);
  for (let position = 0; position < total; position++) {
    let best = 0;
    for (let endpoint = 0; endpoint < slots.length; endpoint++) {
      current[endpoint]! += slots[endpoint]!;
      // ties go to the first endpoint: the same answer on every worker and box
      if (current[endpoint]! > current[best]!) best = endpoint;
    }
    current[best]! -= total;
    cycle[position] = best;
  }
  return cycle;
}

/**
 * One worker's view of the mix: the endpoint of its `local`-th request is that of global request
 * `local * slotCount + slot`. Built once per worker; `endpointOf` allocates nothing.
 */
export class WorkerMix {
  private readonly cycle: Uint8Array;

  constructor(
    weights: readonly number[],
    private readonly slot: number,
    private readonly slotCount: number,
  ) {
    this.cycle = mixCycle(cycleSlots(weights.length === 0 ? [1] : weights));
  }

  /** The endpoint of global request `index`. */
  endpointAt(index: number): number {
    return this.cycle[index % this.cycle.length]!;
  }

  /** The endpoint of this worker's `local`-th request (from 0, counting the warm-up's). */
  endpointOf(local: number): number {
    return this.cycle[(local * this.slotCount + this.slot) % this.cycle.length]!;
  }
}
