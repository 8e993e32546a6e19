/**
 * Test helper: one test per HTTP client (`--client lean` and `--client undici`), so the fault
 * suite holds the lean client to every behaviour undici already had, and keeps undici honest as
 * the cross-check.
 */
import { test } from 'node:test';
import { CLIENT_KINDS, type ClientKind } from '../../engine/http/target.js';

/** Registers `name` once per client; `client` is the flag pair to pass to bin/stress. */
export function testEachClient(name: string, body: (client: string[], kind: ClientKind) => Promise<void>): void {
  for (const kind of CLIENT_KINDS) test(`${name} [--client ${kind}]`, () => body(['--client', kind], kind));
}
