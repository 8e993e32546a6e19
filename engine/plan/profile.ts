/**
 * Profiles: a JSON file holding a run's flags under their long names, so a test can be kept,
 * reviewed and copied (bench-profiles/). Every problem is reported at once, each naming its field;
 * flags on the command line override the profile's values.
 *
 * A profile is data, not code: it is shared like a script, and opening one must not start a
 * process, reach another machine, read a local file (and send it to a URL of its choosing) or
 * overwrite one. The fields that could (flags.ts, `sensitive`) are refused unless the user vouches
 * for them on the command line: by giving the flag there (the profile's value is then unused) or
 * by --trust-profile.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';
import { FLAGS, type ProfileType } from './flags.js';

/** The fields a profile may set only with --trust-profile, in the table's order. */
export const SENSITIVE_FIELDS: readonly string[] = FLAGS.filter((flag) => flag.sensitive && flag.profile).map((flag) => flag.name);

/** Fields a profile may hold, and the JSON types each accepts: the flags that allow it, and a description. */
const FIELDS: ReadonlyMap<string, readonly ProfileType[]> = new Map([
  ...FLAGS.flatMap((flag): Array<[string, readonly ProfileType[]]> => (flag.profile ? [[flag.name, flag.profile]] : [])),
  ['description', ['string']],
]);

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') ? 'string[]' : 'array';
  return value === null ? 'null' : typeof value;
}

/** The profile's fields as flag values (numbers as strings); throws UsageError listing every problem. */
export function readProfile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--profile: cannot read "${path}"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--profile: "${path}" is not valid JSON (${(error as Error).message})`);
  }
  return validateProfile(parsed, path);
}

/** A parsed profile's fields as flag values (numbers as strings); throws UsageError listing every problem. */
export function validateProfile(parsed: unknown, path: string): Record<string, unknown> {
  if (typeOf(parsed) !== 'object') throw new UsageError(`--profile: "${path}" must hold a JSON object of flags`);
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(parsed as Record<string, unknown>)) {
    const accepted = FIELDS.get(field);
    if (!accepted) {
      problems.push(`profile field "${field}" is unknown (fields are the long flag names, e.g. "rate", "max-errors")`);
    } else if (!accepted.includes(typeOf(value) as never)) {
      problems.push(`profile field "${field}" must be ${accepted.join(' or ')}, not ${typeOf(value)}`);
    } else if (field !== 'description') {
      values[field] = typeof value === 'number' ? String(value) : value;
    }
  }
  if (problems.length > 0) throw new UsageError(`${path}: ${problems.join('; ')}`);
  return values;
}

/**
 * Throws UsageError (one line, every field named) when the profile sets a sensitive field whose
 * value would be used: one the command line does not set itself (`givenHere`).
 */
export function refuseSensitiveFields(profile: Record<string, unknown>, path: string, givenHere: (name: string) => boolean): void {
  const refused = SENSITIVE_FIELDS.filter((name) => profile[name] !== undefined && !givenHere(name));
  if (refused.length === 0) return;
  throw new UsageError(
    `--profile: "${path}" sets ${refused.map((name) => `"${name}"`).join(', ')}, which start processes, reach other machines or read or write local files; a profile may not do that on its own: give ${refused.length === 1 ? 'it' : 'them'} on the command line, or add --trust-profile if you trust this profile`,
  );
}
