/**
 * The last step of `npm run build` (so of `npm ci`): the agent bundle the controller ships to
 * load boxes that have nothing but node (engine/remote/ship/). esbuild bundles the compiled
 * agent (dist/engine/remote/agent-main.js), its load worker (dist/engine/run/worker.js) and
 * piscina's thread runtime, each with the packages it needs, into dist/agent-bundle/, and
 * manifest.json names the bundle by its hash (bundle-digest.ts).
 *
 * The layout keeps the code's own file lookups true: the local run's pool loads `worker.js`
 * beside the code that starts it (here, beside agent.mjs), and piscina loads `worker.js` beside
 * itself, which in agent.mjs is the `piscina/` folder (the banner's `__dirname`). The version is
 * fixed in the bundle (the agent cannot read package.json on a box). The build fails when the
 * bundle would pull in uWebSockets.js, the report code or the target server: none of them has a
 * place on a load box.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { VERSION } from '../common/version.js';
import { AGENT_ENTRY, BUNDLE_DIR, MANIFEST_FILE, type BundleManifest } from '../engine/remote/ship/agent-bundle.js';
import { bundleDigest } from '../engine/remote/ship/bundle-digest.js';

const DIST = fileURLToPath(new URL('../', import.meta.url));
const PISCINA_WORKER = join(dirname(createRequire(import.meta.url).resolve('piscina')), 'worker.js');

/** What a load box never runs: the build fails when an input's path matches. */
const BANNED_INPUTS = [/uWebSockets/, /(^|\/)engine\/report\//, /(^|\/)target-server\//, /(^|\/)chalk\//, /(^|\/)uplot\//];

/** ES modules that may hold CommonJS packages: `require` for them, made from the module's own URL. */
const REQUIRE_BANNER = "import { createRequire as __stressRequire } from 'node:module'; const require = __stressRequire(import.meta.url);";

/** common/version.js reads package.json, which a box does not have: the bundle carries the version instead. */
const fixedVersion: Plugin = {
  name: 'fixed-version',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]common[\\/]version\.js$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(VERSION)};`,
      loader: 'js',
    }));
  },
};

interface Entry {
  /** its name in the bundle */
  name: string;
  source: string;
  banner: string;
}

const ENTRIES: readonly Entry[] = [
  {
    name: AGENT_ENTRY,
    source: join(DIST, 'engine/remote/agent-main.js'),
    // piscina (CommonJS) starts its threads from `${__dirname}/worker.js`
    banner: `${REQUIRE_BANNER} import { fileURLToPath as __stressPath } from 'node:url'; const __dirname = __stressPath(new URL('./piscina/', import.meta.url));`,
  },
  { name: 'worker.js', source: join(DIST, 'engine/run/worker.js'), banner: REQUIRE_BANNER },
  { name: 'piscina/worker.js', source: PISCINA_WORKER, banner: REQUIRE_BANNER },
];

/**
 * Bundles one entry into the bundle's folder; returns the files it wrote (relative to it) and the
 * inputs it took. A dynamic import becomes a chunk of its own, loaded only when used: undici
 * (`--client undici`) is nine tenths of the worker's code.
 */
async function bundle(entry: Entry): Promise<{ outputs: string[]; inputs: string[] }> {
  const result = await build({
    entryPoints: { [entry.name.replace(/\.m?js$/, '')]: entry.source },
    outdir: BUNDLE_DIR,
    outExtension: { '.js': entry.name.endsWith('.mjs') ? '.mjs' : '.js' },
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'eof',
    banner: { js: entry.banner },
    plugins: [fixedVersion],
    // piscina's optional native module, loaded only for a `niceIncrement`, which stress never sets
    external: ['@napi-rs/nice'],
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => relative(BUNDLE_DIR, path).split(sep).join('/'));
  return { outputs, inputs: Object.keys(result.metafile.inputs) };
}

async function main(): Promise<void> {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  mkdirSync(BUNDLE_DIR, { recursive: true });
  writeFileSync(join(BUNDLE_DIR, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  const names = ['package.json'];
  const inputs: string[] = [];
  for (const entry of ENTRIES) {
    const built = await bundle(entry);
    names.push(...built.outputs.filter((name) => !names.includes(name)));
    inputs.push(...built.inputs);
  }
  const banned = inputs.filter((input) => BANNED_INPUTS.some((pattern) => pattern.test(input)));
  if (banned.length > 0) throw new Error(`the agent bundle must not contain ${[...new Set(banned)].join(', ')}`);
  if (!names.includes(AGENT_ENTRY)) throw new Error(`the agent bundle has no ${AGENT_ENTRY}: ${names.join(', ')}`);
  const files = names.map((name) => ({ name, data: readFileSync(join(BUNDLE_DIR, name)) }));
  const manifest: BundleManifest = {
    version: VERSION,
    hash: bundleDigest(createHash, files),
    files: files.map((file) => ({ name: file.name, bytes: file.data.length })),
  };
  writeFileSync(join(BUNDLE_DIR, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build-agent-bundle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
