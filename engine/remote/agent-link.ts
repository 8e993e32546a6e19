/**
 * The controller's end of one load box: an `ssh` child process whose stdin and stdout carry the
 * JSON-lines protocol (messages.ts) to `stress agent` on the box. It greets, measures the clock,
 * hands other messages to whoever runs a plan, and tells when the box is gone and why.
 *
 * Nothing a box sends is trusted: a line is read only up to MAX_LINE_BYTES, every message is
 * checked (box-message-check.ts) before it is acted on, and a box that breaks the protocol is
 * killed with the reason, after which nothing more of it is read. Every reason, and whatever of
 * the box's own text goes into one (its error, ssh's last words), is stripped of control
 * characters first (strip-controls.ts): it is printed on the user's terminal.
 *
 * ssh runs in its own process group: a Ctrl-C at the terminal reaches the whole foreground group,
 * and must stop the load through the protocol (so the agents drain and send their last
 * snapshots), not kill the links under it. If the controller itself dies, ssh's stdin closes, the
 * agent sees the end of its stdin and exits: no load outlives its controller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { AgentAddress } from './agent-address.js';
import { estimateOffset, type ClockOffset, type PingSample } from './clock-offset.js';
import { VERSION } from '../../common/version.js';
import { epochNowMs } from '../run/worker-protocol.js';
import type { ControllerMessage, ReceivedAgentMessage } from './agent-protocol.js';
import { describeSshExit, shellCommandLine, sshArgv } from './ssh.js';
import { BoundedLines } from './bounded-lines.js';
import { checkAgentMessage, MAX_LINE_BYTES } from './box-message-check.js';
import { stripControls } from '../../common/strip-controls.js';
import { isRecord, own, shown } from '../../common/shape.js';
import type { BootExchange, BootOutcome } from './ship/boot-exchange.js';
import { AgentError } from './agent-error.js';

export interface AgentHello {
  version: string;
  cores: number;
  pid: number;
}

const STDERR_TAIL = 4096;
/** Lines of login noise (a chatty shell profile) tolerated before the hello. */
const NOISE_LIMIT = 100;

export class AgentLink {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private greeted = false;
  private noise = 0;
  private problem: string | null = null;
  private readonly pongs = new Map<number, (remoteMs: number) => void>();
  private nextPing = 0;
  private helloWaiter: ((hello: ReceivedAgentMessage & { type: 'hello' }) => void) | null = null;
  /** set once the box broke the protocol: nothing more of it is read */
  private broken = false;
  /** while the agent is being shipped: takes every line */
  private booting: BootExchange | null = null;
  /** receives every message but hello and pong (the current run's snapshots, done, error) */
  listener: ((message: ReceivedAgentMessage) => void) | null = null;
  /** controller clock of the last line from the agent, ms */
  lastHeardMs = epochNowMs();
  /** resolves, once, with why the box is gone (process ended, or it broke the protocol) */
  readonly gone: Promise<string>;
  ended = false;

