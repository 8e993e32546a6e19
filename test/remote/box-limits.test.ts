/**
 * The README's load boxes that fail the plan, end to end over real ssh and sshd: "a box that
 * could not keep up on its own figures makes ... the ramp step generator-limited, naming the
 * box", and "a ramp step it could not finish [a box lost mid-run] is generator-limited". One box
 * is made to fall behind (its worker held 600 ms by the stall hook, chosen by the remote shell
 * from the box's session marker) or is killed; the other runs as usual and must not be named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportDocument } from '../../engine/report/document.js';
import { assertInvariants } from '../helpers/invariants.js';
import { remoteCommandHolding, type LoadBox } from '../helpers/sshd.js';
import { CONTENTION_MAX_LAG, runStress } from '../helpers/stress-cli.js';
import { useTargetAndBoxes } from '../helpers/target-and-boxes.js';

const fixture = useTargetAndBoxes();

/** A ramp of 1 s steps over both boxes (one worker each); its JSON document. */
async function rampOverBoxes(ramp: string, steps: number, remoteCommand?: string): Promise<ReportDocument> {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  const args = [`${fixture.target.url}/hello`, '--ramp', ramp, '--steps', String(steps), '--step', '1s', '--warmup', '0'];
  args.push(...fixture.remoteArgs([a.agent, b.agent], remoteCommand));
  // contention on two shared cores must not make the other box fall behind too
  args.push('--max-lag', CONTENTION_MAX_LAG, '--json', '--quiet');
  const run = await runStress(args, 60_000);
  assert.equal(run.code, 0, run.stderr);
  const document = JSON.parse(run.stdout) as ReportDocument;
  assertInvariants(document);
  return document;
}

/** The step the ramp stopped on: generator-limited because of `box`, and only of it; every step before it held. */
function assertStoppedBy(document: ReportDocument, box: LoadBox, other: LoadBox, why: RegExp): void {
  const steps = document.steps!;
  const summary = JSON.stringify(steps.map((step) => [step.offered, step.verdict, step.reason]));
  const last = steps.at(-1)!;
  assert.equal(last.verdict, 'generator-limited', summary);
  assert.ok(last.reason!.includes(`load box ${box.agent}`), `names the box: ${summary}`);
  assert.match(last.reason!, why, summary);
  assert.ok(!last.reason!.includes(other.agent), `does not name the other box: ${summary}`);
  assert.ok(
    steps.slice(0, -1).every((step) => step.verdict === 'held'),
    summary,
  );
  assert.equal(document.breakingPoint, null, 'no breaking point is blamed on the server');
  assert.match(
    document.text,
    new RegExp(`^Inconclusive: the generator could not offer [\\d,]+ req/s \\(.*load box ${box.agent.replace(/\./g, '\\.')}`, 'm'),
  );
}

test('a box that falls behind makes its ramp step generator-limited, naming that box and not the other', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  // the box's worker starts about a second before the start instant (the remote start lead): held
  // from about 0.4 s into the first step, its requests due meanwhile leave up to 600 ms late
  const document = await rampOverBoxes('100:300', 3, remoteCommandHolding(fixture.lab, b, 1300, 600));
  assertStoppedBy(document, b, a, /scheduler lag p99|event loop delay|busy/);
});

test('a box lost mid-ramp makes the step it could not finish generator-limited, naming it', async () => {
  const [a, b] = fixture.boxes as [LoadBox, LoadBox];
  // the run starts 1 s or more after the agent appears: the kill lands about 2 s into 4 steps of 1 s
  let killed = false;
  const until = Date.now() + 20_000;
  const look = setInterval(() => {
    const pids = fixture.lab.agentPids(b);
    if (pids.length === 0 && Date.now() < until) return;
    clearInterval(look);
    setTimeout(() => {
      for (const pid of pids) if (fixture.lab.agentPids(b).includes(pid)) process.kill(pid, 'SIGKILL');
      killed = pids.length > 0;
    }, 3000);
  }, 50);
  const document = await rampOverBoxes('100:400', 4);
  assert.ok(killed, "the box's agent was killed");
  assertStoppedBy(document, b, a, /was lost/);
  assert.ok(document.remote!.agents[1]!.lost, 'the box is reported lost');
});
