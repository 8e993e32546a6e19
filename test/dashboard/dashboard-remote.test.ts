/**
 * --dashboard with load boxes: the real CLI over real ssh to the lab's two boxes (sshd on
 * 127.0.0.2 and 127.0.0.3). The page's figures are the controller's merge of both boxes: the last
 * update's totals are the run's totals, which count both boxes' requests.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import type { LiveUpdate } from '../../engine/dashboard/live-view.js';
import type { Summary } from '../../engine/summary/summary.js';
import { spawnTarget, type SpawnedTarget } from '../helpers/spawn-target.js';
import { startSshLab, type SshLab } from '../helpers/sshd.js';
import { CONTENTION_MAX_LAG, runStress } from '../helpers/stress-cli.js';

let target: SpawnedTarget;
let lab: SshLab;
before(async () => {
  target = await spawnTarget([]);
  lab = await startSshLab(['127.0.0.2', '127.0.0.3']);
});
after(async () => {
  await target?.stop();
  const left = lab ? await lab.settled() : [];
  await lab?.stop();
  assert.deepEqual(left, [], 'no ssh, sshd session or agent process outlives the test');
});

/** The `update` events of the stream at `url`, until it ends. */
function readUpdates(url: string): Promise<LiveUpdate[]> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        clearTimeout(timer);
        const updates = text
          .split('\n\n')
          .filter((block) => block.startsWith('event: update\n'))
          .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as LiveUpdate);
        resolve(updates);
      });
    });
    const timer = setTimeout(() => request.destroy(new Error('no end of the event stream within 30 s')), 30_000);
    request.on('error', reject);
  });
}

test("two load boxes: the live figures are the controller's merge of both", async () => {
  const agents = lab.boxes.map((box) => box.agent);
  const seen: { updates?: Promise<LiveUpdate[]> } = {};
  const run = await runStress(
    [
      target.url,
      '--rate',
      '200',
      '--duration',
      '2s',
      '--agents',
      agents.join(','),
      ...lab.sshArgs,
      '--remote-command',
      lab.remoteCommand,
      '--workers',
      '1',
      '--max-lag',
      CONTENTION_MAX_LAG,
      '--dashboard',
      '--json',
      '--quiet',
    ],
    60_000,
    (child) => {
      let printed = '';
      const onData = (chunk: Buffer) => {
        printed += String(chunk);
        const match = /^stress: dashboard on (http:\/\/\S+\/)$/m.exec(printed);
        if (!match) return;
        child.stderr!.off('data', onData);
        seen.updates = readUpdates(`${match[1]}events`);
        seen.updates.catch(() => undefined);
      };
      child.stderr!.on('data', onData);
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as Summary;
  assert.equal(summary.remote?.agents.length, 2, 'both boxes ran');
  assert.ok(seen.updates, 'the URL was printed');
  const updates = await seen.updates;
  assert.ok(updates.length >= 2, `an update per interval (${updates.length})`);
  const last = updates.at(-1)!;
  assert.equal(last.totals.requests, summary.totals.requests);
  assert.equal(last.totals.success, summary.totals.success);
  // both boxes sent their share: each achieved some of the load
  for (const box of summary.remote!.agents) assert.ok(box.achieved > 0, `${box.agent} sent requests`);
});
