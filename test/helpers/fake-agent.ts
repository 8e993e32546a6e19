/**
 * A stand-in for `stress agent` of another version, started over real ssh by the version test:
 * it answers the controller's hello with the version given as its argument, as an older or newer
 * build would, and exits when its stdin closes (as a real agent does).
 */
import { createInterface } from 'node:readline';

const version = process.argv[2] ?? '0.0.0';
createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line) as { type: string };
  if (message.type === 'hello') process.stdout.write(`${JSON.stringify({ type: 'hello', version, cores: 1, pid: process.pid })}\n`);
});
