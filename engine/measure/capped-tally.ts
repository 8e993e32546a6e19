/**
 * Counts by key in bounded memory. Status codes and error codes come from the target, and a
 * broken or hostile target can send a different one with every response; a tally that grew a
 * key for each would grow without bound over a soak run. So a tally keeps at most
 * `MAX_DISTINCT_KEYS` keys of its own and counts every further key under `other`. The first keys
 * seen keep their slots; the sum over all keys is always exact. Pure.
 */

/** Where counts of keys beyond the cap go. */
export const OVERFLOW_KEY = 'other';

/** Distinct keys a tally keeps before it counts the rest under `other`. */
export const MAX_DISTINCT_KEYS = 32;

/** Adds `n` to `key` in `counts` (a Map, for the recorder's hot path), or to `other` past the cap. */
export function countCapped<K>(counts: Map<K | typeof OVERFLOW_KEY, number>, key: K, n = 1, cap = MAX_DISTINCT_KEYS): void {
  const own = counts.get(key);
  if (own !== undefined) return void counts.set(key, own + n);
  const keys = counts.size - (counts.has(OVERFLOW_KEY) ? 1 : 0);
  const slot = keys < cap ? key : OVERFLOW_KEY;
  counts.set(slot, (counts.get(slot) ?? 0) + n);
}

/**
 * Adds every count of `from` into `into` (plain records, as merged snapshots hold them), capped the
 * same way. Own keys only: a key named like an inherited property (`toString`) is a key like any other.
 */
export function addCapped(into: Record<string, number>, from: Readonly<Record<string, number | undefined>>, cap = MAX_DISTINCT_KEYS): void {
  let keys = Object.keys(into).length - (Object.hasOwn(into, OVERFLOW_KEY) ? 1 : 0);
  for (const [key, n] of Object.entries(from)) {
    if (n === undefined) continue;
    if (Object.hasOwn(into, key)) {
      into[key]! += n;
    } else if (key !== OVERFLOW_KEY && key !== '__proto__' && keys < cap) {
      // (`__proto__`, assigned, would set a prototype: it is counted under `other`)
      into[key] = n;
      keys++;
    } else {
      into[OVERFLOW_KEY] = (Object.hasOwn(into, OVERFLOW_KEY) ? into[OVERFLOW_KEY]! : 0) + n;
    }
  }
}
