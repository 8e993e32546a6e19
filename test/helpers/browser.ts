/**
 * Test helper: Debian's Chromium driven by playwright-core, for tests of what a browser makes of
 * the HTML report. No downloaded browser: `npm test` installs the `chromium` package first
 * (scripts/test-prerequisites.ts), and a missing one fails the test (it never skips), since a
 * skipped browser test proves nothing.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, and quiet: nothing of its own on the network (no QUIC probes, updates, sync). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Chromium {
  context: BrowserContext;
  /** closes the browser and removes its profile */
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile in a temporary directory. */
export async function launchChromium(): Promise<Chromium> {
  try {
    await access(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get update && apt-get install -y chromium\` (as root; npm test does this)`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'stress-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1200, height: 900 },
      deviceScaleFactor: 1,
      timeout: 15_000,
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
