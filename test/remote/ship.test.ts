/**
 * The shipped agent, end to end: the real CLI without --remote-command, real `ssh` and `sshd`,
 * and a box reached as a Unix user made for this file, with an empty home and no stress
 * anywhere it can see: the only thing it has is /usr/bin/node. The controller checks the box's
 * node and its cache, uploads the bundle, and runs it; a second run finds it in the cache; a
 * tampered entry is replaced, never run; an upload that does not hash right is refused by the
 * box; a box whose node is too old, missing, or that cannot write its cache fails before any load,
 * in one line naming it. Nothing of the user runs after a run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../../engine/summary/summary.js';
import { parseAgentAddress, type AgentAddress } from '../../engine/remote/agent-address.js';
import { AgentLink } from '../../engine/remote/agent-link.js';
import { loadAgentBundle, type AgentBundle } from '../../engine/remote/ship/agent-bundle.js';
import { BOOT_COMMAND } from '../../engine/remote/ship/boot-command.js';
import { BootExchange } from '../../engine/remote/ship/boot-exchange.js';
import { bundleDigest } from '../../engine/remote/ship/bundle-digest.js';
import { sshArgv } from '../../engine/remote/ssh.js';
import { createHash } from 'node:crypto';
import { createBoxUser, type BoxUser } from '../helpers/box-user.js';
import { assertInvariants } from '../helpers/invariants.js';
import { startRawServer } from '../helpers/raw-servers.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { startSshLab, type LoadBox, type SshLab } from '../helpers/sshd.js';
import { runStress } from '../helpers/stress-cli.js';

const OLD_NODE = 'v18.20.4';

let target: SpawnedTarget;
let lab: SshLab;
let user: BoxUser;
let bundle: AgentBundle;
/** the old node stand-in's folder, and a cache folder the user cannot write */
let props: string;

before(async () => {
  bundle = loadAgentBundle();
  target = await spawnTarget([]);
  user = createBoxUser();
  props = mkdtempSync('/tmp/stress-ship-');
  chmodSync(props, 0o755);
  writeFileSync(join(props, 'node'), `#!/bin/sh\necho ${OLD_NODE}\n`, { mode: 0o755 });
  mkdirSync(join(props, 'cache'), { mode: 0o755 });
  lab = await startSshLab(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'], {
    '127.0.0.4': { PATH: `${props}:/usr/bin:/bin` },
    '127.0.0.5': { PATH: '/nonexistent' },
    '127.0.0.6': { XDG_CACHE_HOME: join(props, 'cache') },
  });
});

after(async () => {
  await target?.stop();
  const left = lab ? await lab.settled() : [];
  await lab?.stop();
  user?.remove();
  if (props) rmSync(props, { recursive: true, force: true });
  assert.deepEqual(left, [], 'no ssh, sshd session or agent process outlives the tests');
});

/** The user at the box's address, as given to --agents. */
const at = (box: LoadBox): string => `${user.name}@${box.address}:${box.port}`;
const boxes = (): LoadBox[] => lab.boxes;

/** The load-box flags of a shipped run: no --remote-command. */
function shipArgs(agents: string[]): string[] {
  return ['--agents', agents.join(','), ...lab.sshArgs, '--workers', '1'];
}

function parse(stdout: string): Summary & { remote: NonNullable<Summary['remote']> } {
  const summary = JSON.parse(stdout) as Summary;
  assertInvariants(summary);
  assert.ok(summary.remote, 'a remote run reports its boxes');
  return summary as Summary & { remote: NonNullable<Summary['remote']> };
}

const cacheRoot = (): string => join(user.home, '.cache/stress/agents');

/** Whether the cache entry holds exactly the bundle's files, byte for byte. */
function entryIsTheBundle(): boolean {
  const dir = join(cacheRoot(), bundle.hash);
  const names = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
  if (
    names.join() !==
    bundle.files
      .map((file) => file.name)
      .sort()
      .join()
  )
    return false;
  return bundle.files.every((file) => readFileSync(join(dir, file.name)).equals(file.data));
}

