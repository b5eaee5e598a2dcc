/**
 * Every error the gate raises on purpose carries a stable code, an exit code
 * (DESIGN.md: 2 bad usage/config, 3 environment unavailable) and a hint saying
 * what to do next. The CLI prints message + hint; the stack only with --verbose.
 */
export type ErrorCode =
  | 'RG_USAGE'
  | 'RG_CONFIG'
  | 'RG_DRIVER_UNAVAILABLE'
  | 'RG_PORT_TAKEN'
  | 'RG_DISK_SPACE'
  | 'RG_FOREIGN_PROJECT'
  | 'RG_GATE_RUNNING'
  | 'RG_ENGINE_FAULT'
  | 'RG_SWARM_NEEDS_REGISTRY'
  | 'RG_SWARM_NODE_UNREACHABLE'
  | 'RG_STEP_FAILED'
  | 'RG_UNSAFE_FILE';

export class RgError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** Bad flags or arguments: nothing was run. Exit 2. */
export class RgUsageError extends RgError {
  constructor(message: string, hint?: string) {
    super('RG_USAGE', message, { hint, exitCode: 2 });
  }
}

/** One problem found in a config file. */
export interface ConfigIssue {
  /** file:line:col or file + YAML path such as `phases[2].steps[0].timeout`. */
  where: string;
  message: string;
  /** The YAML path, when the issue was found on a merged tree: the loader turns it into file:line:col. */
  path?: (string | number)[];
}

/** Invalid config: every problem at once, nothing was run. Exit 2. */
export class RgConfigError extends RgError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.where}: ${i.message}`);
    super('RG_CONFIG', `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
      hint: 'Fix the listed problems; `release-gate plan` validates without running anything. `release-gate schema` prints the JSON Schema.',
      exitCode: 2,
    });
    this.issues = issues;
  }
}

/**
 * A file the gate was asked to read is not one it reads: not a regular file (FIFO, device,
 * folder), too big, or (under verify/compare) a symlink leading out of its folder. Refused
 * before it is opened, so it can neither block nor fill memory. Exit 2.
 */
export class RgUnsafeFileError extends RgError {
  readonly path: string;
  constructor(path: string, message: string, hint?: string) {
    super('RG_UNSAFE_FILE', message, { hint, exitCode: 2 });
    this.path = path;
  }
}

/** The environment cannot run the gate (no engine, port taken, disk full). Exit 3. */
export class RgEnvironmentError extends RgError {
  constructor(
    code: 'RG_DRIVER_UNAVAILABLE' | 'RG_PORT_TAKEN' | 'RG_DISK_SPACE' | 'RG_FOREIGN_PROJECT' | 'RG_GATE_RUNNING' | 'RG_ENGINE_FAULT' | 'RG_SWARM_NEEDS_REGISTRY' | 'RG_SWARM_NODE_UNREACHABLE',
    message: string, hint?: string, cause?: unknown) {
    super(code, message, { hint, cause, exitCode: 3 });
  }
}

/** A step could not do its work (command failed, wait timed out). Fails the gate (exit 1). */
export class RgStepError extends RgError {
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super('RG_STEP_FAILED', message, { hint: opts.hint, cause: opts.cause, exitCode: 1 });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
