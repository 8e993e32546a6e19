/**
 * The shell of every page stress serves or writes (the HTML report, the live dashboard):
 * self-contained, its inline scripts and styles named by hash in a Content-Security-Policy (no
 * 'unsafe-inline'), nothing fetched from another host. `connectSelf` lets a page's scripts reach
 * back to the server that served it (the live page's events); a report file connects nowhere.
 * Pure: the caller escapes the parts it puts in `main` and `data`.
 */
import { cspHash, escapeHtml } from './escape.js';

export interface PageParts {
  /** the document's title, as text */
  title: string;
  /** inline styles and scripts, already made safe to inline (escape.ts inlineSafe) */
  styles: readonly string[];
  scripts: readonly string[];
  connectSelf: boolean;
  /** the markup inside `<main>` */
  main: string;
  /** markup after `<main>` and before the scripts (JSON data blocks) */
  data?: string;
}

/** The policy a page's parts allow, and nothing else. */
export function contentSecurityPolicy(parts: Pick<PageParts, 'styles' | 'scripts' | 'connectSelf'>): string {
  const policy = `default-src 'none'; script-src ${parts.scripts.map(cspHash).join(' ')}; style-src ${parts.styles.map(cspHash).join(' ')}; img-src data:`;
  return parts.connectSelf ? `${policy}; connect-src 'self'; base-uri 'none'; form-action 'none'` : policy;
}

export function renderPage(parts: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(parts)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(parts.title)}</title>
${parts.styles.map((style) => `<style>${style}</style>`).join('\n')}
</head>
<body>
<main>
${parts.main}
</main>
${parts.data === undefined ? '' : `${parts.data}\n`}${parts.scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}
