/**
 * The standard HdrHistogram interval log (.hlog), as HdrHistogram's own HistogramLogProcessor,
 * HistogramLogAnalyzer and jHiccup read it: headers, a legend, then one line per interval,
 * `[Tag=<tag>,]<start s>,<length s>,<max>,<compressed base64 histogram>`.
 *
 * Units: the histograms are written as recorded, in microseconds (what HistogramLogAnalyzer
 * calls the "µs" scale; pick it there). The Interval_Max column is that max divided by 1000, in
 * milliseconds, the convention of HdrHistogram's writers (the Java default divides nanoseconds by
 * 1e6, hdr-histogram-js's microseconds by 1000): the column is for people skimming the file,
 * tools read the histogram.
 *
 * The lines are written here rather than by hdr-histogram-js's HistogramLogWriter, whose
 * StartTime header carries a stray blank line, which has no BaseTime header, and which takes the
 * tag from a field set on the histogram; the histogram itself is encoded by that library.
 *
 * Each interval is appended to the file as it comes, synchronously: intervals are at least 50 ms
 * apart and a line is a few kB, so memory does not grow with the run and nothing waits in a buffer
 * to be lost if the process dies.
 */
import { close as closeCallback, open as openCallback, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Histogram } from '../measure/histogram.js';

const openFile = promisify(openCallback);
const closeFile = promisify(closeCallback);

export interface HlogInterval {
  /** bounds in ms since the start of the run (the log's base time) */
  startMs: number;
  endMs: number;
  /** e.g. `step-3`; null for none. No commas or white space: they separate the fields. */
  tag: string | null;
  /** values in µs */
  histogram: Histogram;
}

/** The tag of ramp step `phase` (0-based), numbered from 1 as a reader counts them. */
export function stepTag(phase: number): string {
  return `step-${phase + 1}`;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export class HlogWriter {
  private fd: number | null;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /**
   * Creates (or truncates) the log at `path` and writes its headers. `startEpochMs` is the run's
   * start instant, ms since the epoch: the StartTime and the BaseTime that interval times count
   * from. Null: not known yet; the headers are written before the first interval, taking the
   * start as that interval's end time before now (see `write`).
   */
  static async open(path: string, startEpochMs: number | null): Promise<HlogWriter> {
    const writer = new HlogWriter(await openFile(path, 'w'));
    if (startEpochMs !== null) writer.writeHeaders(startEpochMs);
    return writer;
  }

  private headersWritten = false;

  private writeHeaders(startEpochMs: number): void {
    this.headersWritten = true;
    this.append(
      '#[Histogram log format version 1.3]\n' +
        '#[Written by stress: values in microseconds, Interval_Max in milliseconds]\n' +
        `#[StartTime: ${seconds(startEpochMs)} (seconds since epoch), ${new Date(startEpochMs).toISOString()}]\n` +
        `#[BaseTime: ${seconds(startEpochMs)} (seconds since epoch)]\n` +
        '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"\n',
    );
  }

  write(interval: HlogInterval): void {
    // an interval is handed on just after it ends: its end, that long ago, is the start instant
    if (!this.headersWritten) this.writeHeaders(Date.now() - interval.endMs);
    const { tag, histogram } = interval;
    if (tag !== null && !/^[^\s,]+$/.test(tag))
      throw new RangeError(`hlog tag must be non-empty, without commas or white space, got ${JSON.stringify(tag)}`);
    const fields = [
      seconds(interval.startMs),
      seconds(interval.endMs - interval.startMs),
      (histogram.maxValue / 1000).toFixed(3),
      histogram.encode(),
    ];
    this.append(`${tag === null ? '' : `Tag=${tag},`}${fields.join(',')}\n`);
  }

  async close(): Promise<void> {
    if (this.fd === null) return;
    // a run stopped before its first interval still leaves a valid, empty log
    if (!this.headersWritten) this.writeHeaders(Date.now());
    const fd = this.fd;
    this.fd = null;
    await closeFile(fd);
  }

  private append(text: string): void {
    if (this.fd === null) throw new Error('hlog: write after close');
    const bytes = Buffer.from(text, 'utf8');
    // a write may be partial (a full disk, a pipe): the rest follows, or the error surfaces
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
  }
}
