/**
 * The live page: like the HTML report, self-contained (the chart library, its script and its
 * style inline, nothing fetched from another host), under a Content-Security-Policy that names
 * its inline scripts and styles by their hashes (no 'unsafe-inline'); it may only connect back to
 * this server for the run's events. Built once, when the dashboard starts; every figure arrives
 * later as an event and is set as text. Pure, apart from reading the chart library once.
 */
import { chartLibrarySource } from '../report/html/chart-library.js';
import { escapeHtml, inlineSafe } from '../report/html/escape.js';
import { contentSecurityPolicy as contentSecurityPolicyOf, renderPage } from '../report/html/page-shell.js';
import { PAGE_CSS } from '../report/html/style.js';
import { liveScript } from './live-client.js';

const LIVE_CSS = `
.live-figures { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 12px 0; font-variant-numeric: tabular-nums; }
.live-figures div { display: flex; flex-direction: column; }
.live-figures span:first-child { color: var(--muted); font-size: 0.85rem; }
.live-figures span:last-child { font-size: 1.25rem; font-weight: 600; }
#live-headline:empty { display: none; }
`;

/** The page and the policy it is served under (also sent as a header). */
export interface LivePage {
  html: string;
  contentSecurityPolicy: string;
}

export function livePage(target: string, title: string): LivePage {
  const library = chartLibrarySource();
  const scripts = [inlineSafe(library.js, 'script'), inlineSafe(liveScript(), 'script')];
  const styles = [inlineSafe(library.css, 'style'), PAGE_CSS, LIVE_CSS];
  const figure = (id: string, label: string) => `<div><span>${label}</span><span id="${id}">-</span></div>`;
  const parts = {
    title: `Live: ${title}: ${target}`,
    styles,
    scripts,
    connectSelf: true,
    main: `<header><h1>${escapeHtml(`${title} (live)`)}</h1><p class="subtitle" id="target">${escapeHtml(target)}</p><p class="subtitle" id="live-status">Updated every interval; the final report replaces this page when the run ends.</p></header>
<section class="live-figures">${figure('live-elapsed', 'elapsed')}${figure('live-requests', 'requests')}${figure('live-errors', 'errors and drops')}${figure('live-achieved', 'achieved, last interval')}${figure('live-p99', 'p99, last interval')}</section>
<section id="verdicts"><h2>Verdicts so far</h2><div class="headline broke" id="live-headline"></div><ul class="verdicts" id="live-verdicts"></ul></section>
<section id="live-ramp"></section>
<section id="live-time"></section>
<footer>Charts drawn with ${library.name} ${escapeHtml(library.version)} (MIT License), inlined in this page: it connects only to this run's events.</footer>`,
  };
  const html = renderPage(parts);
  const contentSecurityPolicy = contentSecurityPolicyOf(parts);
  return { html, contentSecurityPolicy };
}
