import type { z } from 'zod';
import type { Clock } from '../common/clock.js';
import type { ConfigIssue } from '../common/errors.js';
import type { StackCapability, StackDriver } from '../model/stack.js';

export interface DriverContext {
  /** Project root the stack's relative paths resolve against. */
  root: string;
  /** Variables the stack must see (config env + generated secrets). */
  env: Record<string, string>;
  /** Allow removing a stack release-gate did not create. */
  forceClean: boolean;
  clock: Clock;
  /** Port (as text) → the variable the config takes it from (`\${KORRIGO_LITE_PORT:-18088}`), for "port taken" hints. */
  portVariables?: Record<string, string>;
}

/** What a kind may name its stack's lock after, beside the stack itself. */
export interface LockContext {
  /** Project root the stack's relative paths resolve against. */
  root: string;
  /** The config file of the run (a local stack is named after it). */
  configFile: string;
  /** The config's base URL (an external target is named by it). */
  baseUrl: string;
}

/**
 * One run lock: no two gates hold the same key at once (a second one's phase 0 would tear the
 * first one's stack down under it). The key is the same from any project root for the same
 * stack (a swarm stack is one per engine, whatever folder deploys it).
 */
export interface StackLock {
  /** File-name-safe identity of what is locked (`swarm-shop`, `path-<hash>`). */
  key: string;
  /** What is locked, as the refusal names it (`swarm stack "shop"`). */
  label: string;
}

/**
 * One stack engine the config can pick with `stack.driver`. The kind is light (schema and
 * description); `create` imports the implementation only when a run needs it. One file per
 * kind, one line in driver-registry.ts.
 */
export interface DriverKind<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** The fields of `stack:` beside `driver`. */
  readonly schema: S;
  create(stack: z.output<S>, ctx: DriverContext): Promise<StackDriver>;
  /**
   * The stack's identity for the run lock: the same key for the same deployed stack from
   * any project root (the compose project name, the swarm stack name, the local state dir).
   */
  lock(stack: z.output<S>, ctx: LockContext): StackLock;
  /** One line for `plan`: what the stack is made of. */
  describe(stack: z.output<S>): string;
  /** Service names the config itself declares (steps naming another one are refused at load), or null. */
  declaredServices?(stack: z.output<S>): string[] | null;
  /**
   * Cross-field checks of the raw `stack:` tree the schema cannot express; run even when the
   * schema failed, so every access must be guarded. Paths are relative to `stack`.
   */
  checkRaw?(stack: Record<string, unknown>, report: (path: (string | number)[], message: string) => void): void;
  /** The stack's env file (compose `--env-file`), whose values the app uses: the gate reads them too. */
  envFile?(stack: z.output<S>, root: string): string | null;
  /**
   * Why this stack cannot offer a capability (`lifecycle` for a deployment the gate does not
   * start), or null when it can. Steps needing it are recorded "not applicable" in plan and
   * summary. Absent: every capability is offered.
   */
  notApplicable?(stack: z.output<S>, capability: StackCapability): string | null;
  /** A deployment the gate neither starts nor stops: the summary says the run is of an external target. */
  readonly external?: boolean;
  /** Checks needing the file system but nothing started (a compose file that exists). */
  check?(stack: z.output<S>, root: string): ConfigIssue[];
  /**
   * Every path the driver may remove (data dirs, build outputs): confined to the project root
   * at load, by `plan` and `run` alike (removalProblems), and kept away from the log dir.
   */
  removes?(stack: z.output<S>, root: string): RemovablePath[];
}

/** A path from the config that the driver may delete. */
export interface RemovablePath {
  /** The YAML path under `stack` (`['services', 'db', 'dataDirs', 0]`). */
  path: (string | number)[];
  /** The value as configured (after interpolation). */
  value: string;
  /** The folder the value resolves against (the project root, a service's cwd). */
  base: string;
  /**
   * `data`: state the running stack writes (two runs on it break each other), locked for the
   * whole run. `build`: a build's output, only read by a run that does not build, locked only
   * by a run that builds.
   */
  holds: 'data' | 'build';
}

export function defineDriverKind<S extends z.ZodObject>(kind: DriverKind<S>): DriverKind<S> {
  return kind;
}
