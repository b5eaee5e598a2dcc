/*
 * The parsed command-line options, in their own file: cli.ts loads each command lazily and
 * every command reads these types, so keeping them in cli.ts made each command and cli.ts
 * import each other.
 */

/** Options of `run`, `plan` and `selftest` (flags override env; env overrides config). */
export interface CliOptions {
  config?: string;
  preset?: string;
  only?: string;
  skip?: string;
  from?: string;
  logDir?: string;
  stability?: string;
  deadline?: string;
  keepUp?: boolean;
  forceClean?: boolean;
  verbose?: boolean;
  signKey?: string;
  /** `run --baseline DIR`: an earlier run's log dir, for the image budget's growth. */
  baseline?: string;
}

export interface VerifyOptions {
  key?: string;
  /** An image (`name:tag`, resolved by the local engine, or `sha256:<hex>`) the run must vouch for. */
  image?: string;
}

export interface CompareOptions {
  maxSlowdown?: string;
  markdown?: boolean;
}
