/**
 * `stress report FILE.json --html OUT.html`: rebuilds the HTML report from a saved JSON summary
 * (`--out` or `--json`), e.g. from a CI artifact. Same renderer, same input, same page. The file is
 * checked first (saved-report-check.ts): one that is not a stress summary, or whose fields are of
 * the wrong kind, is refused with exit 2 in one line naming the field, and no page is written.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderHtml } from './html/html.js';
import type { HtmlReport } from './html/html-report.js';
import { outputProblems, writeFileWhole } from './output-paths.js';
import { checkSavedReport } from './saved-report-check.js';

const USAGE = 'usage: stress report FILE.json --html OUT.html';

export async function reportCommand(argv: string[]): Promise<number> {
  let input: string | undefined;
  let html: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { html: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n\nRebuilds the HTML report of a run from its JSON summary (written by --out or --json).\n`);
      return 0;
    }
    if (positionals.length !== 1)
      throw new Error(positionals.length === 0 ? 'give the JSON file' : `one JSON file, not ${positionals.length}`);
    [input] = positionals;
    html = values.html;
    if (!html) throw new Error('--html OUT.html is required');
    const [problem] = outputProblems([{ flag: '--html', path: html }], [input!]);
    if (problem !== undefined) throw new Error(problem);
  } catch (error) {
    process.stderr.write(`stress report: ${(error as Error).message} (${USAGE})\n`);
    return 2;
  }
  let saved: unknown;
  try {
    saved = JSON.parse(await readFile(input!, 'utf8'));
  } catch (error) {
    process.stderr.write(`stress report: cannot read "${input}" as JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const report: HtmlReport | string = checkSavedReport(saved);
  if (typeof report === 'string') {
    process.stderr.write(`stress report: "${input}" is not a stress summary: ${report}\n`);
    return 2;
  }
  try {
    await writeFileWhole(html!, renderHtml(report));
  } catch (error) {
    process.stderr.write(`stress report: cannot write "${html}": ${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}
