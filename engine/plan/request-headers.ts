/**
 * The request's headers and credentials as the user gave them (`-H`, `user:password@` in the URL),
 * checked before any load: a header that would change the request's framing or smuggle a second
 * header, a repeated name, or a password that would be printed and saved with the URL.
 */

/** tchar (RFC 9110 5.6.2) */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** CR, LF and NUL end a header line (or a string) early: a second header, or a cut one */
const LINE_BREAKING = /[\r\n\0]/;

/**
 * Headers the client owns: they frame the request (content-length from the body,
 * transfer-encoding), keep the connection (connection, keep-alive, upgrade, te), or make the server
 * wait for a second round trip (expect). Set by a user, each would make the figures about
 * something other than the request.
 */
const RESERVED = new Map<string, string>([
  ['content-length', 'it is set from the body'],
  ['transfer-encoding', 'the body is sent with a Content-Length'],
  ['connection', 'connections are kept alive by the client'],
  ['keep-alive', 'connections are kept alive by the client'],
  ['upgrade', 'the client speaks HTTP/1.1 only'],
  ['te', 'the client reads only identity and chunked bodies'],
  ['expect', 'a 100-continue round trip would be measured as the server'],
]);

/** Shows a user's text in one line: control bytes as escapes, so a message cannot be split or hide them. */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `-H "Name: value"` each; the names lower case. Problems are pushed, one line each. */
export function parseHeaders(given: readonly string[], problems: string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const header of given) {
    const colon = header.indexOf(':');
    const name = colon < 0 ? '' : header.slice(0, colon).trim();
    addHeader(
      headers,
      name,
      header.slice(colon + 1).trim(),
      `--header: "${printable(header)}"`,
      problems,
      'must be "Name: value" with a valid header name',
    );
  }
  return { ...headers };
}

/**
 * Adds one header to `headers` (names lower case), or pushes why it cannot be sent: `shown` names
 * where it came from, `badName` says how a name should be written there.
 */
export function addHeader(
  headers: Record<string, string>,
  name: string,
  value: string,
  shown: string,
  problems: string[],
  badName = 'is not a valid header name',
): void {
  if (!HEADER_NAME.test(name)) {
    problems.push(`${shown} ${badName}`);
    return;
  }
  const key = name.toLowerCase();
  if (LINE_BREAKING.test(value)) problems.push(`${shown}: a value may not hold CR, LF or NUL (it would end the header early)`);
  else if (RESERVED.has(key)) problems.push(`${shown}: ${name} is not yours to set: ${RESERVED.get(key)}`);
  else if (key in headers) problems.push(`${shown}: ${name} is given twice; give it once (join values with a comma)`);
  else headers[key] = value;
}

/**
 * Credentials in a URL (`http://user:password@host/`) become a Basic Authorization header, as curl
 * and browsers send them; the URL keeps the user and shows the password as `***`, so that it is
 * never printed or saved. Returns the URL to show and the header, if any.
 */
export function credentialsOf(url: URL): { shownUrl: string; authorization: string | null } {
  if (url.username === '' && url.password === '') return { shownUrl: url.href, authorization: null };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  const shown = new URL(url.href);
  if (shown.password !== '') shown.password = '***';
  return { shownUrl: shown.href, authorization };
}

/** The URL the workers connect to: no credentials (they travel in the Authorization header). */
export function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}
