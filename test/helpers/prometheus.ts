/**
 * Test helper: a real Prometheus server (Debian's `prometheus`), on a free port of 127.0.0.1, with
 * a storage directory of its own and a scrape configuration written here: every target scraped
 * each second. `stop()` ends it and removes its files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOutsideEphemeral } from './raw-servers.js';

export interface PrometheusLab {
  /** http://127.0.0.1:PORT */
  url: string;
  /** an instant query's vector, as label sets and numbers */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** what it wrote on stderr (its log) */
  log(): string;
  stop(): Promise<void>;
}

const READY_LIMIT_MS = 20_000;

/** `promtool check metrics` on an exposition text: its exit code and what it said (nothing when all is well). */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

export async function startPrometheus(targets: readonly string[]): Promise<PrometheusLab> {
  const dir = await mkdtemp(join(tmpdir(), 'stress-prometheus-'));
  const port = await portOutsideEphemeral();
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: stress',
      '    static_configs:',
      `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const until = Date.now() + READY_LIMIT_MS;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`prometheus did not get ready within ${READY_LIMIT_MS} ms: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    log: () => log,
    stop,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`query ${expression}: ${body.error}`);
      return body.data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
  };
}
