import type { OutputSink } from '../common/output.js';

/** Container/process state as every driver reports it. */
/** `paused`: frozen by `docker pause` (its processes hold no CPU and answer nothing), not exited. */
export type ServiceState = 'created' | 'starting' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'unknown';
/** `none` when the service declares no healthcheck. */
export type HealthState = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  health: HealthState;
  /** Restarts since the stack came up (policy restarts included). */
  restartCount: number;
  oomKilled: boolean;
  /** Last exit code, null while it never exited. */
  exitCode: number | null;
  startedAt: Date | null;
  /** A job that runs once and exits 0 by design (a migration): judged by its exit code. */
  oneShot?: boolean;
  /** The machine it runs on, when the stack spans several (a swarm node's hostname). */
  node?: string;
  /** The machines its counted restarts happened on, when the stack spans several. */
  failedOn?: string[];
}

/**
 * When a copied file was last written, by the service's own clock, with that clock's time at
 * the copy: their difference (the file's age) needs no agreement between host and service clocks.
 */
export interface CopiedFile {
  /** Last modification, service clock; null when the driver could not tell (then said in `why`). */
  mtime: Date | null;
  /** The service clock when the file was copied. */
  at: Date;
  /** Why the mtime is unknown. */
  why?: string;
}

/**
 * What a step may need from the stack's driver. A driver kind says which ones it cannot offer
 * (`DriverKind.notApplicable`): such steps are recorded "not applicable", never run, never ✅.
 * `lifecycle`: down and up; `build`: images or build commands; `services`: observing service
 * state, restarts and events (ps, stability); `exec`: commands in a service (and copyOut);
 * `logs`: service logs; `images`: the services run images the Engine can describe (size,
 * layers); `usage`: sampling each service's memory and CPU; `shutdown`: stopping each service
 * with its own stop signal and grace period, timed (`stopGracefully`); `releases`: starting the
 * stack as another release on the same data (`up` with a StackRelease); `ref-releases`: building
 * that release from a git ref of the project (`buildRelease`).
 */
export type StackCapability = 'lifecycle' | 'build' | 'services' | 'exec' | 'logs' | 'images' | 'usage' | 'shutdown' | 'releases' | 'ref-releases';

/** `pause`/`unpause`: `docker pause`; `kill`: a signal sent (`docker kill`, and the SIGTERM of `docker stop`); `stop`: `docker stop` done. */
export type StackEventKind = 'start' | 'die' | 'restart' | 'oom' | 'health' | 'pause' | 'unpause' | 'kill' | 'stop';

/** Something that happened to a service, as it happened. */
export interface StackEvent {
  at: Date;
  service: string;
  kind: StackEventKind;
  exitCode?: number;
  health?: HealthState;
  /** The signal of a `kill` event (`SIGKILL`, `15`…). */
  signal?: string;
  detail?: string;
  /** The machine it happened on, when the stack spans several (a swarm node's hostname). */
  node?: string;
}

/**
 * A release to start instead of the candidate, on the same data: the upgrade drill's previous
 * release. It stays in force (services, ps, exec, logs, down) until the next `up`.
 */
export interface StackRelease {
  /** Variables over the stack's own: every service's and exec's environment (local), compose's interpolation (compose). */
  env?: Record<string, string>;
  /** Service → image reference to run instead of the built one (compose). */
  images?: Record<string, string>;
  /**
   * The release's own compose files (compose): its services, commands, environment and
   * healthchecks run instead of the candidate's, under the candidate's project name (the same
   * named volumes), never built (`--no-build`). Absent: the candidate's files, `images` swapped in.
   */
  compose?: { projectDir: string; files: string[] };
}

/** A release the driver built from a git ref (the upgrade drill's previous release): what to `up`, and how to remove it. */
export interface BuiltRelease {
  /** The ref as given and the commit it resolved to. */
  ref: string;
  sha: string;
  /** Start it with `up(…, release)`. */
  release: StackRelease;
  /**
   * Removes what the build made (its checkout, its image tags); idempotent, nothing thrown for what
   * is already gone. Every part is tried, then what failed is thrown together; a later call tries it again.
   */
  remove(output: OutputSink): Promise<void>;
}

/** The error of a failed `buildRelease` whose removal of what it made failed too: the teardown tries that again. */
export interface ReleaseLeftovers {
  removeLeftovers(output: OutputSink): Promise<void>;
}

/** Whether a failed `buildRelease` left something its removal could not remove. */
export function hasReleaseLeftovers(err: unknown): err is ReleaseLeftovers {
  return typeof (err as Partial<ReleaseLeftovers> | null)?.removeLeftovers === 'function';
}

export interface ExecOptions {
  env?: Record<string, string>;
  output: OutputSink;
  signal?: AbortSignal;
}

export interface LogsOptions {
  /** Last N lines per service; all when absent. */
  tail?: number;
  output: OutputSink;
  signal?: AbortSignal;
}

/** What one service uses at one moment: its memory, and its CPU since the previous sample. */
export interface ServiceUsage {
  service: string;
  /** Resident memory in bytes (all processes of the service; a container's usage less its page cache). */
  memoryBytes: number;
  /** CPU in percent of one core (150 = one and a half cores) since the previous sample; null on the first. */
  cpuPercent: number | null;
  /** The service's memory limit (compose `mem_limit`), when it has one. */
  memoryLimitBytes?: number;
}

