/**
 * The agent bundle `npm run build` makes: its manifest matches its files, it holds none of what a
 * load box has no use for, it runs from a folder of its own with nothing else around it, and the
 * controller refuses a copy that does not match its manifest.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../../common/version.js';
import { AGENT_ENTRY, BUNDLE_DIR, checkManifest, loadAgentBundle, MANIFEST_FILE } from '../../engine/remote/ship/agent-bundle.js';

const copies = mkdtempSync(join(tmpdir(), 'stress-bundle-'));
after(() => rmSync(copies, { recursive: true, force: true }));

/** A copy of the bundle in a folder with no node_modules anywhere above it. */
function copyOfBundle(name: string): string {
  const dir = join(copies, name);
  cpSync(BUNDLE_DIR, dir, { recursive: true });
  return dir;
}

test('the manifest lists the files and their hash; the agent, its worker and piscina are there, no uWebSockets.js nor report code', () => {
  const bundle = loadAgentBundle();
  const manifest = JSON.parse(readFileSync(join(BUNDLE_DIR, MANIFEST_FILE), 'utf8'));
  assert.equal(typeof checkManifest(manifest), 'object');
  assert.equal(manifest.version, VERSION);
  assert.equal(manifest.hash, bundle.hash);
  const names = bundle.files.map((file) => file.name);
  for (const name of ['package.json', AGENT_ENTRY, 'worker.js', 'piscina/worker.js'])
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  const text = bundle.files.map((file) => Buffer.from(file.data).toString('latin1')).join('\n');
  assert.doesNotMatch(text, /uWebSockets|uws_/, 'no uWebSockets.js');
  assert.doesNotMatch(text, /<!doctype html|uPlot/i, 'no report code');
  assert.ok(bundle.bytes < 1024 * 1024, `the bundle weighs ${bundle.bytes} bytes`);
});

test('the bundle runs on its own: its agent answers the hello with this version', () => {
  const dir = copyOfBundle('alone');
  const agent = spawnSync(process.execPath, [join(dir, AGENT_ENTRY)], {
    input: `${JSON.stringify({ type: 'hello', version: VERSION })}\n`,
    encoding: 'utf8',
    cwd: copies,
    timeout: 20_000,
  });
  assert.equal(agent.status, 0, agent.stderr);
  const hello = JSON.parse(agent.stdout.split('\n')[0]!);
  assert.equal(hello.type, 'hello');
  assert.equal(hello.version, VERSION);
});

test('a copy of the bundle that does not match its manifest is refused before any box is touched', () => {
  const dir = copyOfBundle('damaged');
  assert.equal(loadAgentBundle(dir).hash, loadAgentBundle().hash, 'an intact copy is the same bundle');
  appendFileSync(join(dir, 'worker.js'), '\n');
  assert.throws(() => loadAgentBundle(dir), /^Error: the agent bundle in .* does not match its manifest: npm run build makes it again$/);
  rmSync(join(dir, 'worker.js'));
  assert.throws(() => loadAgentBundle(dir), /^Error: the agent bundle cannot be read \(ENOENT.*worker\.js.*\): npm run build makes it$/);
});
