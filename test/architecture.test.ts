/**
 * The layering of ARCHITECTURE.md, enforced: no import cycle between files, every import going
 * to the same folder or one listed before it, every folder placed in that order, no folder of
 * more than 15 files. A layering that nothing checks erodes one convenient import at a time; this
 * keeps the folders meaning what the document says. The tables first show, on synthetic graphs, that
 * each rule does fail when it should; then the real tree is read from the source (not dist/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildImportGraph,
  findCycles,
  formatCycle,
  relativeSpecifiers,
  resolveSpecifier,
  type BuiltGraph,
  type ImportGraph,
  type SourcePath,
} from './helpers/import-graph.js';
import {
  crowdedFolders,
  duplicateFolders,
  emptyListedFolders,
  findBackEdges,
  formatBackEdge,
  parseFolderOrder,
  unplacedFolders,
} from './helpers/folder-order.js';

/** The folders whose `.ts` files are the product (tests, dist/ and node_modules/ are not). */
const SOURCE_ROOTS = ['common', 'engine', 'target-server', 'scripts'];
const MAX_FILES_PER_FOLDER = 15;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

/** Fails with every problem on a line of its own, under a title that says what rule they break. */
function assertNone(problems: readonly string[], title: string): void {
  if (problems.length > 0) assert.fail(`${title} (${problems.length}):\n  ${problems.join('\n  ')}`);
}

const isSource = (path: string): boolean =>
  path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.test.ts') && !/(^|\/)(node_modules|dist)\//.test(path);

/** Every source file under the source roots, root-relative with `/` separators. */
function listSources(): SourcePath[] {
  return SOURCE_ROOTS.flatMap((root) =>
    readdirSync(`${ROOT}${root}`, { recursive: true, encoding: 'utf8' })
      .map((path) => `${root}/${path.split('\\').join('/')}`)
      .filter(isSource),
  ).sort();
}

/** The real tree, read and parsed once for all the tests below. */
interface Tree {
  readonly files: readonly SourcePath[];
  readonly built: BuiltGraph;
  readonly order: readonly string[];
}

let tree: Tree | undefined;

function readTree(): Tree {
  if (tree !== undefined) return tree;
  const files = listSources();
  const sources = new Map(files.map((file) => [file, readFileSync(`${ROOT}${file}`, 'utf8')]));
  const order = parseFolderOrder(readFileSync(`${ROOT}ARCHITECTURE.md`, 'utf8'));
  tree = { files, built: buildImportGraph(sources), order };
  return tree;
}

// ---- the pure functions, on synthetic input ----

test('every form that loads or names a module is found; packages, comments and strings are not', () => {
  const source = [
    "import { a } from './a.js';",
    "import type { B } from '../b/b.js';",
    "import {\n  c,\n  d,\n} from './cd.js';",
    "export { e } from './e.js';",
    "export * from './star.js';",
    "import './side-effect.js';",
    "const f = await import('./dynamic.js');",
    "type G = typeof import('./type-only.js');",
    "const worker = new URL('./worker.js', import.meta.url);",
    "const root = new URL('../../', import.meta.url);",
    "const target = new URL('./not-a-module.js', 'http://127.0.0.1/');",
    "import { readFileSync } from 'node:fs';",
    "import yargs from 'yargs';",
    "// import { commented } from './commented.js';",
    "/* export * from './block-commented.js'; */",
    'const text = "import { quoted } from \'./quoted.js\'";',
  ].join('\n');
  assert.deepEqual(relativeSpecifiers(source), [
    './a.js',
    '../b/b.js',
    './cd.js',
    './e.js',
    './star.js',
    './side-effect.js',
    './dynamic.js',
    './type-only.js',
    './worker.js',
  ]);
});

test("a specifier resolves against its file's folder, .js to the .ts it is built from", () => {
  const cases: [SourcePath, string, SourcePath][] = [
    ['engine/run/local-run.ts', './worker.js', 'engine/run/worker.ts'],
    ['engine/run/local-run.ts', '../measure/snapshot.js', 'engine/measure/snapshot.ts'],
    ['engine/report/html/html.ts', '../../../common/format.js', 'common/format.ts'],
    ['engine/main.ts', './plan/cli.js', 'engine/plan/cli.ts'],
  ];
  for (const [from, specifier, expected] of cases) assert.equal(resolveSpecifier(from, specifier), expected, `${from} + ${specifier}`);
});

test('an import of no source file is reported as unresolved, not dropped', () => {
  const sources = new Map([
    ['a/x.ts', "import './y.js'; import './gone.js';"],
    ['a/y.ts', ''],
  ]);
  const { graph, unresolved } = buildImportGraph(sources);
  assert.deepEqual(graph.get('a/x.ts'), ['a/y.ts']);
  assert.deepEqual(unresolved, [{ from: 'a/x.ts', to: 'a/gone.ts' }]);
});

test('cycles: each is reported as a chain back to its start; a clean graph reports none', () => {
  const cases: { name: string; graph: ImportGraph; expected: string[] }[] = [
    { name: 'clean (a diamond is not a cycle)', graph: graphOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }), expected: [] },
    { name: 'two files importing each other', graph: graphOf({ a: ['b'], b: ['a'] }), expected: ['a -> b -> a'] },
    { name: 'a file importing itself', graph: graphOf({ a: ['a'], b: ['a'] }), expected: ['a -> a'] },
    {
      name: 'a longer loop, found once from any file',
      graph: graphOf({ c: ['a'], a: ['b'], b: ['c'], d: ['a'] }),
      expected: ['a -> b -> c -> a'],
    },
    {
      name: 'two loops sharing a file, both listed',
      graph: graphOf({ a: ['b', 'c'], b: ['a'], c: ['a'] }),
      expected: ['a -> b -> a', 'a -> c -> a'],
    },
    {
      name: 'two separate loops',
      graph: graphOf({ a: ['b'], b: ['a'], x: ['y'], y: ['z'], z: ['x'] }),
      expected: ['a -> b -> a', 'x -> y -> z -> x'],
    },
  ];
  for (const { name, graph, expected } of cases) assert.deepEqual(findCycles(graph).map(formatCycle), expected, name);
});

