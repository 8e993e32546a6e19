/**
 * `--targets FILE`: a JSON array of named requests with weights, checked into the endpoints of a
 * mix before any load, every problem at once, each naming the endpoint and the field. Pure: the
 * shell has read the file and the body files it names (readTargetsFile in cli.ts).
 *
 *   [{"name": "checkout", "method": "POST", "url": "http://127.0.0.1:8000/checkout",
 *     "headers": {"content-type": "application/json"}, "bodyFile": "order.json", "weight": 1}]
 */
import { ENDPOINT_NAME, MAX_ENDPOINTS, MAX_WEIGHT, type EndpointSpec } from '../http/target.js';
import { addHeader, credentialsOf, printable, withoutCredentials } from './request-headers.js';

/** The targets file as the shell read it: its text, and each body file an entry names (null: unreadable). */
export interface TargetsFile {
  path: string;
  content: string | null;
  /** by the `bodyFile` text as written in the file */
  bodies: Record<string, Buffer | null>;
}

export { ENDPOINT_NAME, MAX_ENDPOINTS, MAX_WEIGHT };

const FIELDS = ['name', 'method', 'url', 'headers', 'body', 'bodyFile', 'weight'];
const HTTP_METHOD = /^[A-Z]{1,20}$/;
const EXAMPLE = '[{"name": "home", "url": "http://127.0.0.1:8000/", "weight": 3}]';

/** The body file texts an array of entries names: what the shell reads beside the file. */
export function bodyFilesOf(parsed: unknown): string[] {
  if (!Array.isArray(parsed)) return [];
  const names = parsed.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null && Object.hasOwn(entry, 'bodyFile') ? (entry as { bodyFile: unknown }).bodyFile : null,
  );
  return [...new Set(names.filter((name): name is string => typeof name === 'string'))];
}

