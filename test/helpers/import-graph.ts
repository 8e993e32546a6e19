/**
 * The source tree as a graph of files, for the architecture test. Every function here is pure
 * (source text and paths in, data out), so the test's own tables can show, on small synthetic
 * graphs, that a cycle is found and that a clean graph yields nothing; the real tree is only read
 * in the test. Specifiers are taken from TypeScript's own syntax tree rather than by regex, so an
 * import written in a comment or a string is never counted and a multi-line import never missed.
 */
import { posix } from 'node:path';
import ts from 'typescript';

/** Root-relative path of a source file, with `/` separators, e.g. `engine/run/local-run.ts`. */
export type SourcePath = string;

/** Each file's imports of other source files, sorted and without duplicates. */
export type ImportGraph = ReadonlyMap<SourcePath, readonly SourcePath[]>;

/** One file importing another. */
export interface ImportEdge {
  readonly from: SourcePath;
  readonly to: SourcePath;
}

/** The graph, and the relative imports that name no source file (a typo, or a file that moved). */
export interface BuiltGraph {
  readonly graph: ImportGraph;
  readonly unresolved: readonly ImportEdge[];
}

const isRelative = (specifier: string): boolean => specifier.startsWith('./') || specifier.startsWith('../');

/** A `new URL(...)` names a module (a worker thread's file) only when it names a script. */
const isScript = (specifier: string): boolean => /\.[mc]?[jt]s$/.test(specifier);

const stringArgument = (node: ts.Node | undefined): string | undefined =>
  node !== undefined && ts.isStringLiteralLike(node) ? node.text : undefined;

const isImportMetaUrl = (node: ts.Node | undefined): boolean =>
  node !== undefined &&
  ts.isPropertyAccessExpression(node) &&
  node.name.text === 'url' &&
  ts.isMetaProperty(node.expression) &&
  node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;

/** `new URL('./worker.js', import.meta.url)`: how a worker thread's file is named. */
function workerUrlSpecifier(node: ts.NewExpression): string | undefined {
  const [first, second] = node.arguments ?? [];
  if (!ts.isIdentifier(node.expression) || node.expression.text !== 'URL' || !isImportMetaUrl(second)) return undefined;
  const specifier = stringArgument(first);
  return specifier !== undefined && isScript(specifier) ? specifier : undefined;
}

/** The module a node refers to, if it is one of the forms that load or name a module. */
function specifierOf(node: ts.Node): string | undefined {
  if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return stringArgument(node.moduleSpecifier);
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) return stringArgument(node.arguments[0]);
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) return stringArgument(node.argument.literal);
  if (ts.isNewExpression(node)) return workerUrlSpecifier(node);
  return undefined;
}

/**
 * The relative module specifiers of one TypeScript source, in order of appearance: static
 * `import ... from` (type-only too), `export ... from`, side-effect `import '...'`, dynamic
 * `import('...')`, `import('...')` types, and `new URL('./x.js', import.meta.url)`. Package
 * imports (`node:fs`, `undici`) are left out: they are not part of the tree.
 */
export function relativeSpecifiers(sourceText: string): string[] {
  const file = ts.createSourceFile('source.ts', sourceText, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const specifier = specifierOf(node);
    if (specifier !== undefined && isRelative(specifier)) found.push(specifier);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * The source file a relative specifier of `from` names: resolved against `from`'s folder, with
 * the `.js` that ESM imports must spell mapped back to the `.ts` it is compiled from.
 */
export function resolveSpecifier(from: SourcePath, specifier: string): SourcePath {
  return posix
    .join(posix.dirname(from), specifier)
    .replace(/\.js$/, '.ts')
    .replace(/\.mjs$/, '.mts')
    .replace(/\.cjs$/, '.cts');
}

/** The import graph of a set of sources, keyed by root-relative path. */
export function buildImportGraph(sources: ReadonlyMap<SourcePath, string>): BuiltGraph {
  const graph = new Map<SourcePath, SourcePath[]>();
  const unresolved: ImportEdge[] = [];
  for (const [from, text] of sources) {
    const targets = new Set<SourcePath>();
    for (const to of relativeSpecifiers(text).map((specifier) => resolveSpecifier(from, specifier))) {
      if (sources.has(to)) targets.add(to);
      else unresolved.push({ from, to });
    }
    graph.set(from, [...targets].sort());
  }
  return { graph, unresolved };
}

/** Every edge of a graph, in order of the importing file. */
export function edgesOf(graph: ImportGraph): ImportEdge[] {
  return [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to })));
}

/** Tarjan's algorithm: the strongly connected components, each a set of files that reach each other. */
export function stronglyConnected(graph: ImportGraph): SourcePath[][] {
  let next = 0;
  const index = new Map<SourcePath, number>();
  const low = new Map<SourcePath, number>();
  const stack: SourcePath[] = [];
  const onStack = new Set<SourcePath>();
  const components: SourcePath[][] = [];
  const connect = (node: SourcePath): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: SourcePath[] = [];
    let member: SourcePath;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    components.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return components;
}

/** The shortest way from `start` back to itself inside one component (breadth first), without the closing step. */
function shortestCycleThrough(graph: ImportGraph, members: ReadonlySet<SourcePath>, start: SourcePath): SourcePath[] {
  const cameFrom = new Map<SourcePath, SourcePath>();
  const queue: SourcePath[] = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const target of graph.get(node) ?? []) {
      if (target === start) return pathTo(cameFrom, start, node);
      if (members.has(target) && !cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [];
}

function pathTo(cameFrom: ReadonlyMap<SourcePath, SourcePath>, start: SourcePath, last: SourcePath): SourcePath[] {
  const path = [last];
  while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
  return path;
}

/** A cycle written from its smallest file, so the same cycle found from two files is one. */
function canonical(cycle: readonly SourcePath[]): SourcePath[] {
  const first = cycle.indexOf([...cycle].sort()[0]!);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/**
 * The import cycles of a graph: for every file on a cycle, the shortest cycle through it, each
 * cycle once (a file that imports itself is a cycle of one). Every file of every strongly
 * connected component is on at least one of the cycles listed, so breaking them all leaves none.
 */
export function findCycles(graph: ImportGraph): SourcePath[][] {
  const cycles = new Map<string, SourcePath[]>();
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    for (const start of component) {
      const cycle = shortestCycleThrough(graph, members, start);
      if (cycle.length > 0) cycles.set(canonical(cycle).join('\n'), canonical(cycle));
    }
  }
  return [...cycles.values()].sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

/** A cycle as a chain that ends where it starts: `a -> b -> a`. */
export function formatCycle(cycle: readonly SourcePath[]): string {
  return [...cycle, cycle[0]].join(' -> ');
}
