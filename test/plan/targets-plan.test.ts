/**
 * --targets: the file's entries checked into a mix's endpoints, every problem at once naming the
 * endpoint and the field; the flags around it (a URL, --method, --fail-on NAME:...) checked with
 * it. Pure, apart from the one test that reads real files through the command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../../engine/plan/cli.js';
import { buildPlan, PlanError, targetSpec, type RawOptions } from '../../engine/plan/plan.js';
import { MAX_ENDPOINTS, targetsPlan, type TargetsFile } from '../../engine/plan/targets-plan.js';

const file = (entries: unknown, bodies: Record<string, Buffer | null> = {}): TargetsFile => ({
  path: 'mix.json',
  content: typeof entries === 'string' ? entries : JSON.stringify(entries),
  bodies,
});

function problemsOf(targets: TargetsFile): string[] {
  const problems: string[] = [];
  targetsPlan(targets, problems);
  return problems;
}

function planProblems(raw: RawOptions): string[] {
  try {
    buildPlan(raw, 2);
  } catch (error) {
    if (error instanceof PlanError) return error.problems;
    throw error;
  }
  return [];
}

test('a valid file: defaults (GET, weight 1), headers lower case, bodies in base64, any origin', () => {
  const problems: string[] = [];
  const endpoints = targetsPlan(
    file(
      [
        { name: 'home', url: 'http://127.0.0.1:8000/' },
        {
          name: 'search',
          method: 'post',
          url: 'http://127.0.0.1:8000/search',
          headers: { 'Content-Type': 'text/plain' },
          body: 'q',
          weight: 2,
        },
        { name: 'checkout', url: 'https://user:pw@127.0.0.2:8443/checkout', bodyFile: 'order.json', weight: 0.5 },
      ],
      { 'order.json': Buffer.from('{"id":1}') },
    ),
    problems,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(endpoints, [
    { name: 'home', url: 'http://127.0.0.1:8000/', method: 'GET', headers: {}, bodyBase64: null, weight: 1 },
    {
      name: 'search',
      url: 'http://127.0.0.1:8000/search',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      bodyBase64: Buffer.from('q').toString('base64'),
      weight: 2,
    },
    {
      name: 'checkout',
      // the credentials travel as Basic auth, never in the URL the workers see
      url: 'https://127.0.0.2:8443/checkout',
      method: 'GET',
      headers: { authorization: `Basic ${Buffer.from('user:pw').toString('base64')}` },
      bodyBase64: Buffer.from('{"id":1}').toString('base64'),
      weight: 0.5,
    },
  ]);
});

test('every problem of the file at once, each naming the endpoint and the field', () => {
  const problems = problemsOf(
    file(
      [
        { name: 'a', url: 'http://127.0.0.1/', weight: 0 },
        { name: 'b', url: 'http://127.0.0.1/', weight: -1, colour: 'red' },
        { url: 'http://127.0.0.1/' },
        { name: 'a', url: 'http://127.0.0.1/' },
        { name: 'c', url: 'ftp://127.0.0.1/' },
        { name: 'd', url: 'not a url' },
        { name: 'e' },
        { name: 'f', url: 'http://127.0.0.1/', body: 'x', bodyFile: 'x.bin' },
        { name: 'g', url: 'http://127.0.0.1/', bodyFile: 'missing.bin' },
        {
          name: 'h',
          url: 'http://127.0.0.1/',
          headers: { 'X-Ok': 'a\r\nInjected: yes', 'Content-Length': '5', 'bad name': 'v', 'X-N': 5 },
        },
        { name: 'i', url: 'http://127.0.0.1/', weight: Number.MAX_VALUE * 10 },
        { name: 'j', url: 'http://127.0.0.1/', weight: '3' },
        { name: 'has space', url: 'http://127.0.0.1/', method: 'GE T' },
        'just a string',
      ],
      { 'missing.bin': null },
    ),
  );
  const expected = [
    /^--targets: endpoint 1 \("a"\): weight 0 must be a number more than 0/,
    /^--targets: endpoint 2 \("b"\): "colour" is not a field \(fields: name, method, url, headers, body, bodyFile, weight\)$/,
    /^--targets: endpoint 2 \("b"\): weight -1 must be a number more than 0/,
    /^--targets: endpoint 3: name is missing/,
    /^--targets: endpoint 4 \("a"\): name "a" is taken by endpoint 1|^--targets: endpoint 4: name "a" is taken by endpoint 1/,
    /^--targets: endpoint 5 \("c"\): url "ftp:\/\/127.0.0.1\/" must be http:\/\/ or https:\/\/$/,
    /^--targets: endpoint 6 \("d"\): url "not a url" is not a URL/,
    /^--targets: endpoint 7 \("e"\): url is missing/,
    /^--targets: endpoint 8 \("f"\): body and bodyFile contradict: give one$/,
    /^--targets: endpoint 9 \("g"\): bodyFile cannot read "missing.bin"/,
    /^--targets: endpoint 10 \("h"\): headers "X-Ok": a value may not hold CR, LF or NUL/,
    /^--targets: endpoint 10 \("h"\): headers "Content-Length": Content-Length is not yours to set/,
    /^--targets: endpoint 10 \("h"\): headers "bad name" is not a valid header name$/,
    /^--targets: endpoint 10 \("h"\): headers "X-N" must be a string, not 5$/,
    // JSON has no Infinity: the number is written as null, which is not a number either
    /^--targets: endpoint 11 \("i"\): weight null must be a number/,
    /^--targets: endpoint 12 \("j"\): weight "3" must be a number/,
    /^--targets: endpoint 13: name "has space" must be 1 to 64 letters/,
    /^--targets: endpoint 13: method "GE T" is not an HTTP method/,
    /^--targets: endpoint 14 must be an object/,
  ];
  assert.equal(problems.length, expected.length, problems.join('\n'));
  for (const pattern of expected)
    assert.ok(
      problems.some((problem) => pattern.test(problem)),
      `${pattern} among:\n${problems.join('\n')}`,
    );
});

test('the file as a whole: unreadable, not JSON, not a list, empty, over the cap of endpoints', () => {
  assert.deepEqual(problemsOf({ path: 'gone.json', content: null, bodies: {} }), ['--targets: cannot read "gone.json"']);
  assert.match(problemsOf(file('[{"name": '))[0]!, /^--targets: "mix.json" is not valid JSON \(/);
  assert.match(problemsOf(file({ name: 'a', url: 'http://x/' }))[0]!, /must hold a JSON array of endpoints, e\.g\. \[\{"name"/);
  assert.match(problemsOf(file([]))[0]!, /must hold a JSON array of endpoints/);
  const many = Array.from({ length: MAX_ENDPOINTS + 1 }, (_, i) => ({ name: `e${i}`, url: 'http://127.0.0.1/' }));
  assert.deepEqual(problemsOf(file(many)), [
    `--targets: "mix.json" has ${MAX_ENDPOINTS + 1} endpoints, at most ${MAX_ENDPOINTS} (each keeps its own figures in every worker): merge some`,
  ]);
  assert.deepEqual(problemsOf(file(many.slice(0, MAX_ENDPOINTS))), [], `${MAX_ENDPOINTS} endpoints are taken`);
});

test('--targets with the flags around it: a URL, --method or a body contradict; --header adds to every endpoint; TLS flags need an https endpoint', () => {
  const targets = file([
    { name: 'home', url: 'http://127.0.0.1:8000/', headers: { 'x-own': 'mine', 'x-both': 'endpoint' } },
    { name: 'api', url: 'http://127.0.0.1:8001/api' },
  ]);
  const problems = planProblems({ targets, url: 'http://127.0.0.1/', method: 'POST', body: 'x' });
  assert.deepEqual(problems, [
    '--targets and a URL contradict: the targets file gives every endpoint its URL (drop the URL)',
    '--method and --targets contradict: each endpoint of the targets file gives its own',
    '--body and --targets contradict: each endpoint of the targets file gives its own',
  ]);
  const plan = buildPlan({ targets, header: ['X-Both: flag', 'X-Flag: yes'] }, 2);
  assert.equal(plan.url, 'http://127.0.0.1:8000/', 'the first endpoint stands for the target: no bundled server');
  const spec = targetSpec(plan, plan.url!);
  assert.deepEqual(
    spec.endpoints!.map((endpoint) => endpoint.headers),
    [
      { 'x-both': 'endpoint', 'x-flag': 'yes', 'x-own': 'mine' },
      { 'x-both': 'flag', 'x-flag': 'yes' },
    ],
  );
  assert.match(planProblems({ targets, insecure: true }).join('\n'), /--insecure: needs an https:\/\/ URL/);
  const secure = file([
    { name: 'plain', url: 'http://127.0.0.1:8000/' },
    { name: 'secure', url: 'https://127.0.0.1:8443/' },
  ]);
  assert.deepEqual(planProblems({ targets: secure, insecure: true }), []);
  // a mix satisfies the flags that need a URL (load boxes cannot reach the bundled target)
  assert.deepEqual(planProblems({ targets, agents: 'box1' }), []);
});

test('--fail-on NAME:... must name an endpoint of the mix, and needs one', () => {
  const targets = file([
    { name: 'home', url: 'http://127.0.0.1:8000/' },
    { name: 'checkout', url: 'http://127.0.0.1:8000/checkout' },
  ]);
  assert.deepEqual(planProblems({ targets, failOn: ['checkout:p99<200ms', 'home:errors<1%', 'p99<1s'] }), []);
  assert.deepEqual(planProblems({ targets, failOn: ['cart:p99<200ms'] }), [
    '--fail-on: "cart:p99<200ms": no endpoint is named "cart" (the targets file has home, checkout)',
  ]);
  assert.deepEqual(planProblems({ url: 'http://127.0.0.1/', failOn: ['home:p99<200ms'] }), [
    '--fail-on: "home:p99<200ms" names an endpoint, which needs --targets',
  ]);
});

test('the shell reads a body file beside the targets file, whatever the working directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stress-targets-'));
  writeFileSync(join(dir, 'order.json'), '{"id":7}');
  writeFileSync(
    join(dir, 'mix.json'),
    JSON.stringify([
      { name: 'order', method: 'POST', url: 'http://127.0.0.1:8000/order', bodyFile: 'order.json' },
      { name: 'gone', url: 'http://127.0.0.1:8000/', bodyFile: 'gone.bin' },
    ]),
  );
  const outcome = await parseCommandLine(['--targets', join(dir, 'mix.json')], 2);
  if (outcome.kind !== 'run') return assert.fail('a run');
  assert.deepEqual(outcome.options.targets!.bodies['order.json'], Buffer.from('{"id":7}'));
  assert.equal(outcome.options.targets!.bodies['gone.bin'], null);
  assert.deepEqual(planProblems(outcome.options), [
    '--targets: endpoint 2 ("gone"): bodyFile cannot read "gone.bin" (a relative name is read beside the targets file)',
  ]);
});