/** Parses the file's JSON; null (and a problem) when it is not JSON. */
function parsedJson(file: TargetsFile, problems: string[]): unknown {
  try {
    return JSON.parse(file.content!);
  } catch (error) {
    problems.push(`--targets: "${printable(file.path)}" is not valid JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** The endpoints of the file, or null when anything is wrong (each problem pushed). */
export function targetsPlan(file: TargetsFile, problems: string[]): EndpointSpec[] | null {
  const before = problems.length;
  const shownPath = `"${printable(file.path)}"`;
  if (file.content === null) {
    problems.push(`--targets: cannot read ${shownPath}`);
    return null;
  }
  const parsed = parsedJson(file, problems);
  if (parsed === undefined) return null;
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(`--targets: ${shownPath} must hold a JSON array of endpoints, e.g. ${EXAMPLE}`);
    return null;
  }
  if (parsed.length > MAX_ENDPOINTS) {
    problems.push(
      `--targets: ${shownPath} has ${parsed.length} endpoints, at most ${MAX_ENDPOINTS} (each keeps its own figures in every worker): merge some`,
    );
    return null;
  }
  const endpoints: EndpointSpec[] = [];
  const firstOf = new Map<string, number>();
  parsed.forEach((entry: unknown, index) => {
    const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).name : undefined;
    if (typeof name === 'string' && ENDPOINT_NAME.test(name)) {
      const first = firstOf.get(name);
      if (first !== undefined)
        problems.push(`--targets: endpoint ${index + 1} ("${name}"): name "${name}" is taken by endpoint ${first + 1}; names must differ`);
      else firstOf.set(name, index);
    }
    const endpoint = endpointOf(entry, index, file, problems);
    if (endpoint !== null) endpoints.push(endpoint);
  });
  return problems.length > before ? null : endpoints;
}

/** One entry checked, or null (its problems pushed). */
function endpointOf(entry: unknown, index: number, file: TargetsFile, problems: string[]): EndpointSpec | null {
  const before = problems.length;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push(`--targets: endpoint ${index + 1} must be an object such as ${EXAMPLE.slice(1, -1)}`);
    return null;
  }
  const fields = entry as Record<string, unknown>;
  const rawName = fields.name;
  const named = typeof rawName === 'string' && ENDPOINT_NAME.test(rawName);
  const label = `--targets: endpoint ${index + 1}${named ? ` ("${rawName}")` : ''}`;
  const problem = (field: string, text: string) => problems.push(`${label}: ${field} ${text}`);
  for (const field of Object.keys(fields))
    if (!FIELDS.includes(field)) problem(`"${printable(field)}"`, `is not a field (fields: ${FIELDS.join(', ')})`);
  if (rawName === undefined) problem('name', 'is missing (a name such as "checkout" names its row in the reports)');
  else if (!named) problem('name', `${shown(rawName)} must be 1 to 64 letters, digits, "_", "." or "-"`);
  const url = urlOf(fields.url, problem);
  const method = fields.method === undefined ? 'GET' : typeof fields.method === 'string' ? fields.method.toUpperCase() : null;
  if (method === null || !HTTP_METHOD.test(method)) problem('method', `${shown(fields.method)} is not an HTTP method (e.g. GET, POST)`);
  const headers = headersOf(fields.headers, label, problems);
  if (url?.authorization != null) {
    if ('authorization' in headers) problem('url', 'has credentials and headers an Authorization: give one');
    else headers.authorization = url.authorization;
  }
  const bodyBase64 = bodyOf(fields, file, problem);
  const weight = fields.weight === undefined ? 1 : fields.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > MAX_WEIGHT)
    problem(
      'weight',
      `${shown(fields.weight)} must be a number more than 0 and at most ${MAX_WEIGHT} (its share is weight / sum of weights)`,
    );
  if (problems.length > before) return null;
  return { name: rawName as string, url: url!.href, method: method!, headers, bodyBase64, weight: weight as number };
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return printable(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function urlOf(value: unknown, problem: (field: string, text: string) => void): { href: string; authorization: string | null } | null {
  if (value === undefined) {
    problem('url', 'is missing (an absolute http:// or https:// URL)');
    return null;
  }
  if (typeof value !== 'string' || !URL.canParse(value)) {
    problem('url', `${shown(value)} is not a URL (use e.g. http://127.0.0.1:8000/hello)`);
    return null;
  }
  const parsed = new URL(value);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problem('url', `${shown(credentialsOf(parsed).shownUrl)} must be http:// or https://`);
    return null;
  }
  return { href: withoutCredentials(parsed.href), authorization: credentialsOf(parsed).authorization };
}

function headersOf(value: unknown, label: string, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${label}: headers must be an object of "Name": "value"`);
    return {};
  }
  for (const [name, text] of Object.entries(value)) {
    const where = `${label}: headers "${printable(name)}"`;
    if (typeof text !== 'string') problems.push(`${where} must be a string, not ${shown(text)}`);
    else addHeader(headers, name, text, where, problems);
  }
  return { ...headers };
}

function bodyOf(fields: Record<string, unknown>, file: TargetsFile, problem: (field: string, text: string) => void): string | null {
  const { body, bodyFile } = fields;
  if (body !== undefined && bodyFile !== undefined) {
    problem('body and bodyFile', 'contradict: give one');
    return null;
  }
  if (body !== undefined) {
    if (typeof body === 'string') return Buffer.from(body, 'utf8').toString('base64');
    problem('body', `must be a string (the body as text), not ${shown(body)}`);
    return null;
  }
  if (bodyFile === undefined) return null;
  if (typeof bodyFile !== 'string' || bodyFile === '') {
    problem('bodyFile', `must be a file name, not ${shown(bodyFile)}`);
    return null;
  }
  const content = Object.hasOwn(file.bodies, bodyFile) ? file.bodies[bodyFile] : null;
  if (content === null || content === undefined) {
    problem('bodyFile', `cannot read "${printable(bodyFile)}" (a relative name is read beside the targets file)`);
    return null;
  }
  return content.toString('base64');
}
