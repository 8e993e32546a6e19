/**
 * A mix whose endpoints are at two origins, one of which refuses every connection: the refusals
 * hold back and fail only that origin's requests. The connect gate's back-off is per origin; with
 * one gate for the whole sender, requests to the healthy origin waited behind the refused one's
 * back-off and then failed with its refusal (`refused`, on a server that never refused anything).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { refusedPort } from '../helpers/raw-servers.js';
import { useTarget } from '../helpers/spawn-target.js';
import { runSummary } from '../helpers/stress-cli.js';
import { testEachClient } from '../helpers/each-client.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const served = useTarget();

interface EndpointResult {
  name: string;
  requests: number;
  success: number;
  failure: number;
  errors: Record<string, number>;
}

testEachClient("a refused origin of a mix fails only its own requests; the other origin's are all served", async (_client, kind) => {
  const client = ['--client', kind];
  const targets = join(await tempDirForFile(`mix-refused-${kind}`), 'mix.json');
  const refused = `http://127.0.0.1:${await refusedPort()}`;
  await writeFile(
    targets,
    JSON.stringify([
      { name: 'up', url: `${served.target.url}/hello`, weight: 1 },
      { name: 'down', url: `${refused}/`, weight: 1 },
    ]),
  );
  const { summary } = await runSummary(
    [...client, '--targets', targets, '--rate', '1000', '--duration', '1s', '--warmup', '0', '--workers', '1'],
    {
      limitMs: 30_000,
    },
  );
  const endpoints = summary.endpoints as EndpointResult[];
  const up = endpoints.find((endpoint) => endpoint.name === 'up')!;
  const down = endpoints.find((endpoint) => endpoint.name === 'down')!;
  assert.equal(up.requests, 500, JSON.stringify(up));
  assert.equal(up.success, 500, `the healthy origin's requests: ${JSON.stringify(up)}`);
  assert.equal(down.success, 0);
  assert.deepEqual(down.errors, { refused: down.requests });
  assert.equal(summary.totals.dropped, 0);
});