/** Nothing of the user runs, and nothing of the lab is left. */
async function assertNothingLeft(): Promise<void> {
  assert.deepEqual(await user.settled(), [], `no process of ${user.name} is left`);
  assert.deepEqual(await lab.settled(), [], 'every agent and ssh is gone after the run');
}

/** The lab's `--ssh-option` values, as the controller passes them to ssh. */
const sshOptions = (): string[] => lab.sshArgs.filter((_, index) => index % 2 === 1);
function address(agent: string): AgentAddress {
  const parsed = parseAgentAddress(agent);
  assert.ok(typeof parsed !== 'string', parsed as string);
  return parsed;
}

test('a box with nothing but node: the agent is shipped, runs the plan, and nothing of it is left', async (t) => {
  const [a] = boxes() as [LoadBox];
  assert.deepEqual(readdirSync(user.home), [], 'the home is empty');
  const look = spawnSync('ssh', sshArgv(address(at(a)), sshOptions(), 'command -v stress; command -v node'), { encoding: 'utf8' });
  assert.equal(look.stdout.trim(), '/usr/bin/node', `the box has node and no stress: ${look.stdout}${look.stderr}`);

  const run = await runStress([`${target.url}/hello`, '--rate', '200', '--duration', '2s', ...shipArgs([at(a)]), '--json', '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  const [box] = summary.remote.agents as [(typeof summary.remote.agents)[0]];
  assert.equal(box.shipped, true, 'an empty cache: the agent was uploaded');
  assert.ok(box.setupS > 0 && box.setupS < 20, `set-up took ${box.setupS} s`);
  t.diagnostic(`shipped ${bundle.bytes} bytes; set-up ${box.setupS} s`);
  assert.equal(summary.totals.scheduled, 400, 'exactly R x T were due');
  assert.equal(box.scheduled, 400);
  assert.ok(summary.totals.success >= 0.99 * 400, `success ${summary.totals.success}`);
  assert.deepEqual(readdirSync(cacheRoot()), [bundle.hash], 'one cache entry, named by the hash, no temporary left');
  assert.ok(entryIsTheBundle(), 'the entry holds the bundle, byte for byte');
  await assertNothingLeft();
});

test('a second run finds the agent in the cache, and two boxes merge exactly', async (t) => {
  const [a, b] = boxes() as [LoadBox, LoadBox];
  const run = await runStress([
    `${target.url}/hello`,
    '--rate',
    '400',
    '--duration',
    '2s',
    ...shipArgs([at(a), at(b)]),
    '--json',
    '--quiet',
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = parse(run.stdout);
  const agents = summary.remote.agents;
  assert.deepEqual(
    agents.map((box) => box.shipped),
    [false, false],
    'both boxes found the agent in the cache',
  );
  t.diagnostic(`from the cache: set-up ${agents.map((box) => `${box.setupS} s`).join(', ')}`);
  assert.equal(summary.totals.scheduled, 800, 'exactly R x T were due across the boxes');
  assert.deepEqual(
    agents.map((box) => box.scheduled),
    [400, 400],
  );
  for (const field of ['scheduled', 'requests', 'success', 'failure', 'dropped'] as const) {
    assert.equal(
      agents.reduce((sum, box) => sum + box[field], 0),
      summary.totals[field],
      `merged ${field} = sum over boxes`,
    );
  }
  assert.deepEqual(readdirSync(cacheRoot()), [bundle.hash], 'still one cache entry');
  await assertNothingLeft();
});

test('the text summary says how each agent came to run and how long its set-up took', async () => {
  const [a] = boxes() as [LoadBox];
  const run = await runStress([`${target.url}/hello`, '--rate', '100', '--duration', '1s', ...shipArgs([at(a)]), '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ {4}load box +agent +workers /m);
  assert.match(run.stdout, new RegExp(`^ {4}${at(a).replace(/\./g, '\\.')} +cached \\d+\\.\\d s +1 `, 'm'));
  await assertNothingLeft();
});

test('a tampered cache entry is found out by its hash and replaced, never run', async () => {
  const [a] = boxes() as [LoadBox];
  const ran = join(user.home, 'TAMPERED-CODE-RAN');
  appendFileSync(
    join(cacheRoot(), bundle.hash, 'agent.mjs'),
    `\nimport('node:fs').then((fs) => fs.writeFileSync(${JSON.stringify(ran)}, 'ran'));\n`,
  );
  assert.ok(!entryIsTheBundle(), 'the entry was tampered with');
  const run = await runStress([`${target.url}/hello`, '--rate', '100', '--duration', '1s', ...shipArgs([at(a)]), '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(parse(run.stdout).remote.agents[0]!.shipped, true, 'the agent was uploaded again');
  assert.match(
    run.stderr,
    new RegExp(`^stress: agent ${at(a).replace(/\./g, '\\.')}: its cached agent \\(.*\\) did not match its hash: replaced$`, 'm'),
  );
  assert.equal(existsSync(ran), false, 'the tampered code never ran');
  assert.ok(entryIsTheBundle(), 'the entry holds the bundle again');
  assert.deepEqual(readdirSync(cacheRoot()), [bundle.hash], 'one cache entry, nothing of the old one left');
  await assertNothingLeft();
});

test('an upload that does not hash right is refused by the box, and nothing of it is kept', async () => {
  const [a] = boxes() as [LoadBox];
  // a bundle of its own (so the box's cache does not hold it), whose bytes are damaged on the way
  const files = [{ name: 'agent.mjs', data: Buffer.from('process.exit(7);\n') }];
  const damaged: AgentBundle = {
    hash: bundleDigest(createHash, files),
    files: [{ name: 'agent.mjs', data: Buffer.from('process.exit(8);\n') }],
    bytes: files[0]!.data.length,
  };
  const link = new AgentLink(address(at(a)), sshOptions(), BOOT_COMMAND);
  try {
    await assert.rejects(link.boot(new BootExchange(damaged, (data) => link.writeRaw(data)), 20_000), (error: Error) => {
      assert.match(error.message, new RegExp(`^agent ${at(a).replace(/\./g, '\\.')}: hash mismatch after upload: `));
      return true;
    });
  } finally {
    link.kill();
    await link.gone;
  }
  assert.deepEqual(readdirSync(cacheRoot()), [bundle.hash], 'neither the damaged upload nor its temporary folder was kept');
  await assertNothingLeft();
});

test('a box whose node is too old fails before any load, naming the box and the version', async () => {
  const old = boxes()[2]!;
  const server = await startRawServer((socket) => socket.destroy());
  try {
    const run = await runStress([server.url, '--rate', '100', '--duration', '2s', ...shipArgs([at(old)])], 30_000);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr.trim().split('\n').at(-1),
      `stress: agent ${at(old)}: node ${OLD_NODE} is too old: the shipped agent needs node 20 or newer`,
    );
    assert.equal(server.accepted, 0, 'no load was sent');
  } finally {
    await server.close();
  }
  await assertNothingLeft();
});

test('a box without node and one that cannot write its cache fail before any load, one line naming each', async () => {
  const [noNode, readOnly] = [boxes()[3]!, boxes()[4]!];
  const server = await startRawServer((socket) => socket.destroy());
  try {
    const run = await runStress([server.url, '--rate', '100', '--duration', '2s', ...shipArgs([at(noNode), at(readOnly)])], 30_000);
    assert.equal(run.code, 1, run.stderr);
    const last = run.stderr.trim().split('\n').at(-1)!;
    const name = (box: LoadBox) => at(box).replace(/\./g, '\\.');
    assert.match(last, new RegExp(`agent ${name(noNode)}: no node on its PATH \\(.*not found.*\\)`));
    assert.match(
      last,
      new RegExp(`agent ${name(readOnly)}: no writable cache directory: ${join(props, 'cache')}/stress/agents \\(EACCES\\)`),
    );
    assert.equal(server.accepted, 0, 'no load was sent');
  } finally {
    await server.close();
  }
  await assertNothingLeft();
});
