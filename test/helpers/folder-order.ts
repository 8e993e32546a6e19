/**
 * The folder rules of ARCHITECTURE.md, as pure functions for the architecture test: the order is
 * parsed from the document itself (so the document and the test cannot disagree), and each rule
 * returns every breach at once, each already worded as the line a reader will see.
 */
import { posix } from 'node:path';
import { edgesOf, type ImportEdge, type ImportGraph, type SourcePath } from './import-graph.js';

/** The section of ARCHITECTURE.md whose fenced `text` block lists the folders, bottom-up. */
export const ORDER_HEADING = '## What may import what';

/** A file importing a file of a folder listed after its own. */
export interface BackEdge extends ImportEdge {
  readonly fromFolder: string;
  readonly toFolder: string;
}

/** A folder and how many source files it holds directly. */
export interface FolderCount {
  readonly folder: string;
  readonly count: number;
}

/** The folder a source file is in: `engine/report/html/html.ts` -> `engine/report/html`. */
export function folderOf(file: SourcePath): string {
  return posix.dirname(file);
}

/** The lines of the first fenced block after `heading`, or undefined when there is none. */
function fencedBlockAfter(markdown: string, heading: string): string[] | undefined {
  const lines = markdown.split(/\r?\n/);
  const headingAt = lines.findIndex((line) => line.trim() === heading);
  if (headingAt < 0) return undefined;
  const openAt = lines.findIndex((line, i) => i > headingAt && line.trim().startsWith('```'));
  const nextHeadingAt = lines.findIndex((line, i) => i > headingAt && /^#{1,2} /.test(line));
  if (openAt < 0 || (nextHeadingAt >= 0 && nextHeadingAt < openAt)) return undefined;
  const closeAt = lines.findIndex((line, i) => i > openAt && line.trim() === '```');
  return closeAt < 0 ? undefined : lines.slice(openAt + 1, closeAt);
}

/**
 * The folder order, bottom-up, from the fenced block under `## What may import what`: one folder
 * per line, anything after `#` a comment, blank lines ignored. Throws when the section or its
 * block is missing or lists nothing, since a test against no order would pass vacuously.
 */
export function parseFolderOrder(markdown: string): string[] {
  const block = fencedBlockAfter(markdown, ORDER_HEADING);
  if (block === undefined) throw new Error(`no fenced block under "${ORDER_HEADING}"`);
  const folders = block.map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line !== '');
  if (folders.length === 0) throw new Error(`the block under "${ORDER_HEADING}" lists no folder`);
  return folders;
}

/** Folders listed more than once (their place would be ambiguous). */
export function duplicateFolders(order: readonly string[]): string[] {
  return [...new Set(order.filter((folder, i) => order.indexOf(folder) !== i))];
}

/**
 * Imports that go up the order: a file may import files of its own folder and of folders listed
 * before it. Edges touching a folder that is not listed are left to `unplacedFolders`.
 */
export function findBackEdges(graph: ImportGraph, order: readonly string[]): BackEdge[] {
  const rank = new Map(order.map((folder, i) => [folder, i]));
  return edgesOf(graph)
    .map((edge) => ({ ...edge, fromFolder: folderOf(edge.from), toFolder: folderOf(edge.to) }))
    .filter(({ fromFolder, toFolder }) => (rank.get(toFolder) ?? -1) > (rank.get(fromFolder) ?? Infinity));
}

/** `file -> imported (folder X may not import folder Y, listed after it)`. */
export function formatBackEdge(edge: BackEdge): string {
  return `${edge.from} -> ${edge.to} (folder ${edge.fromFolder} may not import folder ${edge.toFolder}, listed after it)`;
}

/** Folders that hold source files but have no place in the order, sorted. */
export function unplacedFolders(files: Iterable<SourcePath>, order: readonly string[]): string[] {
  const listed = new Set(order);
  return [...new Set([...files].map(folderOf))].filter((folder) => !listed.has(folder)).sort();
}

/** Folders in the order that hold no source file (renamed or emptied since the order was written). */
export function emptyListedFolders(files: Iterable<SourcePath>, order: readonly string[]): string[] {
  const used = new Set([...files].map(folderOf));
  return order.filter((folder) => !used.has(folder));
}

/** Folders holding more than `limit` source files directly, largest first. */
export function crowdedFolders(files: Iterable<SourcePath>, limit: number): FolderCount[] {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(folderOf(file), (counts.get(folderOf(file)) ?? 0) + 1);
  return [...counts]
    .map(([folder, count]) => ({ folder, count }))
    .filter(({ count }) => count > limit)
    .sort((a, b) => b.count - a.count || a.folder.localeCompare(b.folder));
}
