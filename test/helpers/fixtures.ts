/** Test helper: the JSON summaries under test/fixtures/ (read from the source tree, not dist/). */
import { readFileSync } from 'node:fs';
import type { HtmlReport } from '../../engine/report/html/html-report.js';

/**
 * `report-*`: summaries with every field of the HTML report (a 10 s load test with a stall, a
 * ramp that broke with refine steps and generator-limited steps, a 15 min endurance run with an
 * outage and drift). `legacy-*`: real `--json` output from before those fields existed.
 */
export const FIXTURES = ['report-load', 'report-ramp', 'report-endurance', 'legacy-load', 'legacy-ramp'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function loadFixture(name: FixtureName): HtmlReport {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as HtmlReport;
}
