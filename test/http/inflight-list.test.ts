import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Exchange, InflightList, type ExchangeOwner } from '../../engine/http/exchange.js';
import { seededRandom } from '../helpers/seeded-random.js';

// the list never calls its owner: it only hands it to the exchange at its fixed point
const owner = {} as ExchangeOwner;

/** The list's exchanges, oldest first, as `ends` would take them: each the `first` once the one before is gone. */
function drained(list: InflightList): Exchange[] {
  const order: Exchange[] = [];
  for (let exchange = list.first; exchange !== null; exchange = list.first) {
    order.push(exchange);
    list.remove(exchange);
  }
  return order;
}

test('the in-flight list: adding and removing in any order keeps hand-over order, the size and the oldest', () => {
  const exchanges = Array.from({ length: 5 }, () => new Exchange(owner));
  const [a, b, c, d, e] = exchanges as [Exchange, Exchange, Exchange, Exchange, Exchange];
  const table: Array<{ why: string; add: Exchange[]; remove: Exchange[]; left: Exchange[] }> = [
    { why: 'empty', add: [], remove: [], left: [] },
    { why: 'one added, nothing removed', add: [a], remove: [], left: [a] },
    { why: 'the only one removed: empty again', add: [a], remove: [a], left: [] },
    { why: 'the oldest removed', add: [a, b, c], remove: [a], left: [b, c] },
    { why: 'the newest removed', add: [a, b, c], remove: [c], left: [a, b] },
    { why: 'one in the middle removed', add: [a, b, c], remove: [b], left: [a, c] },
    { why: 'all removed, newest first', add: [a, b, c], remove: [c, b, a], left: [] },
    { why: 'removed out of order', add: [a, b, c, d, e], remove: [d, a, e], left: [b, c] },
  ];
  for (const row of table) {
    const list = new InflightList(owner);
    for (const exchange of row.add) list.add(exchange);
    for (const exchange of row.remove) list.remove(exchange);
    assert.equal(list.size, row.left.length, row.why);
    assert.equal(list.first, row.left[0] ?? null, row.why);
    assert.deepEqual(drained(list), row.left, row.why);
    assert.equal(list.size, 0, row.why);
    for (const exchange of exchanges) assert.equal(exchange.next, null, `${row.why}: out of the list, unlinked`);
  }
});

test('the in-flight list: a seeded run of adds and removes matches an array, and an emptied list takes exchanges again', () => {
  const random = seededRandom(13);
  const list = new InflightList(owner);
  const model: Exchange[] = [];
  const spare = Array.from({ length: 64 }, () => new Exchange(owner));
  for (let step = 0; step < 20_000; step++) {
    // mostly the oldest leaves, as answers come back in order; sometimes another; sometimes all
    const roll = random();
    if (model.length > 0 && roll < 0.45) {
      const index = random() < 0.8 ? 0 : Math.floor(random() * model.length);
      const [gone] = model.splice(index, 1);
      list.remove(gone!);
      spare.push(gone!);
    } else if (roll < 0.46) {
      assert.deepEqual(drained(list), model);
      spare.push(...model.splice(0));
    } else if (spare.length > 0) {
      const exchange = spare.pop()!;
      list.add(exchange);
      model.push(exchange);
    }
    assert.equal(list.size, model.length);
    assert.equal(list.first, model[0] ?? null);
  }
  assert.deepEqual(drained(list), model);
});
