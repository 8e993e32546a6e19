/**
 * The chart library's own files, read once from node_modules so the HTML report can inline them:
 * a report must open offline, years later, without fetching anything.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ChartLibrary {
  name: string;
  version: string;
  /** minified browser build: defines the global `uPlot` */
  js: string;
  css: string;
}

let cached: ChartLibrary | null = null;

export function chartLibrarySource(): ChartLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (file: string) => readFileSync(require.resolve(`uplot/${file}`), 'utf8');
  const { version } = JSON.parse(read('package.json')) as { version: string };
  cached = { name: 'uPlot', version, js: read('dist/uPlot.iife.min.js'), css: read('dist/uPlot.min.css') };
  return cached;
}
