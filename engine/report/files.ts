/**
 * The report files a run writes: the HdrHistogram log as the intervals arrive, and at the end
 * the JSON document (--out) and the HTML page (--html). A file that cannot be written is one line
 * on stderr and exit 1: the run itself happened and its text is already printed.
 */
import type { ReportPlan } from '../plan/report-plan.js';
import type { IntervalStats } from '../measure/snapshot.js';
import { asHtmlReport, type ReportDocument } from './document.js';
import { HlogWriter, stepTag } from './hlog.js';
import { writeFileWhole } from './output-paths.js';

export interface IntervalLog {
  write(interval: IntervalStats): void;
  close(): Promise<void>;
}

/**
 * Latency of every interval into an .hlog. A ramp's steps are tagged; its --refine runs each
 * restart their clock at 0, so they are placed after what came before and tagged `refine-N`.
 */
export async function openHlog(path: string, ramp: boolean): Promise<IntervalLog> {
  // the measured start is known only once the workers are ready: the headers wait for the first interval
  const writer = await HlogWriter.open(path, null);
  let runOffsetMs = 0;
  let lastEndMs = 0;
  let lastStartMs = -1;
  let refine = 0;
  return {
    write(interval) {
      if (interval.startMs < lastStartMs) {
        runOffsetMs = lastEndMs;
        refine++;
      }
      lastStartMs = interval.startMs;
      lastEndMs = runOffsetMs + interval.endMs;
      const tag = !ramp ? null : refine > 0 ? `refine-${refine}` : stepTag(interval.phase);
      writer.write({ startMs: runOffsetMs + interval.startMs, endMs: lastEndMs, tag, histogram: interval.histograms.latencyUs });
    },
    close: () => writer.close(),
  };
}

/** Writes --out and --html; null when all went well, else the exit code. */
export async function writeReports(plan: Pick<ReportPlan, 'out' | 'html'>, document: ReportDocument): Promise<number | null> {
  let failed = false;
  const attempt = async (flag: string, path: string | null, content: () => string) => {
    if (path === null) return;
    try {
      await writeFileWhole(path, content());
    } catch (error) {
      failed = true;
      process.stderr.write(`stress: ${flag}: cannot write "${path}": ${(error as Error).message}\n`);
    }
  };
  await attempt('--out', plan.out, () => `${JSON.stringify(document)}\n`);
  if (plan.html !== null) {
    // the page's code (and its chart library) is loaded only when a page is asked for
    const { renderHtml } = await import('./html/html.js');
    await attempt('--html', plan.html, () => renderHtml(asHtmlReport(document)));
  }
  return failed ? 1 : null;
}
