/**
 * `npm run bench:https`: the generator's CPU per request over HTTPS, HTTP/1.1 (both clients) and
 * HTTP/2, beside plain HTTP, at one fixed rate against Debian's nginx (the bundled target speaks
 * plain HTTP only). nginx (one worker process, a self-signed certificate made here by openssl) is
 * pinned to core 0 and the generator to core 1, as in `npm run bench`; its section of
 * BENCHMARKS.md (from its heading to the next one) is written in place, the rest kept.
 * Load goes only to 127.0.0.1. Every run is bounded in time.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
/** low enough that each client keeps up on one core (undici's HTTP/2 held about 3,500 req/s here) */
const RATE = 2_000;
const SECONDS = 10;
const WARMUP_SECONDS = 1;
const CONNECTIONS = 16;
const HEADING = '## CPU per request over HTTPS and HTTP/2';

interface Row {
  what: string;
  command: string[];
  requests: number;
  cpuS: number;
  p99Ms: number | null;
  /** due but never sent (the in-flight cap): the generator fell behind */
  dropped: number;
  protocols: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** nginx on core 0 with a plain and a TLS (h2 and http/1.1) port, answering a short body. */
async function startNginx(dir: string): Promise<{ plain: number; tls: number; stop: () => void }> {
  await run(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=localhost',
    ]),
  );
  const [plain, tls] = [await freePort(), await freePort()];
  // `listen ... ssl http2` is nginx 1.22's spelling (Debian 12); 1.25.1 and later warn but accept it
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off; keepalive_requests 1000000;
  client_body_temp_path ${dir}/cb; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;
  server {
    listen 127.0.0.1:${plain};
    listen 127.0.0.1:${tls} ssl http2;
    ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;
    location / { return 200 'hello\\n'; }
  }
}
`,
  );
  const child = spawn('taskset', ['-c', '0', '/usr/sbin/nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
  return { plain, tls, stop: () => child.kill('SIGTERM') };
}

async function measure(what: string, url: string, flags: string[]): Promise<Row> {
  const command = ['bin/stress', url, '--rate', String(RATE), '--duration', `${SECONDS}s`, '--warmup', `${WARMUP_SECONDS}s`];
  command.push('--workers', '1', '--connections', String(CONNECTIONS), '--json', '--quiet', ...flags);
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'CPU %U %S', 'taskset', '-c', '1', ...command], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (!cpu) throw new Error(`no CPU line from GNU time: ${stderr.slice(-300)}`);
  const summary = JSON.parse(stdout);
  return {
    what,
    command,
    // the warm-up's requests are sent as well (at the same rate), so they count
    requests: summary.totals.requests + RATE * WARMUP_SECONDS,
    cpuS: Number(cpu[1]) + Number(cpu[2]),
    p99Ms: summary.latencyMs.p99,
    dropped: summary.totals.dropped,
    protocols: Object.keys(summary.connections.protocols).join(', '),
  };
}

function section(rows: Row[]): string {
  const perRequest = (row: Row) => (row.cpuS * 1e6) / row.requests;
  const plain = perRequest(rows[0]!);
  return [
    HEADING,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} (2 cores, Node ${process.version}) against Debian's nginx (one worker process) on core 0, the generator on core 1; ${RATE.toLocaleString('en-US')} req/s for ${SECONDS} s, ${CONNECTIONS} connections, one worker. Produced by:`,
    '',
    '```bash',
    'npm run bench:https',
    '```',
    '',
    'The handshakes are a few per run: what differs per request is the encryption and, under HTTP/2, undici and its framing.',
    '',
    '| run | ALPN | requests | dropped | CPU s | CPU µs / request | x plain HTTP | p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.what} | ${row.protocols} | ${row.requests.toLocaleString('en-US')} | ${row.dropped.toLocaleString('en-US')} | ${row.cpuS.toFixed(2)} | ${perRequest(row).toFixed(1)} | ${(perRequest(row) / plain).toFixed(2)}x | ${row.p99Ms?.toFixed(2) ?? 'n/a'} |`,
    ),
    '',
    'Commands (each run as `/usr/bin/time -f "CPU %U %S" taskset -c 1 ...`):',
    '',
    ...rows.map((row) => `- ${row.what}: \`${row.command.join(' ').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT')}\``),
    '',
  ].join('\n');
}

/** BENCHMARKS.md with this section replaced (or added at the end). */
function withSection(text: string): string {
  const path = `${root}BENCHMARKS.md`;
  const current = readFileSync(path, 'utf8');
  const at = current.indexOf(`\n${HEADING}`);
  if (at < 0) return `${current.trimEnd()}\n\n${text}`;
  const next = current.indexOf('\n## ', at + 1);
  return `${current.slice(0, at + 1)}${text}${next < 0 ? '' : current.slice(next)}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stress-bench-https-'));
  const nginx = await startNginx(dir);
  try {
    const https = `https://127.0.0.1:${nginx.tls}/`;
    const rows: Row[] = [];
    for (const [what, url, flags] of [
      ['plain HTTP, lean client', `http://127.0.0.1:${nginx.plain}/`, []],
      ['HTTPS, HTTP/1.1, lean client', https, ['--insecure']],
      ['HTTPS, HTTP/1.1, undici', https, ['--insecure', '--client', 'undici']],
      ['HTTPS, HTTP/2 (undici, 100 streams)', https, ['--insecure', '--http2']],
    ] as const) {
      rows.push(await measure(what, url, [...flags]));
      const row = rows.at(-1)!;
      process.stderr.write(`${what}: ${((row.cpuS * 1e6) / row.requests).toFixed(1)} µs/req, p99 ${row.p99Ms} ms\n`);
    }
    const text = section(rows);
    writeFileSync(`${root}BENCHMARKS.md`, withSection(text));
    process.stdout.write(text);
  } finally {
    nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench:https: ${error.message}\n`);
  process.exit(1);
});