/** What a service ran, as precisely as its driver can tell: an image digest, or a hash of build outputs. */
export interface ServiceProvenance {
  name: string;
  /** Image reference the service was created from (compose). */
  image?: string;
  /** Content-addressed image id (`sha256:…`) from the engine (compose). */
  imageId?: string;
  /** Registry digests of that image (`repo@sha256:…`), empty for a locally built image. */
  repoDigests?: string[];
  /** The image's size in bytes, all its layers (the Engine's `Size`): what every host pulls (compose). */
  imageSize?: number;
  /** How many layers the image has (`RootFS.Layers`) (compose). */
  imageLayers?: number;
  /** Local driver: sha256 over each build output (file names and bytes), null when the path does not exist. */
  buildOutputs?: { path: string; sha256: string | null; files: number }[];
  /** Why there is no digest (no build declared, no container), when there is none. */
  note?: string;
}

/** The engine and what each service ran: evidence for the run's manifest. */
export interface StackProvenance {
  engine: { name: string; version?: string; apiVersion?: string };
  compose?: { kind: string; version: string };
  services: ServiceProvenance[];
}

/** How one service stopped when sent its stop signal (the Shutdown criterion's evidence). */
export interface ServiceStop {
  service: string;
  /** The stop signal sent (`SIGTERM`, `SIGINT` for a compose `stop_signal: SIGINT`). */
  signal: string;
  /** The grace period before SIGKILL, in ms (`stop_grace_period`, `stopGracePeriod`; default 10 s). */
  graceMs: number;
  /** Not running when the stop began (a finished one-shot job, a crashed service): nothing was sent. */
  running: boolean;
  /** Its exit code after the stop; null when it was not running and never exited. */
  exitCode: number | null;
  /** From the stop signal to the exit, in ms (0 when it was not running). */
  stopMs: number;
  /** Still running at the end of its grace: SIGKILL ended it. */
  killed: boolean;
  /** A job that runs once and exits by design: not judged. */
  oneShot?: boolean;
}

/** The default grace between a stop signal and SIGKILL, as Docker's `docker stop`. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * What every stack engine must answer. The engine only talks to this; the local
 * driver runs processes, the compose driver runs Docker Compose.
 */
export interface StackDriver {
  readonly name: string;
  /** Checks the environment (engine reachable, ports free, disk); throws RgEnvironmentError. */
  preflight(output: OutputSink): Promise<void>;
  /** Stops everything; with volumes, also removes data (volumes / data directories). */
  down(opts: { volumes: boolean }, output: OutputSink): Promise<void>;
  /** Aborting cancels the build at once. */
  build(opts: { noCache: boolean }, output: OutputSink, signal?: AbortSignal): Promise<void>;
  /**
   * Starts the stack detached; returns once every service was started (not healthy). Aborting stops the start-up.
   * `release`: start that release instead of the candidate (a driver without `releases` refuses one).
   */
  up(output: OutputSink, signal?: AbortSignal, release?: StackRelease): Promise<void>;
  /**
   * Builds the project as it was at a git ref, apart from the candidate (compose: a detached
   * worktree, its own compose files, image tags of its own). Optional: a driver without it makes a
   * drill from a ref "not applicable" (`ref-releases`). Aborting stops the build and removes what it made.
   */
  buildRelease?(ref: string, output: OutputSink, signal: AbortSignal): Promise<BuiltRelease>;
  services(): Promise<ServiceStatus[]>;
  /** Calls onEvent for each event from now on until the returned function is called. */
  watch(onEvent: (event: StackEvent) => void): Promise<() => void>;
  exec(service: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }>;
  /** Copies a file out of a service to a local path; says when the file was last written (a stale report is refused). */
  copyOut(service: string, path: string, dest: string): Promise<CopiedFile>;
  logs(service: string | undefined, opts: LogsOptions): Promise<void>;
  /** A human table of the services, for the logs. */
  ps(): Promise<string>;
  /**
   * Kills a service's main process with SIGKILL, as a crash would (local: the restart policy applies;
   * Docker takes `docker kill` for a stop and does not restart it):
   * the live selftest proves the stability watch sees it. Optional: a driver that does not own
   * the processes (external) leaves it out, and the live kill is "not applicable" there.
   */
  killService?(service: string): Promise<void>;
  /**
   * One sample of each running service's memory and CPU (Engine stats, /proc for local process
   * groups). Optional: a driver that cannot measure leaves it out, and the resources step is
   * "not applicable" there.
   */
  usage?(): Promise<ServiceUsage[]>;
  /**
   * Stops every service with its own stop signal, dependents first (each level at once), waits
   * its grace period, SIGKILLs what is left, and says how each one went. A stopped service stays
   * stopped (no policy restart). Optional: a driver without it makes the Shutdown step "not applicable".
   */
  stopGracefully?(output: OutputSink, signal?: AbortSignal): Promise<ServiceStop[]>;
  /** The engine's versions and each service's image digest (or build output hash); optional: drivers that cannot tell leave it out. */
  provenance?(): Promise<StackProvenance>;
  /**
   * The third signal's last act, before the process exits: synchronous, no awaiting. Kills what
   * is cheap to kill (local: SIGKILL to every process group it started) and returns the lines
   * saying what is left (a compose stack, data folders), each with the command that removes it.
   * Optional: a driver without it leaves the stack as it is, unmentioned.
   */
  abandon?(): string[];
  /** Releases driver resources (sockets, watchers); never stops the stack. */
  close(): Promise<void>;
}
