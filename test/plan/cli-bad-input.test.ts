/**
 * Fault 12: bad input. Every flag and profile field is validated before any load is sent; all
 * problems are reported at once, on one line, with exit 2. The target here is a raw server that
 * counts connections: it must see none.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapConcurrently } from '../helpers/concurrently.js';
import { runStress } from '../helpers/stress-cli.js';

let connections = 0;
const server = net.createServer((socket) => {
  connections++;
  socket.destroy();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const dir = await mkdtemp(join(tmpdir(), 'stress-bad-input-'));
after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

async function refused(args: string[], expected: RegExp[]): Promise<void> {
  const run = await runStress(args, 20_000);
  assert.equal(run.code, 2, `exit 2 for ${args.join(' ')}: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  for (const pattern of expected) assert.match(lines[0]!, pattern);
  assert.equal(run.stdout, '', 'no report');
}

test('each kind of bad input is refused with exit 2, naming what is wrong', async () => {
  const profile = join(dir, 'profile.json');
  await writeFile(profile, JSON.stringify({ rate: 100, colour: 'blue', timeout: true }));
  const table: Array<[string[], RegExp[]]> = [
    [['htp:/nowhere'], [/url: "htp:\/nowhere"/]],
    [['ftp://127.0.0.1/'], [/must be http:\/\/ or https:\/\//]],
    [[url, '--rate', '0'], [/--rate: "0" must be more than 0/]],
    [[url, '--rate', 'NaN'], [/--rate/]],
    [[url, '--rate', '-5'], [/--rate/]],
    [[url, '--duration', '400d'], [/--duration/]],
    [[url, '--ramp', '5000:100'], [/--ramp: "5000:100" must rise/]],
    [[url, '--header', ': value'], [/--header: ": value"/]],
    [[url, '--body-file', join(dir, 'missing.bin')], [/--body-file: cannot read/]],
    [[url, '--agents=-oProxyCommand=evil'], [/-oProxyCommand=evil/]],
    [[url, '--agents', 'box1;rm -rf ~'], [/box1;rm -rf ~/]],
    [[url, '--fail-on', 'p99'], [/--fail-on: "p99" is not a threshold/]],
    [
      [url, '--profile', profile],
      [/profile field "colour" is unknown/, /profile field "timeout" must be/],
    ],
  ];
  await mapConcurrently(table, ([args, expected]) => refused(args, expected));
  assert.equal(connections, 0, 'no load was sent');
});

test('many problems at once are all reported, on one line', async () => {
  await refused(
    [url, '--rate', '0', '--duration', 'forever', '--header', 'bad header', '--timeout=-1s', '--agents', 'a|b', '--fail-on', 'speed>1'],
    [/--rate/, /--duration/, /--header/, /--timeout/, /a\|b/, /unknown metric "speed"/],
  );
  assert.equal(connections, 0, 'no load was sent');
});

test('output files that cannot be written are refused before any load, not found out at the end', async () => {
  const missing = join(dir, 'no-such-folder');
  const same = join(dir, 'same.json');
  const table: Array<[string[], RegExp[]]> = [
    [[url, '--out', join(missing, 'r.json')], [/^stress: --out: cannot write ".*r\.json": the folder ".*no-such-folder" does not exist/]],
    [[url, '--log', join(missing, 'r.csv')], [/--log: cannot write/]],
    [[url, '--hdr-log', dir], [/--hdr-log: cannot write ".*": it is a folder/]],
    [[url, '--html', join(missing, 'r.html')], [/--html: cannot write/]],
    [[url, '--out', same, '--html', same], [/--html: ".*same\.json" is also --out; give another file/]],
  ];
  await mapConcurrently(table, ([args, expected]) => refused(args, expected));
  assert.equal(connections, 0, 'no load was sent');
});

test('stress report refuses to write its HTML over its own input, which stays as it was', async () => {
  const input = join(dir, 'saved.json');
  const content = JSON.stringify({ totals: {}, latencyMs: {} });
  await writeFile(input, content);
  const run = await runStress(['report', input, '--html', input], 20_000);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /--html: ".*saved\.json" is also the input; give another file/);
  assert.equal(await readFile(input, 'utf8'), content);
});
