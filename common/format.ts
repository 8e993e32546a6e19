/**
 * Number formatting shared by the summaries and the text outputs: rounding for JSON figures,
 * fixed decimals, thousands grouping, `n/a` for null.
 */
import { stripControls } from './strip-controls.js';

export const NA = 'n/a';

/** `value` rounded to `digits` decimals: the precision of the figures a summary holds. */
export function round(value: number, digits = 3): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

export function fixed(value: number | null, decimals = 2): string {
  return value === null || !Number.isFinite(value) ? NA : value.toFixed(decimals);
}

/**
 * `1234.5` as `1,235`; the grouping users read in summaries. By hand, not toLocaleString: its
 * first call loads the locale data, 25 ms of CPU in every run for a comma every three digits.
 */
export function count(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NA;
  const digits = String(Math.abs(Math.round(value)));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return Math.round(value) < 0 ? `-${grouped}` : grouped;
}

export function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NA;
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}

export function percent(part: number, whole: number | null): string {
  return whole === null || whole <= 0 ? NA : `${((100 * part) / whole).toFixed(1)}%`;
}

/**
 * `{refused: 3, timeout: 1}` as `refused 3, timeout 1`, or `none`. The keys may be a target's or a
 * load box's text (error codes): printed without control characters.
 */
export function tally(counts: Record<string, number | undefined>): string {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0);
  return entries.length === 0 ? 'none' : entries.map(([key, n]) => `${stripControls(key, 100)} ${count(n ?? 0)}`).join(', ');
}
