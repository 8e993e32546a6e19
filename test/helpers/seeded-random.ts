/**
 * A small deterministic random source (a linear congruential generator modulo 2^31), so data-driven
 * tests repeat exactly. The product is taken in exact 32-bit integer arithmetic (`Math.imul`): as a
 * double it would pass 2^53 and lose its low bits, which collapsed every seed into one cycle of about
 * ten thousand draws.
 */
export function seededRandom(seed: number): () => number {
  let state = (seed >>> 0) & 0x7fffffff;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 2 ** 31;
  };
}
