/**
 * Runs independent child processes a core's worth at a time. For tables of runs that send no load
 * and time nothing (bad input refused with exit 2): each waits mostly for Node to start, so the
 * table ends in about a core's share of the time it takes one after another.
 */
import { availableParallelism } from 'node:os';

/** `work(item)` for every item, at most `limit` at once; the results in the items' order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<R>,
  limit = availableParallelism(),
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]!, index);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