  constructor(
    readonly agent: AgentAddress,
    sshOptions: readonly string[],
    remoteCommand: string,
    /** receives the ssh command line, quoted for a shell, just before it is started */
    announce?: (commandLine: string) => void,
  ) {
    const argv = sshArgv(agent, sshOptions, remoteCommand);
    announce?.(shellCommandLine(['ssh', ...argv]));
    this.child = spawn('ssh', argv, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child.stdin!.on('error', () => undefined); // EPIPE once ssh is gone: `gone` says why
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
    });
    const lines = new BoundedLines(
      MAX_LINE_BYTES,
      (line) => this.receive(line),
      () => this.breakProtocol(`a line longer than ${MAX_LINE_BYTES / 2 ** 20} MiB`),
    );
    this.child.stdout!.on('data', (chunk: Buffer) => {
      if (!this.broken) lines.push(chunk);
    });
    this.gone = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.problem ??= `cannot start ssh: ${error.message}`;
      });
      this.child.once('close', (code, signal) => {
        this.ended = true;
        // ssh's last words may be the box's own (its stderr): stripped, like every reason
        resolve(stripControls(this.problem ?? describeSshExit(code, signal, this.stderrTail)));
      });
    });
  }

  get name(): string {
    return this.agent.name;
  }

  send(message: ControllerMessage): void {
    if (!this.ended && this.child.stdin!.writable) this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  /** Bytes as they are, on the box's stdin (the boot stage and the bundle, before the agent runs). */
  writeRaw(data: string | Uint8Array): void {
    if (!this.ended && this.child.stdin!.writable) this.child.stdin!.write(data);
  }

  /**
   * Ships the agent (ship/boot-exchange.ts) before the hello: every line goes to `exchange` until
   * the agent runs on the box. Rejects with a one-line AgentError naming the box.
   */
  async boot(exchange: BootExchange, timeoutMs: number): Promise<BootOutcome> {
    this.booting = exchange;
    try {
      return await this.within(
        timeoutMs,
        exchange.done.catch((error: Error) => Promise.reject(new AgentError(`agent ${this.name}: ${error.message}`))),
        `the agent was not running within ${timeoutMs / 1000} s`,
      );
    } finally {
      this.booting = null;
    }
  }

  /** Exchanges hellos; rejects with a one-line AgentError naming the box. */
  async hello(timeoutMs: number): Promise<AgentHello> {
    const answer = new Promise<ReceivedAgentMessage & { type: 'hello' }>((resolve) => (this.helloWaiter = resolve));
    this.send({ type: 'hello', version: VERSION });
    const outcome = await this.within(timeoutMs, answer, `no answer within ${timeoutMs / 1000} s`);
    if (outcome.version !== VERSION) throw new AgentError(`agent ${this.name} runs stress ${outcome.version}, this is ${VERSION}`);
    return { version: outcome.version, cores: outcome.cores, pid: outcome.pid };
  }

  /** `count` pings one after another; the offset from the one with the smallest round trip. */
  async measureClock(count: number, timeoutMs: number): Promise<ClockOffset> {
    const samples: PingSample[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.nextPing++;
      const sentMs = epochNowMs();
      const pong = new Promise<number>((resolve) => this.pongs.set(id, resolve));
      this.send({ type: 'ping', id });
      const remoteMs = await this.within(timeoutMs, pong, `no pong within ${timeoutMs / 1000} s`);
      samples.push({ sentMs, remoteMs, receivedMs: epochNowMs() });
    }
    const offset = estimateOffset(samples);
    if (!offset) throw new AgentError(`agent ${this.name}: no usable clock sample`);
    return offset;
  }

  /** A ping nobody waits for: keeps the agent's watchdog fed and the link's silence measured. */
  heartbeat(): void {
    this.send({ type: 'ping', id: this.nextPing++ });
  }

  /** Closes stdin (the agent exits); after `limitMs`, terminates ssh. Resolves when it is gone. */
  async close(limitMs: number): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.kill(), limitMs);
    await this.gone;
    clearTimeout(timer);
  }

  /** Ends ssh (and anything it started, such as a ProxyCommand) at once; the agent then sees its stdin close. */
  kill(why?: string): void {
    if (why) this.problem ??= stripControls(why);
    if (this.ended || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const hard = setTimeout(() => {
      if (!this.ended && this.child.pid !== undefined) {
        try {
          process.kill(-this.child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 2000);
    hard.unref();
  }

  /** Waits for `promise`, or fails naming the box: on timeout, or when ssh ends first. */
  private async within<T>(timeoutMs: number, promise: Promise<T>, timeoutText: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AgentError(`agent ${this.name}: ${timeoutText}`)), timeoutMs);
    });
    const ended = this.gone.then((why) => Promise.reject(new AgentError(`agent ${this.name}: ${why}`)));
    try {
      return await Promise.race([promise, timeout, ended]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The box broke the protocol: nothing more of it is read or handed on, and it is ended with the reason. */
  breakProtocol(reason: string): void {
    if (this.broken) return;
    this.broken = true;
    this.listener = null;
    this.kill(`broke the protocol: ${reason}`);
  }

  private receive(line: string): void {
    if (this.broken) return;
    this.lastHeardMs = epochNowMs();
    if (this.booting) {
      this.booting.receive(line);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (!isRecord(value) || typeof own(value, 'type') !== 'string') {
      // before the hello, a login script may have printed something; after it, stdout is ours
      if (!this.greeted && ++this.noise <= NOISE_LIMIT) return;
      this.breakProtocol(`${shown(line.slice(0, 80))} is not a protocol message`);
      return;
    }
    const message = checkAgentMessage(value);
    if (typeof message === 'string') {
      this.breakProtocol(message);
      return;
    }
    if (message.type === 'hello') {
      this.greeted = true;
      this.helloWaiter?.(message);
      this.helloWaiter = null;
    } else if (message.type === 'pong') {
      this.pongs.get(message.id)?.(message.remoteMs);
      this.pongs.delete(message.id);
    } else if (message.type === 'error') {
      this.problem ??= stripControls(`agent said: ${message.message}`);
      this.listener?.(message);
    } else {
      this.listener?.(message);
    }
  }
}
