/**
 * Text from outside this process (a load box's messages, its ssh stderr, a target's error codes)
 * made safe to print on a terminal: a box that sends `ESC ]0;...` or a C1 `CSI` could otherwise
 * retitle the window, clear the screen, move the cursor or forge a line of our output, and a
 * bidi override could make a line read other than it is. Pure.
 */

/** Control characters (C0, DEL, C1) and format characters (bidi overrides, zero widths): what a terminal may act on or hide. */
const UNSEEN = /[\p{Cc}\p{Cf}]/gu;
/** Line breaks and tabs read as a space: the text stays one line, its words apart. */
const BREAKS = /[\t\n\r]+/g;

/** `text` without control or format characters (line breaks become spaces), at most `maxLength` characters. */
export function stripControls(text: string, maxLength = 500): string {
  const clean = text.replace(BREAKS, ' ').replace(UNSEEN, '');
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 3)}...` : clean;
}
