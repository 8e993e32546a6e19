/**
 * Live progress on stderr, one line per merged interval: a single updating line on a TTY, plain
 * lines otherwise. Colour only on a TTY and never with NO_COLOR.
 */
import { Chalk } from 'chalk';
import type { IntervalStats } from '../measure/snapshot.js';
import { percentile } from '../measure/statistics.js';
import { count, ms } from '../../common/format.js';

export class Progress {
  private readonly tty: boolean;
  private readonly chalk: InstanceType<typeof Chalk>;
  private wroteLine = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly openLoop: boolean,
    private readonly intervalMs: number,
  ) {
    this.tty = Boolean(stream.isTTY);
    this.chalk = new Chalk({ level: this.tty && !process.env.NO_COLOR ? 1 : 0 });
  }

  interval(stats: IntervalStats): void {
    // The drain tail after the planned end can be a few ms long: rates over it would be noise.
    if (stats.endMs - stats.startMs < this.intervalMs / 4) return;
    const seconds = (stats.endMs - stats.startMs) / 1000;
    const errors = stats.counts.failure + stats.counts.dropped;
    const parts = [
      `[${(stats.endMs / 1000).toFixed(1).padStart(6)} s]`,
      this.openLoop ? `offered ${count(stats.counts.scheduled / seconds)}/s` : null,
      `achieved ${count(stats.counts.responses / seconds)}/s`,
      `p50 ${ms(percentile(stats.histograms.latencyUs, 50, 1000))}`,
      `p99 ${ms(percentile(stats.histograms.latencyUs, 99, 1000))}`,
      errors > 0 ? this.chalk.red(`errors ${count(errors)}`) : `errors 0`,
      this.openLoop ? `lag p99 ${ms(percentile(stats.histograms.lagUs, 99, 1000))}` : null,
    ].filter((part) => part !== null);
    const line = parts.join('  ');
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.wroteLine = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the updating line so the summary starts on a fresh one. */
  end(): void {
    if (this.tty && this.wroteLine) this.stream.write('\n');
    this.wroteLine = false;
  }
}
