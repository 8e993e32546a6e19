/**
 * The dashboard's server with real sockets: a short run's event stream read with plain node:http
 * (one update per merged interval, in order, its JSON shape, the last one equal to the run's
 * totals, then `final` and the report at /report); the bounds on pages and on a page that does
 * not read; and every address that cannot be used refused with exit 2, one line, before any load.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http, { type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { EventStream } from '../../engine/dashboard/event-stream.js';
import type { LiveUpdate } from '../../engine/dashboard/live-view.js';
import type { Summary } from '../../engine/summary/summary.js';
import { onDashboardUrl, runStress, STRESS_BIN } from '../helpers/stress-cli.js';

interface Event {
  name: string;
  data: unknown;
}

/** Reads `text/event-stream` from `url` until the stream ends (or `limitMs`), each event also given to `onEvent`. */
function readEvents(
  url: string,
  limitMs: number,
  onEvent: (event: Event) => void,
): Promise<{ response: IncomingMessage; events: Event[] }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      let buffer = '';
      const events: Event[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
          events.push({ name, data: JSON.parse(data) });
          onEvent(events.at(-1)!);
        }
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ response, events });
      });
    });
    const timer = setTimeout(() => request.destroy(new Error(`no end of the event stream within ${limitMs} ms`)), limitMs);
    request.on('error', reject);
  });
}

// independent runs: side by side, to keep the file's wall time short
describe('the dashboard server', { concurrency: true }, () => {
  test('the event stream: one update per interval, in order, the last one the run totals, then final and the report', async () => {
    const seen: { reading?: Promise<{ response: IncomingMessage; events: Event[] }>; report?: Promise<string> } = {};
    const run = await runStress(
      ['--rate', '300', '--duration', '2s', '--interval', '250ms', '--dashboard', '--json', '--quiet'],
      30_000,
      (child) =>
        onDashboardUrl(child, (url) => {
          // as the page does: the report is loaded when the final event says where it is
          seen.reading = readEvents(`${url}events`, 20_000, (event) => {
            if (event.name !== 'final') return;
            seen.report = new Promise<string>((resolve, reject) =>
              http
                .get(`${url}report`, (response) => {
                  let body = '';
                  response.on('data', (chunk) => (body += chunk));
                  response.on('end', () => resolve(`${response.statusCode} ${body}`));
                })
                .on('error', reject),
            );
          });
        }),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one line on stderr, the URL: ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as Summary;
    assert.ok(seen.reading, 'the URL was printed');
    const { response, events } = await seen.reading;
    assert.equal(response.headers['content-type'], 'text/event-stream; charset=utf-8');
    const updates = events.filter((event) => event.name === 'update').map((event) => event.data as LiveUpdate);
    assert.deepEqual(events.at(-1), { name: 'final', data: { report: 'report' } });
    assert.equal(events.length, updates.length + 1, 'updates, then final, nothing else');
    // every interval from the first one seen on is one update, in order: none skipped, none twice
    const ends = summary.intervals.map((interval) => interval.t);
    const first = ends.indexOf(updates[0]!.elapsedS);
    assert.ok(first >= 0 && first <= 4, `the stream starts at an interval of the run, early (${updates[0]!.elapsedS} s)`);
    assert.deepEqual(
      updates.map((update) => update.elapsedS),
      ends.slice(first),
    );
    assert.ok(updates.length >= 4, `at least 4 updates at 250 ms intervals over 2 s, got ${updates.length}`);
    for (const update of updates) {
      assert.deepEqual(Object.keys(update).sort(), ['charts', 'elapsedS', 'headline', 'latest', 'totals', 'verdicts']);
      assert.deepEqual(
        update.charts.map((chart) => chart.id),
        ['time-throughput', 'time-latency', 'time-errors'],
      );
    }
    const last = updates.at(-1)!;
    assert.deepEqual(last.totals, {
      scheduled: summary.totals.scheduled,
      requests: summary.totals.requests,
      success: summary.totals.success,
      failure: summary.totals.failure,
      dropped: summary.totals.dropped,
    });
    assert.equal(last.charts[0]!.xs.length, summary.intervals.length, 'the charts hold every interval');
    const report = await seen.report!;
    assert.match(report, /^200 <!doctype html>/);
    assert.match(report, /<h1>(Load|Endurance) test<\/h1>/, "the final report's headline");
  });

  test('at most maxClients pages; a page that does not read is dropped, not buffered', async () => {
    const stream = new EventStream(2, 2);
    const server = http.createServer((request, response) => stream.open(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // a failed test must not hang on the sockets it left open
    after(() => {
      server.closeAllConnections();
      server.close();
    });
    const { port } = server.address() as AddressInfo;
    // two raw sockets that send the request and then never read
    const stalled = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => {
              socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
              socket.pause();
              resolve(socket);
            });
          }),
      ),
    );
    for (let waited = 0; stream.size < 2 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(stream.size, 2);
    const third = await new Promise<number>((resolve) =>
      http.get(`http://127.0.0.1:${port}/events`, (response) => resolve(response.statusCode!)),
    );
    assert.equal(third, 503, 'a third page is refused');
    // events of 1 MiB: the sockets' buffers fill within a few, and the pages are dropped
    const big = 'x'.repeat(1 << 20);
    for (let sent = 0; sent < 40 && stream.size > 0; sent++) {
      stream.send('update', { big });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const left = stream.size;
    for (const socket of stalled) socket.destroy();
    assert.equal(left, 0, 'both stalled pages dropped');
    assert.equal(stream.dropped, 2);
  });

  test('an address that cannot be used: exit 2, one line, before any load', async () => {
    let connections = 0;
    const target = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    after(() => target.close());
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    const inUse = (target.address() as AddressInfo).port;
    const cases: Array<{ args: string[]; line: RegExp; asNobody?: true }> = [
      {
        args: ['--dashboard', `127.0.0.1:${inUse}`],
        line: /^stress: --dashboard: 127\.0\.0\.1:\d+ is in use by another process: give another port/,
      },
      {
        args: ['--dashboard', '127.0.0.1:99999'],
        line: /^stress: --dashboard: "127\.0\.0\.1:99999": the port must be a whole number from 0 to 65535/,
      },
      { args: ['--dashboard', 'dash.example:80'], line: /^stress: --dashboard: "dash\.example:80" is not an address/ },
      { args: ['--dashboard', '192.0.2.1:0'], line: /^stress: --dashboard: 192\.0\.2\.1 is not an address of this machine/ },
      // a port below 1024 needs privileges: the run is made as an unprivileged user when the suite runs as root
      { args: ['--dashboard', '127.0.0.1:81'], line: /^stress: --dashboard: no permission to listen on 127\.0\.0\.1:81/, asNobody: true },
    ];
    await Promise.all(
      cases.map(async ({ args, line, asNobody }) => {
        const argv = [url, '--rate', '100', '--duration', '1s', ...args];
        const run =
          asNobody && process.getuid?.() === 0
            ? await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
                const child = spawn(process.execPath, [STRESS_BIN, ...argv], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'pipe'] });
                let stderr = '';
                let stdout = '';
                child.stderr.on('data', (chunk) => (stderr += chunk));
                child.stdout.on('data', (chunk) => (stdout += chunk));
                child.on('close', (code) => resolve({ code, stderr, stdout }));
              })
            : await runStress(argv, 20_000);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        const lines = run.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `one line: ${run.stderr}`);
        assert.match(lines[0]!, line);
        assert.equal(run.stdout, '');
      }),
    );
    assert.equal(connections, 0, 'no load was sent');
  });
});
