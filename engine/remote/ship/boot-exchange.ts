/**
 * The controller's half of shipping the agent to one box, over the ssh connection that will then
 * carry the agent's protocol: it reads the boot script's version line (boot-command.ts), judges
 * the box's node, sends the boot stage (box-stage.ts), reads what the stage says of its cache,
 * uploads the bundle when the cache does not hold it, and is done when the stage starts the
 * agent. Every line is checked before it is acted on; a box that says anything unexpected, or
 * cannot run the agent, ends the exchange with one line saying why (without control characters:
 * it is printed on the user's terminal).
 */
import { isRecord, own, shown } from '../../../common/shape.js';
import { stripControls } from '../../../common/strip-controls.js';
import { AGENT_ENTRY, type AgentBundle } from './agent-bundle.js';
import { judgeVersionLine } from './boot-command.js';
import { stageLine, type StageReport } from './box-stage.js';
import { bundleDigest } from './bundle-digest.js';

export interface BootOutcome {
  /** the bundle was uploaded (missing from the box's cache, or not matching its hash there) */
  shipped: boolean;
  /** the box's cache held an entry of that hash that did not match it, and it was replaced */
  replaced: boolean;
  /** what `node --version` said on the box */
  node: string;
  /** bytes uploaded */
  uploadedBytes: number;
}

/** Lines of login noise (a chatty shell profile) tolerated before the version line. */
const NOISE_LIMIT = 100;
const CACHE_STATES = ['hit', 'missing', 'mismatch'] as const;

/** A line of the boot stage as a report, or why it is not one. */
export function checkStageReport(line: string): StageReport | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  const boot = isRecord(value) ? own(value, 'boot') : undefined;
  if (!isRecord(value) || typeof boot !== 'string') return `${shown(line.slice(0, 80))} is not a boot report`;
  if (boot === 'stored' || boot === 'run') return { boot };
  if (boot === 'error') {
    const message = own(value, 'message');
    return typeof message === 'string' ? { boot, message } : 'a boot error without a message';
  }
  if (boot === 'cache') {
    const state = own(value, 'state');
    const dir = own(value, 'dir');
    if (!CACHE_STATES.includes(state as (typeof CACHE_STATES)[number])) return `cache state ${shown(state)}`;
    if (typeof dir !== 'string') return 'a cache report without its directory';
    return { boot, state: state as (typeof CACHE_STATES)[number], dir };
  }
  return `unknown boot report ${shown(boot)}`;
}

type Phase = 'version' | 'cache' | 'stored' | 'run' | 'over';

export class BootExchange {
  private phase: Phase = 'version';
  private noise = 0;
  private node = '';
  private shipped = false;
  private replaced = false;
  private succeed: (outcome: BootOutcome) => void = () => undefined;
  private fail: (error: Error) => void = () => undefined;
  /** resolves once the agent runs on the box; rejects with one line saying why it cannot */
  readonly done: Promise<BootOutcome>;

  constructor(
    private readonly bundle: AgentBundle,
    /** writes to the box's stdin */
    private readonly write: (data: string | Uint8Array) => void,
    /** a line for the user (a cache entry replaced) */
    private readonly notice: (line: string) => void = () => undefined,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.succeed = resolve;
      this.fail = reject;
    });
    // whoever awaits it sees the failure; an exchange nobody waits for any more must not crash the process
    this.done.catch(() => undefined);
  }

  /** One line from the box. */
  receive(line: string): void {
    if (this.phase === 'over') return;
    if (this.phase === 'version') {
      this.version(line);
      return;
    }
    const report = checkStageReport(line);
    if (typeof report === 'string') this.end(`the boot stage said ${report}`);
    else if (report.boot === 'error') this.end(report.message);
    else if (report.boot !== this.phase) this.end(`the boot stage said "${report.boot}" where "${this.phase}" was due`);
    else if (report.boot === 'cache') this.cache(report.state, report.dir);
    else if (report.boot === 'stored') this.phase = 'run';
    else {
      this.phase = 'over';
      this.succeed({
        shipped: this.shipped,
        replaced: this.replaced,
        node: this.node,
        uploadedBytes: this.shipped ? this.bundle.bytes : 0,
      });
    }
  }

  private version(line: string): void {
    const verdict = judgeVersionLine(line);
    if (verdict.kind === 'other') {
      if (++this.noise > NOISE_LIMIT) this.end(`said ${NOISE_LIMIT} lines and no node version`);
    } else if (verdict.kind === 'unusable') {
      this.end(verdict.problem);
    } else {
      this.node = verdict.version;
      this.phase = 'cache';
      const { hash, files } = this.bundle;
      const params = { hash, files: files.map((file) => ({ name: file.name, bytes: file.data.length })), entry: AGENT_ENTRY };
      this.write(`${stageLine(params, bundleDigest)}\n`);
    }
  }

  private cache(state: 'hit' | 'missing' | 'mismatch', dir: string): void {
    if (state === 'hit') {
      this.phase = 'run';
      return;
    }
    if (state === 'mismatch') {
      this.replaced = true;
      this.notice(stripControls(`its cached agent (${dir}) did not match its hash: replaced`));
    }
    this.shipped = true;
    this.phase = 'stored';
    for (const file of this.bundle.files) this.write(file.data);
  }

  private end(problem: string): void {
    this.phase = 'over';
    this.fail(new Error(stripControls(problem)));
  }
}
