/**
 * The agent bundle as the controller holds it: dist/agent-bundle/, built by `npm run build`
 * (scripts/build-agent-bundle.ts), its files listed in manifest.json with the hash that names
 * it. The controller reads it once per invocation and ships it byte for byte; a copy that does
 * not match its own manifest is refused here, before any box is touched.
 *
 * What the files are: `agent.mjs` (the agent, the engine and piscina), `worker.js` (a load
 * worker thread), `piscina/worker.js` (piscina's own thread runtime, which piscina looks for
 * under that name beside itself), and `package.json`, which makes those `.js` files ES modules
 * wherever the bundle lands.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord, own } from '../../../common/shape.js';
import { bundleDigest, type BundleFile } from './bundle-digest.js';

export const MANIFEST_FILE = 'manifest.json';
/** The file the box's boot stage loads. */
export const AGENT_ENTRY = 'agent.mjs';

/** manifest.json: the bundle's hash and files (not itself part of the bundle). */
export interface BundleManifest {
  version: string;
  hash: string;
  files: Array<{ name: string; bytes: number }>;
}

export interface AgentBundle {
  hash: string;
  files: BundleFile[];
  /** bytes of all the files */
  bytes: number;
}

/** Compiled to dist/engine/remote/ship/: the bundle is dist/agent-bundle/. */
export const BUNDLE_DIR = fileURLToPath(new URL('../../../agent-bundle/', import.meta.url));

/** A path inside the bundle: plain names, `/`-separated, never leaving it. */
const BUNDLE_PATH = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)*[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The manifest's shape, or why it is not one. */
export function checkManifest(value: unknown): BundleManifest | string {
  if (!isRecord(value)) return 'not an object';
  const version = own(value, 'version');
  const hash = own(value, 'hash');
  const files = own(value, 'files');
  if (typeof version !== 'string') return 'version is not text';
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return 'hash is not a sha256 in hex';
  if (!Array.isArray(files) || files.length === 0) return 'files is not a list of files';
  const checked: BundleManifest['files'] = [];
  for (const file of files as unknown[]) {
    const name = isRecord(file) ? own(file, 'name') : undefined;
    const bytes = isRecord(file) ? own(file, 'bytes') : undefined;
    if (typeof name !== 'string' || !BUNDLE_PATH.test(name) || name.split('/').includes('..')) return `file name ${JSON.stringify(name)}`;
    if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) return `size of ${name}`;
    checked.push({ name, bytes });
  }
  return { version, hash, files: checked };
}

/** The bundle in `dir`, checked against its manifest; throws an Error of one line when it cannot be shipped. */
export function loadAgentBundle(dir: string = BUNDLE_DIR): AgentBundle {
  let manifest: BundleManifest | string;
  let files: BundleFile[];
  try {
    manifest = checkManifest(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')));
    if (typeof manifest === 'string') throw new Error(`its ${MANIFEST_FILE} is damaged: ${manifest}`);
    files = manifest.files.map((file) => ({ name: file.name, data: readFileSync(join(dir, ...file.name.split('/'))) }));
  } catch (error) {
    throw new Error(`the agent bundle cannot be read (${(error as Error).message}): npm run build makes it`);
  }
  const hash = bundleDigest(createHash, files);
  if (hash !== manifest.hash) throw new Error(`the agent bundle in ${dir} does not match its manifest: npm run build makes it again`);
  return { hash, files, bytes: files.reduce((sum, file) => sum + file.data.length, 0) };
}
