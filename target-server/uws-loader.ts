/**
 * Loads uWebSockets.js and tells which implementation came up.
 *
 * The package (`@trufflesuite/uws-js-unofficial` under the `uWebSockets.js` alias) requires a
 * native `binaries/uws_<platform>_<arch>_<abi>.node` and, when that cannot load, silently
 * returns a slow pure-JS fallback (`dist/index.js`, built on node:http). A load test against
 * the fallback measures the fallback, so the server must say which one it runs. With
 * UWS_USE_FALLBACK=1 the package also console.log()s a banner, which would push the server's
 * "listening on" line off the first line of stdout: console.log is sent to stderr while the
 * package loads.
 */

import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

export type UwsModule = typeof Uws;
export type UwsEngine = 'native' | 'fallback';

const require = createRequire(import.meta.url);

let loaded: { uws: UwsModule; engine: UwsEngine } | undefined;

/** The uWebSockets.js module (loaded once) and which implementation it is. */
export function loadUws(): { uws: UwsModule; engine: UwsEngine } {
  if (loaded) return loaded;
  const log = console.log;
  console.log = (...args: unknown[]) => console.error(...args);
  let uws: UwsModule;
  try {
    uws = require('uWebSockets.js') as UwsModule;
  } finally {
    console.log = log;
  }
  loaded = { uws, engine: detectEngine(uws as unknown as Record<string, unknown>, Object.keys(require.cache)) };
  return loaded;
}

/**
 * `native` only when both signs agree: a uWS binary (`.../binaries/uws_*.node`) sits in the
 * require cache, and the exports carry names only the native addon has (`SSLApp`, `getParts`;
 * the fallback exports App and a few helpers). A bare `.node` check is not enough: the
 * fallback itself loads `bufferutil`'s native addon through `ws`.
 */
export function detectEngine(exports: Record<string, unknown>, cachedModulePaths: readonly string[]): UwsEngine {
  const binaryLoaded = cachedModulePaths.some((path) => /[\\/]binaries[\\/]uws_[^\\/]+\.node$/.test(path));
  const nativeApi = typeof exports.SSLApp === 'function' && typeof exports.getParts === 'function';
  return binaryLoaded && nativeApi ? 'native' : 'fallback';
}
