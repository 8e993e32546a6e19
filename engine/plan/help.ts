/**
 * `stress --help`, rendered from the table of flags.ts: every flag in its group, with its alias,
 * its text and default, and its type, wrapped to the terminal. Pure.
 */
import { BUILT_IN_FLAGS } from './argv.js';
import { FLAGS, helpText, URL_ARG, type FlagSpec, type HelpContext } from './flags.js';

const USAGE = 'Usage: stress [url] [options]\n\nOpen-loop (--rate) or closed-loop (--clients) HTTP load against url.';

/** Gap between the names and the text, and between the text and the type. */
const GAP = '  ';

function typeTag(flag: FlagSpec): string {
  return flag.type === 'boolean' ? '[boolean]' : flag.greedy ? '[array]' : '[string]';
}

function nameOf(flag: FlagSpec): string {
  if (flag.positional) return flag.name;
  return `${flag.alias ? `-${flag.alias}, ` : '    '}--${flag.name}`;
}

/** `text` broken at spaces into lines of at most `width` characters (a longer word keeps its own line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** One group: each flag's names, then its text wrapped beside them, the type at the right edge. */
function renderGroup(title: string, flags: readonly FlagSpec[], context: HelpContext, width: number): string {
  const namesWidth = Math.max(...flags.map((flag) => nameOf(flag).length));
  const indent = ' '.repeat(2 + namesWidth + GAP.length);
  const textWidth = Math.max(20, width - indent.length);
  const out = [title];
  for (const flag of flags) {
    const tag = typeTag(flag);
    const lines = wrap(helpText(flag, context), textWidth);
    const last = lines.length - 1;
    // the type goes at the end of the last line when it fits there, else on a line of its own
    if (lines[last]!.length + GAP.length + tag.length <= textWidth) lines[last] = lines[last]!.padEnd(textWidth - tag.length) + tag;
    else lines.push(tag.padStart(textWidth));
    out.push(`  ${nameOf(flag).padEnd(namesWidth)}${GAP}${lines[0]}`);
    for (const line of lines.slice(1)) out.push(`${indent}${line}`);
  }
  return out.join('\n');
}

/** The whole text of --help, `width` columns wide, ending with `epilogue`. */
export function renderHelp(context: HelpContext, width: number, epilogue: string): string {
  const groups = new Map<string, FlagSpec[]>();
  for (const flag of FLAGS) {
    if (flag.positional) continue;
    const group = flag.group ?? 'Options:';
    groups.set(group, [...(groups.get(group) ?? []), flag]);
  }
  groups.set('Options:', [...(groups.get('Options:') ?? []), ...BUILT_IN_FLAGS]);
  const sections = [USAGE, renderGroup('Positionals:', [URL_ARG], context, width)];
  for (const [title, flags] of groups) sections.push(renderGroup(title, flags, context, width));
  sections.push(epilogue);
  return `${sections.join('\n\n')}\n`;
}
