/**
 * This build's version, read from package.json so that it is written in one place. Controller and
 * agent compare it in their hello: a plan only runs on its own version.
 */
import { readFileSync } from 'node:fs';

/** Compiled to dist/common/version.js: package.json is two folders up. */
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
