/** Bad command line or environment: nothing was run (exit 2). */
export class UsageError extends Error {
  readonly code = 'KL_USAGE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** A command ran and found a problem it must report with exit 1 (its output already says what). */
export class CommandFailure extends Error {
  readonly code = 'KL_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CommandFailure';
  }
}
