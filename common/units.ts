/**
 * Parsing of the human units used on the command line, in profiles and by the target server:
 * durations (`500ms`, `2s`, `1.5m`, `1h`), rates (`2000`, `2k`), fractions (`0.05`, `5%`) and
 * sizes (`65536`, `64KiB`, `10MB`).
 * Each parser returns a number or throws `UnitError` with a message that names the bad value
 * and the accepted forms, so callers can print it as the one line the user sees.
 */

export class UnitError extends Error {
  readonly code = 'STRESS_ERR_BAD_VALUE';
}

const DURATION_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/;

/** Milliseconds in a duration such as `500ms`, `2s`, `5m`, `1h`. A bare number means seconds. */
export function parseDurationMs(text: string | number, what = 'duration'): number {
  const raw = String(text).trim();
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const match = DURATION.exec(raw);
  if (!match) throw new UnitError(`${what}: "${raw}" is not a duration (use e.g. 500ms, 2s, 5m, 1h)`);
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
}

/** Requests per second in `2000`, `2k`, `1.5k` or `2000/s`. */
export function parseRate(text: string | number, what = 'rate'): number {
  const raw = String(text).trim().toLowerCase().replace(/\/s$/, '');
  const match = /^(\d+(?:\.\d+)?)(k?)$/.exec(raw);
  if (!match) throw new UnitError(`${what}: "${text}" is not a rate (use e.g. 500, 2000 or 2k requests/s)`);
  return Number(match[1]) * (match[2] === 'k' ? 1000 : 1);
}

/** A fraction in [0, 1] from `0.05` or `5%`. */
export function parseFraction(text: string | number, what = 'fraction'): number {
  const raw = String(text).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw);
  const value = percent ? Number(percent[1]) / 100 : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1)) {
    throw new UnitError(`${what}: "${raw}" is not a fraction between 0 and 1 (use e.g. 0.05 or 5%)`);
  }
  return value;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/**
 * Bytes in a size such as `65536`, `64KiB` or `10MB`: KB/MB/GB are powers of 1000, KiB/MiB/GiB
 * of 1024 (a bare `k` or `m` is refused, since either reading would surprise someone). Whole bytes.
 */
export function parseBytes(text: string | number, what = 'size'): number {
  const raw = String(text).trim();
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes)) throw new UnitError(`${what}: "${raw}" is not a size in whole bytes (use e.g. 65536, 64KiB or 10MB)`);
  return bytes;
}

/** A whole number within [min, max]. */
export function parseWholeNumber(text: string | number, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = String(text).trim();
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UnitError(`${what}: "${raw}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}
