/**
 * Fault 7, the target restarted mid-run: its listener and every connection go away for a
 * second, then it listens again on the same port. The errors are classified (reset for what was
 * in flight, refused while it was down), keep-alive connections are opened again, and success
 * resumes. The target is a plain node:http server in this process: the bundled uWS server
 * listens exclusively, so it cannot take its port back while the old connections sit in TIME_WAIT.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { runSummary } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';
import { portOutsideEphemeral } from '../helpers/raw-servers.js';

/** A target whose every answer takes 20 ms, so some requests are always in flight; counts connections. */
function listen(port: number): Promise<{ server: http.Server; connections: () => number; answered: () => number }> {
  let connections = 0;
  let answered = 0;
  const server = http.createServer((_request, response) => {
    setTimeout(() => {
      answered++;
      response.end('hello\n');
    }, 20);
  });
  server.on('connection', () => connections++);
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, connections: () => connections, answered: () => answered }));
  });
}

/** `listen(port)` again, retried while the port is still held (EADDRINUSE) for up to 2 s. */
async function listenAgain(port: number): Promise<Awaited<ReturnType<typeof listen>>> {
  for (const deadline = Date.now() + 2000; ; ) {
    try {
      return await listen(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function down(server: http.Server): void {
  server.close();
  server.closeAllConnections();
}

/** every server started, so that none outlives the file (one test per client runs here) */
const servers: http.Server[] = [];
after(() => {
  for (const server of servers) down(server);
});

testEachClient('a target that restarts: reset and refused while it is away, then keep-alive again and success resumes', async (client) => {
  // a port the kernel never gives a client socket: while the target is down, the run's own
  // reconnecting sockets cannot take it (nor connect to themselves on it)
  const port = await portOutsideEphemeral();
  const first = await listen(port);
  const restarted: { target?: Awaited<ReturnType<typeof listen>>; atS?: number } = {};
  const { summary } = await runSummary(
    [...client, `http://127.0.0.1:${port}/`, '--rate', '400', '--duration', '5s', '--warmup', '0', '--workers', '2', '--interval', '500ms'],
    {
      limitMs: 30_000,
      // timed from the load's start (its first progress line), not from the spawn: down 1.8 s
      // into the load, back at 2.8 s, so the run's last second is well after the restart
      onLoadStarted: (loadS) => {
        const loadStartedAt = Date.now() - loadS * 1000;
        setTimeout(() => down(first.server), 1800 - loadS * 1000);
        setTimeout(
          async () => {
            restarted.target = await listenAgain(port);
            restarted.atS = (Date.now() - loadStartedAt) / 1000;
          },
          2800 - loadS * 1000,
        );
      },
    },
  );
  const { totals } = summary;
  assert.ok((totals.errors.reset ?? 0) >= 1, `requests in flight at the restart were reset: ${JSON.stringify(totals.errors)}`);
  assert.ok((totals.errors.refused ?? 0) >= 50, `requests while it was down were refused: ${JSON.stringify(totals.errors)}`);
  assert.deepEqual(Object.keys(totals.errors).sort(), ['refused', 'reset'], 'nothing else, nothing unclassified');
  assert.ok(totals.success >= 2000 - 600, `success ${totals.success} of 2,000`);

  // the last second of the run is well after the restart: everything succeeds again
  const lastSecond = summary.intervals.filter((interval) => interval.startS >= 4 && interval.t <= 5);
  assert.equal(lastSecond.length, 2, 'two intervals of 500 ms');
  for (const interval of lastSecond) {
    assert.equal(interval.failure, 0, `interval ending at ${interval.t} s: ${JSON.stringify(interval.errors)}`);
    assert.ok(interval.success >= 150, `interval ending at ${interval.t} s: success ${interval.success}`);
  }
  // the restarted target got its requests over kept-alive connections: at most the two pools'
  // 64 each (the held requests go out together when it is back), not one per request
  assert.ok(restarted.target, 'the target was restarted');
  const { connections, answered } = restarted.target;
  // 400 req/s from the moment it listened again to the load's end at 5 s, most of them answered
  // (a busy machine fires the restart's timer late: the count follows when it actually listened)
  const dueAfter = 400 * (5 - restarted.atS!);
  assert.ok(answered() >= 0.8 * dueAfter, `answered ${answered()} after the restart at ${restarted.atS} s, ${Math.round(dueAfter)} due`);
  assert.ok(connections() >= 1 && connections() <= 2 * 64, `${connections()} connections for ${answered()} answers`);
});
