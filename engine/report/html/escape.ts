/**
 * Putting text and data into an HTML page safely. The target URL, headers in the text summary and
 * verdict reasons are user input: none of it may become markup or end a <script> early.
 */
import { createHash } from 'node:crypto';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value; a non-string (from a crafted saved report) as its text. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/**
 * A value used as a class name (a verdict, say): only a plain lower-case word of letters and
 * hyphens; anything else, from a crafted saved report, becomes no class at all.
 */
export function classToken(value: unknown): string {
  return typeof value === 'string' && /^[a-z][a-z-]{0,40}$/.test(value) ? value : '';
}

/** The CSP source of an inline script or style: its SHA-256, so that nothing else inline may run. */
export function cspHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

/**
 * A `<script type="application/json">` holding `value`. Every `<` is written as `\u003c`, which
 * JSON.parse reads back as `<`, so neither `</script>` nor `<!--` in the data can change how the
 * HTML parser ends the element.
 */
export function jsonScript(id: string, value: unknown): string {
  const json = JSON.stringify(value).replace(/</g, '\\u003c');
  return `<script type="application/json" id="${escapeHtml(id)}">${json}</script>`;
}

/**
 * Code inlined verbatim into a <script> or <style> element cannot be escaped without changing
 * it, so it is checked instead: a closing tag inside would end the element early.
 */
export function inlineSafe(code: string, element: 'script' | 'style'): string {
  if (new RegExp(`</${element}|<!--`, 'i').test(code)) {
    throw new Error(`cannot inline this code into <${element}>: it contains "</${element}" or "<!--"`);
  }
  return code;
}
