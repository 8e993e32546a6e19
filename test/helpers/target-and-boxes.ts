/**
 * The fixture of the load-box tests: the target server on 127.0.0.1 and a real sshd per box
 * address, started once for a file's tests (a box's sshd and keys take a second or more to set up,
 * the same for every test). After the last test, nothing the boxes or their ssh started may be left.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { useTarget, type SpawnedTarget } from './spawn-target.js';
import { startSshLab, type LoadBox, type SshLab } from './sshd.js';

export interface TargetAndBoxes {
  readonly target: SpawnedTarget;
  readonly lab: SshLab;
  /** the boxes, in the order of their addresses */
  readonly boxes: LoadBox[];
  /** the flags of a run over `agents`, one worker each, started on each box by `remoteCommand` */
  remoteArgs(agents: readonly string[], remoteCommand?: string): string[];
}

/** Registers the file's `before` and `after`; what it returns is read inside the tests. */
export function useTargetAndBoxes(addresses: readonly string[] = ['127.0.0.2', '127.0.0.3']): TargetAndBoxes {
  const server = useTarget();
  let lab: SshLab | undefined;
  before(async () => {
    lab = await startSshLab(addresses);
  });
  after(async () => {
    const left = lab ? await lab.settled() : [];
    await lab?.stop();
    assert.deepEqual(left, [], 'no ssh, sshd session or agent process outlives the tests');
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is read before the fixture started: read it inside a test`);
    return value;
  };
  return {
    get target() {
      return server.target;
    },
    get lab() {
      return started(lab, 'the ssh lab');
    },
    get boxes() {
      return started(lab, 'the ssh lab').boxes;
    },
    remoteArgs(agents, remoteCommand) {
      const ssh = started(lab, 'the ssh lab');
      return ['--agents', agents.join(','), ...ssh.sshArgs, '--remote-command', remoteCommand ?? ssh.remoteCommand, '--workers', '1'];
    },
  };
}
