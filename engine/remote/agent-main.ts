/**
 * The shipped agent's entry (the agent bundle's `agent.mjs`, scripts/build-agent-bundle.ts): a
 * load box that has nothing but node runs `stress agent` from this, loaded by the boot stage
 * (ship/box-stage.ts) once the bundle in its cache was checked against its hash. It serves the
 * controller on stdin and stdout, as `stress agent` does, and ends the process when that is done.
 */
import { agentCommand } from './agent.js';

agentCommand([]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`stress agent: internal error: ${error instanceof Error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
