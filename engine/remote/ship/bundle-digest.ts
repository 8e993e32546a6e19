/**
 * The identity of the agent bundle: one sha256 over its files, in the manifest's order, each
 * taken as its name, its length and its bytes (so no two different bundles can hash alike by
 * moving bytes from one file to the next). The build names the bundle by it, the controller
 * checks its own copy with it, and the box checks its cache with it before anything there runs.
 *
 * The box runs this very function: it is sent as source text with the boot stage
 * (box-stage.ts), so it uses nothing but its arguments.
 */
import type { createHash } from 'node:crypto';

/** One file of the bundle: its path inside the bundle, `/`-separated, and its bytes. */
export interface BundleFile {
  name: string;
  data: Uint8Array;
}

/** The bundle's hash, hex. `hashOf` is node:crypto's `createHash`. */
export function bundleDigest(hashOf: typeof createHash, files: readonly BundleFile[]): string {
  const hash = hashOf('sha256');
  for (const file of files) {
    hash.update(`${file.name}\0${file.data.length}\0`);
    hash.update(file.data);
  }
  return hash.digest('hex');
}
