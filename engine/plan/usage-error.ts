/** The error every command-line problem ends in: printed as one line, exit code 2. */
export class UsageError extends Error {
  readonly code = 'STRESS_ERR_USAGE';
}
