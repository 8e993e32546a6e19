/**
 * `npm run benchmarks`: the original tool's `make benchmarks`. Runs the load, stress and
 * endurance profiles of bench-profiles/ in turn; each starts the bundled target server with its
 * profile's knobs, prints its summary and stops the server. `-- --quick` shortens them to about
 * a minute in all (load 10 s, stress steps of 2 s, endurance 20 s); `-- --smoke` runs each for a
 * moment (a test shows with it that the suite runs to the end; its figures mean nothing). Exits 1
 * when a profile's thresholds failed or a run did not complete, after running all of them.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const STRESS = `${root}bin/stress`;

/**
 * Each profile, and the flags that shorten it for --quick and --smoke (flags win over the
 * profile). --smoke's ramp stays below the target's capacity, so no refining runs follow it, and
 * its endurance run still has the 8 intervals of 250 ms that endurance analysis needs.
 */
const SUITE = [
  { name: 'load', quick: ['--duration', '10s'], smoke: ['--duration', '1s'] },
  { name: 'stress', quick: ['--step', '2s'], smoke: ['--ramp', '500:1000', '--steps', '2', '--step', '500ms'] },
  { name: 'endurance', quick: ['--duration', '20s'], smoke: ['--duration', '2s'] },
] as const;

const MODES = ['--quick', '--smoke'] as const;

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
  if (argv.length > 1 || (argv[0] !== undefined && !(MODES as readonly string[]).includes(argv[0]))) {
    process.stderr.write(`benchmarks: "${argv.join(' ')}": give nothing, --quick or --smoke\n`);
    return 2;
  }
  const failed: string[] = [];
  for (const profile of SUITE) {
    const code = await runProfile(profile.name, argv[0] === '--quick' ? profile.quick : argv[0] === '--smoke' ? profile.smoke : []);
    if (code === 130) return 130;
    if (code !== 0) failed.push(`${profile.name} (exit ${code})`);
  }
  process.stdout.write(
    failed.length === 0 ? '\nbenchmarks: all profiles ran and passed their thresholds\n' : `\nbenchmarks: failed: ${failed.join(', ')}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
