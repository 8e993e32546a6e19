/**
 * The live dashboard in a real browser (Debian's Chromium), during a real ramp against the bundled
 * target with a capacity: the charts gain points between two reads, the request count grows, the
 * breaking point appears as soon as the step that broke is judged, nothing is requested from
 * another origin, no script error and no Content-Security-Policy violation is logged, and at the
 * end the page is the final report, with its headline.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, type Chromium } from '../helpers/browser.js';
import { CONTENTION_MAX_LAG, onDashboardUrl, runStress } from '../helpers/stress-cli.js';

let chromium: Chromium;
before(async () => {
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
});

/** The figures the page shows, as a script reads them. */
const READ_PAGE = `({
  updates: Number(document.body.dataset.liveUpdates ?? 0),
  points: Number(document.body.dataset.livePoints ?? 0),
  charts: Number(document.body.dataset.chartsDrawn ?? 0),
  requests: Number((document.getElementById('live-requests')?.textContent ?? '0').replace(/,/g, '')),
})`;

/**
 * Waits until `expression` is true in the page. Polled with page.evaluate: waitForFunction
 * evaluates a string inside the page, which the page's own policy (no 'unsafe-eval') forbids.
 */
async function waitFor(page: import('playwright-core').Page, expression: string, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await page.evaluate(`Boolean(${expression})`).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not true within ${limitMs} ms: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface PageFigures {
  updates: number;
  points: number;
  charts: number;
  requests: number;
}

test('a ramp watched live: charts grow, the breaking point shows, then the final report replaces the page', async () => {
  const page = await chromium.context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  let origin = '';
  const seen: { watched?: Promise<{ first: PageFigures; second: PageFigures; headline: string; finalHeadline: string }> } = {};
  const watch = async (url: string) => {
    origin = new URL(url).origin;
    await page.goto(url, { waitUntil: 'load', timeout: 10_000 });
    await waitFor(page, 'Number(document.body.dataset.liveUpdates ?? 0) >= 1', 10_000);
    const first = (await page.evaluate(READ_PAGE)) as PageFigures;
    await waitFor(page, `Number(document.body.dataset.livePoints ?? 0) > ${first.points}`, 10_000);
    const second = (await page.evaluate(READ_PAGE)) as PageFigures;
    // a CSP violation is also reported as an event, which a console listener could miss
    await page.evaluate(
      `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective))`,
    );
    await waitFor(page, `(document.getElementById('live-headline')?.textContent ?? '').startsWith('Breaking point')`, 15_000);
    const headline = (await page.evaluate(`document.getElementById('live-headline').textContent`)) as string;
    await page.waitForURL(/\/report$/, { timeout: 20_000 });
    await waitFor(page, "document.getElementById('breaking-point') !== null && document.body.dataset.chartsDrawn !== undefined", 10_000);
    const finalHeadline = (await page.evaluate(`document.getElementById('breaking-point')?.textContent ?? ''`)) as string;
    return { first, second, headline, finalHeadline };
  };
  const run = await runStress(
    [
      '--ramp',
      '200:800',
      '--steps',
      '4',
      '--step',
      '1s',
      '--no-stop-on-break',
      '--warmup',
      '0s',
      '--interval',
      '250ms',
      '--bundled',
      'capacity=400',
      '--bundled',
      'queue=20',
      '--timeout',
      '500ms',
      '--max-lag',
      CONTENTION_MAX_LAG,
      '--dashboard',
      '--quiet',
    ],
    60_000,
    (child) =>
      onDashboardUrl(child, (url) => {
        seen.watched = watch(url);
        // awaited below, once the run has ended
        seen.watched.catch(() => undefined);
      }),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(seen.watched, `the URL was printed: ${run.stderr}`);
  const { first, second, headline, finalHeadline } = await seen.watched;
  assert.ok(second.points > first.points, `points grew: ${first.points} -> ${second.points}`);
  assert.ok(second.requests > first.requests, `requests grew: ${first.requests} -> ${second.requests}`);
  assert.ok(second.charts >= 3, `the charts over time are drawn (${second.charts})`);
  assert.match(headline, /^Breaking point: ~\d/);
  assert.match(finalHeadline, /Breaking point ~\d/);
  assert.ok(requests.length >= 3, `the page, its events and the report: ${requests.join(' ')}`);
  for (const url of requests) assert.equal(new URL(url).origin, origin, `only the dashboard's own origin: ${url}`);
  assert.deepEqual(errors, [], 'no error, warning or CSP violation');
  await page.close();
});