test('back-edges: a lower folder importing a higher one is reported; same folder and downward are fine', () => {
  const order = ['common', 'engine/measure', 'engine/run', 'engine'];
  const cases: { name: string; graph: ImportGraph; expected: string[] }[] = [
    {
      name: 'clean: own folder, and folders listed before',
      graph: graphOf({
        'engine/main.ts': ['engine/run/run.ts', 'engine/factory.ts', 'common/units.ts'],
        'engine/factory.ts': [],
        'engine/run/run.ts': ['engine/measure/snapshot.ts', 'engine/run/worker.ts'],
        'engine/run/worker.ts': [],
        'engine/measure/snapshot.ts': ['common/units.ts'],
        'common/units.ts': [],
      }),
      expected: [],
    },
    {
      name: 'a lower folder importing a higher one',
      graph: graphOf({
        'engine/measure/snapshot.ts': ['engine/run/run.ts', 'engine/main.ts'],
        'common/units.ts': ['engine/measure/snapshot.ts'],
        'engine/run/run.ts': [],
        'engine/main.ts': [],
      }),
      expected: [
        'engine/measure/snapshot.ts -> engine/run/run.ts (folder engine/measure may not import folder engine/run, listed after it)',
        'engine/measure/snapshot.ts -> engine/main.ts (folder engine/measure may not import folder engine, listed after it)',
        'common/units.ts -> engine/measure/snapshot.ts (folder common may not import folder engine/measure, listed after it)',
      ],
    },
    {
      name: 'an unlisted folder is not judged here (placement reports it)',
      graph: graphOf({ 'engine/new/thing.ts': ['engine/main.ts'], 'common/units.ts': ['engine/new/thing.ts'], 'engine/main.ts': [] }),
      expected: [],
    },
  ];
  for (const { name, graph, expected } of cases) assert.deepEqual(findBackEdges(graph, order).map(formatBackEdge), expected, name);
});

test('the folder order is read from its fenced block, comments and blank lines dropped', () => {
  const doc = [
    '# Doc',
    '## What may import what',
    'Rule.',
    '```text',
    'common  # shared',
    '',
    'engine/run',
    'engine   # top',
    '```',
    '## Later',
    '```text',
    'other',
    '```',
  ].join('\n');
  assert.deepEqual(parseFolderOrder(doc), ['common', 'engine/run', 'engine']);
  assert.throws(() => parseFolderOrder('# Doc\n\n## Something else\n```text\ncommon\n```\n'), /no fenced block/);
  assert.throws(() => parseFolderOrder('## What may import what\n\nno block here\n\n## Next\n```text\ncommon\n```\n'), /no fenced block/);
  assert.throws(() => parseFolderOrder('## What may import what\n```text\n# only a comment\n```\n'), /lists no folder/);
});

test('placement and size: unlisted, unused and duplicated folders, and crowded ones, are found', () => {
  const files = ['common/a.ts', 'engine/new/b.ts', 'engine/c.ts', ...Array.from({ length: 4 }, (_, i) => `engine/run/r${i}.ts`)];
  assert.deepEqual(unplacedFolders(files, ['common', 'engine/run', 'engine']), ['engine/new']);
  assert.deepEqual(unplacedFolders(files, ['common', 'engine/new', 'engine/run', 'engine']), []);
  assert.deepEqual(emptyListedFolders(files, ['common', 'engine/gone', 'engine/new', 'engine/run', 'engine']), ['engine/gone']);
  assert.deepEqual(duplicateFolders(['common', 'engine', 'common']), ['common']);
  assert.deepEqual(crowdedFolders(files, 3), [{ folder: 'engine/run', count: 4 }]);
  assert.deepEqual(crowdedFolders(files, 4), []);
});

// ---- the real tree ----

test('ARCHITECTURE.md lists each folder once, and only folders that hold source files', () => {
  const { files, order } = readTree();
  assertNone(duplicateFolders(order), 'Folders listed more than once in ARCHITECTURE.md');
  assertNone(emptyListedFolders(files, order), 'Folders listed in ARCHITECTURE.md that hold no source file');
});

test('every relative import names a source file', () => {
  const { unresolved } = readTree().built;
  assertNone(
    unresolved.map(({ from, to }) => `${from} -> ${to}`),
    'Imports of files that do not exist',
  );
});

test('no import cycle between source files', () => {
  const { graph } = readTree().built;
  assertNone(findCycles(graph).map(formatCycle), 'Import cycles (break each by moving the shared piece down)');
});

test('every import goes to the same folder or a folder listed before it in ARCHITECTURE.md', () => {
  const { built, order } = readTree();
  assertNone(findBackEdges(built.graph, order).map(formatBackEdge), 'Imports against the folder order of ARCHITECTURE.md');
});

test('every folder that holds source files has its place in ARCHITECTURE.md', () => {
  const { files, order } = readTree();
  assertNone(unplacedFolders(files, order), 'Folders missing from the order in ARCHITECTURE.md (place each one)');
});

test(`no folder holds more than ${MAX_FILES_PER_FOLDER} source files`, () => {
  const crowded = crowdedFolders(readTree().files, MAX_FILES_PER_FOLDER);
  assertNone(
    crowded.map(({ folder, count }) => `${folder}: ${count} files`),
    `Folders over ${MAX_FILES_PER_FOLDER} source files (split by subsystem)`,
  );
});
