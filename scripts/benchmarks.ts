/**
 * `npm run benchmarks`: the original tool's `make benchmarks`. Runs the load, stress and
 * endurance profiles of bench-profiles/ in turn; each starts the bundled target server with its
 * profile's knobs, prints its summary and stops the server. `-- --quick` shortens them to about
 * a minute in all (load 10 s, stress steps of 2 s, endurance 20 s). Exits 1 when a profile's
 * thresholds failed or a run did not complete, after running all of them.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STRESS = `${root}bin/stress`;

/** Each profile, and the flags that shorten it for --quick (flags win over the profile). */
const SUITE = [
  { name: 'load', quick: ['--duration', '10s'] },
  { name: 'stress', quick: ['--step', '2s'] },
  { name: 'endurance', quick: ['--duration', '20s'] },
] as const;

function runProfile(name: string, extra: readonly string[]): Promise<number> {
  const args = ['--profile', `${root}bench-profiles/${name}.json`, '--quiet', ...extra];
  process.stdout.write(`\n=== ${name}: bin/stress ${args.join(' ')}\n\n`);
  return new Promise((resolve) => {
    const child = spawn(STRESS, args, { stdio: 'inherit' });
    // a Ctrl-C reaches the child through the terminal; this process only waits for it
    process.on('SIGINT', () => undefined);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const unknown = argv.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) {
    process.stderr.write(`benchmarks: unknown argument "${unknown[0]}" (only --quick)\n`);
    return 2;
  }
  const quick = argv.includes('--quick');
  const failed: string[] = [];
  for (const profile of SUITE) {
    const code = await runProfile(profile.name, quick ? profile.quick : []);
    if (code === 130) return 130;
    if (code !== 0) failed.push(`${profile.name} (exit ${code})`);
  }
  process.stdout.write(
    failed.length === 0 ? '\nbenchmarks: all profiles ran and passed their thresholds\n' : `\nbenchmarks: failed: ${failed.join(', ')}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
