/**
 * A load box that could not be used: the message is one line naming it. A module of its own so
 * that the primary can tell this failure apart without loading the remote code of a local run.
 */
export class AgentError extends Error {
  readonly code = 'STRESS_ERR_AGENT';
}
