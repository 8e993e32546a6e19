/**
 * The command line's words into flag values, by the table of flags.ts. Pure: no file is read and
 * nothing is printed; anything malformed throws UsageError with one line.
 *
 * The grammar is the one people type for load tools: `--name value`, `--name=value`, the short
 * alias `-X value`, `--flag` and `--no-flag` for switches, a repeatable flag once per value (a
 * greedy one, `-H`, also takes the words that follow it up to the next flag), one positional URL,
 * and `--` before words that are never flags. A word that starts with `-` and a digit is a value
 * (`--rate -5` is refused as a rate, not as an unknown flag). A flag whose value is optional
 * (`--dashboard`) does not take a URL as its value: the URL stays the target.
 */
import { FLAGS, type FlagSpec } from './flags.js';
import { UsageError } from './usage-error.js';

/** What the words say: each given flag under its long name, and the positional words in order. */
export interface ParsedArgs {
  /** a string flag: its value ('' when it was given none); a repeatable one: its values; a switch: true or false */
  values: Record<string, string | string[] | boolean>;
  positionals: string[];
}

/** The switches every command line has besides the table's. */
const BUILT_IN: readonly FlagSpec[] = [
  { name: 'help', alias: 'h', type: 'boolean', help: 'show this help' },
  { name: 'version', alias: 'V', type: 'boolean', help: 'show the version' },
];

const byName = new Map<string, FlagSpec>();
const byAlias = new Map<string, FlagSpec>();
for (const flag of [...FLAGS, ...BUILT_IN]) {
  if (flag.positional) continue;
  byName.set(flag.name, flag);
  if (flag.alias) byAlias.set(flag.alias, flag);
}

/** The built-in switches, for --help. */
export const BUILT_IN_FLAGS = BUILT_IN;

/** A word that names a flag (as opposed to a value that happens to start with a dash). */
function isFlagWord(word: string): boolean {
  return word.length > 1 && word.startsWith('-') && !/^-\d/.test(word);
}

export function parseArgv(argv: readonly string[]): ParsedArgs {
  const values: ParsedArgs['values'] = Object.create(null);
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!isFlagWord(word)) {
      positionals.push(word);
      continue;
    }
    const long = word.startsWith('--');
    const body = word.slice(long ? 2 : 1);
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    const inline = equals < 0 ? null : body.slice(equals + 1);
    let flag = long ? byName.get(name) : byAlias.get(name);
    let negated = false;
    if (!flag && long && name.startsWith('no-')) {
      const positive = byName.get(name.slice(3));
      if (positive?.type === 'boolean') {
        flag = positive;
        negated = true;
      }
    }
    if (!flag) throw new UsageError(`Unknown argument: ${name}`);
    if (flag.type === 'boolean') {
      values[flag.name] = negated !== switchValue(flag, inline);
      continue;
    }
    // a value: after `=`, or the next word unless that is a flag (then it was given none)
    let value = inline;
    if (value === null && i + 1 < argv.length && !isFlagWord(argv[i + 1]!) && !(flag.optionalValue && argv[i + 1]!.includes('://')))
      value = argv[++i]!;
    if (flag.type === 'string') {
      if (Object.hasOwn(values, flag.name)) throw new UsageError(`--${flag.name} was given more than once`);
      values[flag.name] = value ?? '';
      continue;
    }
    const list = (values[flag.name] as string[] | undefined) ?? [];
    list.push(value ?? '');
    if (flag.greedy) while (i + 1 < argv.length && !isFlagWord(argv[i + 1]!)) list.push(argv[++i]!);
    values[flag.name] = list;
  }
  return { values, positionals };
}

/** `--flag` alone, or `--flag=true|false`. */
function switchValue(flag: FlagSpec, inline: string | null): boolean {
  if (inline === null || inline === 'true') return true;
  if (inline === 'false') return false;
  throw new UsageError(`--${flag.name} is a switch: give it alone (or --no-${flag.name}), not "=${inline}"`);
}
