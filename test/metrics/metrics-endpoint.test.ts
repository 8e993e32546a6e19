/**
 * --metrics end to end: the real CLI serving a real Prometheus server (Debian's), which scrapes a
 * short run each second; `promtool check metrics` on a scrape taken mid-run; and the addresses
 * that cannot be used, each refused with exit 2 and one line before any load is sent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { Summary } from '../../engine/summary/summary.js';
import { promtoolCheck, startPrometheus, type PrometheusLab } from '../helpers/prometheus.js';
import { perRequest, portOutsideEphemeral, startRawServer, type RawServer } from '../helpers/raw-servers.js';
import { CONTENTION_MAX_LAG, runStress, runSummary, STRESS_BIN } from '../helpers/stress-cli.js';

let prometheus: PrometheusLab;
let metricsPort: number;
/** the summary of the run Prometheus scraped, and the scrape taken while it ran */
let run: { summary: Summary; midRun: string; stderr: string };

before(async () => {
  metricsPort = await portOutsideEphemeral();
  prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
  let midRun: Promise<string> = Promise.resolve('');
  const { summary, run: cli } = await runSummary(
    [
      '--rate',
      '300',
      '--duration',
      '3s',
      '--warmup',
      '0',
      '--workers',
      '1',
      '--max-lag',
      CONTENTION_MAX_LAG,
      '--metrics',
      String(metricsPort),
      // Prometheus scrapes each second, once it has found its target (its discovery sends
      // updates every 5 s): the endpoint waits for the scrape of the final figures, which ends it
      '--metrics-linger',
      '10s',
    ],
    {
      limitMs: 30_000,
      // the first progress line: an interval is merged, the run goes on for two more
      onLoadStarted: () => {
        midRun = fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((response) => response.text());
      },
    },
  );
  run = { summary, midRun: await midRun, stderr: cli.stderr };
});

after(async () => {
  await prometheus?.stop();
});

/** A counter's value in an exposition text. */
function valueIn(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  assert.ok(match, `${name} in the scrape`);
  return Number(match[1]);
}

test('the endpoint says where it is, once, and promtool finds nothing wrong with a scrape taken mid-run', () => {
  const lines = run.stderr.split('\n').filter((line) => line.includes('/metrics'));
  assert.deepEqual(lines, [`stress: metrics for Prometheus on http://127.0.0.1:${metricsPort}/metrics`]);
  const mid = valueIn(run.midRun, 'stress_requests_total');
  assert.ok(mid > 0 && mid < run.summary.totals.requests, `mid-run ${mid} of ${run.summary.totals.requests}: taken while the load ran`);
  const check = promtoolCheck(run.midRun);
  assert.equal(check.status, 0, check.output);
  assert.equal(check.output, '', 'no lint remark either');
});

test('a real Prometheus scraping the run holds, after it, exactly the totals of its JSON summary', async () => {
  const { totals } = run.summary;
  assert.ok(totals.requests >= 800, `a run of 3 s at 300/s: ${totals.requests} requests`);
  // After the run the target is gone and Prometheus marks its series stale: an instant query at
  // "now" finds nothing. last_over_time reads the last sample scraped, the one of the final
  // figures the endpoint lingered for. The sample may take a moment to be committed: asked again,
  // bounded, until it holds.
  const expressions = {
    requests: 'sum(last_over_time(stress_requests_total[1m]))',
    scheduled: 'sum(last_over_time(stress_requests_scheduled_total[1m]))',
    success: 'sum(last_over_time(stress_latency_seconds_count[1m]))',
  };
  const expected = { requests: totals.requests, scheduled: totals.scheduled, success: totals.success };
  let seen: Record<string, number | null> = {};
  for (const until = Date.now() + 3000; ; ) {
    seen = {};
    for (const [name, expression] of Object.entries(expressions)) seen[name] = (await prometheus.query(expression))[0]?.value ?? null;
    if (Object.entries(expected).every(([name, value]) => seen[name] === value) || Date.now() > until) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.deepEqual(seen, expected, `Prometheus' view of the run; its log: ${prometheus.log()}`);
});

/** Runs `stress` under another user id when this one is root (ports below 1024 are root's to bind). */
function runAsNobody(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const argv = [process.execPath, STRESS_BIN, ...args];
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr });
    });
  });
}

test('an address in use, a malformed one, a port without permission: exit 2, one line each, no request sent', async (t) => {
  const target: RawServer = await startRawServer(perRequest((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')));
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const takenPort = (taken.address() as net.AddressInfo).port;
  t.after(async () => {
    await target.close();
    await new Promise<void>((resolve) => taken.close(() => resolve()));
  });
  const load = [target.url, '--rate', '50', '--duration', '1s', '--warmup', '0', '--workers', '1', '--quiet'];
  const refused = async (metrics: string, why: RegExp, asNobody = false): Promise<void> => {
    const result = asNobody ? await runAsNobody([...load, '--metrics', metrics]) : await runStress([...load, '--metrics', metrics], 20_000);
    assert.equal(result.code, 2, `--metrics ${metrics}: ${result.stderr}`);
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line: ${result.stderr}`);
    assert.match(lines[0]!, why);
  };
  await refused(`127.0.0.1:${takenPort}`, new RegExp(`^stress: --metrics: 127\\.0\\.0\\.1:${takenPort} is in use by another process`));
  await refused('127.0.0.1:99999', /^stress: --metrics: "127\.0\.0\.1:99999": the port must be a whole number from 0 to 65535/);
  // Port 1 needs privileges only for a user without them: as root, the run drops to nobody (it
  // must be able to; a root that cannot makes the case fail, not pass unverified).
  const unprivilegedFrom = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  assert.ok(
    unprivilegedFrom > 1,
    `this kernel lets anyone bind port 1 (ip_unprivileged_port_start ${unprivilegedFrom}): the case cannot be verified`,
  );
  await refused(
    '1',
    /^stress: --metrics: no permission to listen on 127\.0\.0\.1:1 .*give a port of 1024 or more/,
    process.getuid?.() === 0,
  );
  assert.equal(target.accepted, 0, 'no load was sent');
});
