import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationMs, parseFraction, parseRate, parseWholeNumber, UnitError } from '../../common/units.js';

test('durations: every unit, and a bare number as seconds', () => {
  const table: Array<[string, number]> = [
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250us', 0.25],
    ['3', 3000],
  ];
  for (const [text, ms] of table) assert.equal(parseDurationMs(text), ms, text);
});

test('durations: bad forms name the value and the accepted forms', () => {
  for (const bad of ['', 'abc', '-1s', '1x', 's', '1 s s']) {
    assert.throws(
      () => parseDurationMs(bad, '--duration'),
      (error: Error) => error instanceof UnitError && error.message.startsWith('--duration:') && error.message.includes('500ms'),
    );
  }
});

test('rates and fractions', () => {
  assert.equal(parseRate('2000'), 2000);
  assert.equal(parseRate('2k'), 2000);
  assert.equal(parseRate('1.5k/s'), 1500);
  assert.throws(() => parseRate('-5'), UnitError);
  assert.throws(() => parseRate('fast'), UnitError);
  assert.equal(parseFraction('0.05'), 0.05);
  assert.equal(parseFraction('5%'), 0.05);
  assert.throws(() => parseFraction('1.5'), UnitError);
  assert.throws(() => parseFraction('-0.1'), UnitError);
  assert.equal(parseWholeNumber('8', 'n', 1, 10), 8);
  assert.throws(() => parseWholeNumber('0', 'n', 1, 10), UnitError);
  assert.throws(() => parseWholeNumber('2.5', 'n', 1, 10), UnitError);
});
