import type { Clock } from '../common/clock.js';
import type { CredentialProbeSink, CredentialRequestSink } from './credential-probe.js';
import type { StepResult } from './run-result.js';
import type { StackDriver, StackEvent } from './stack.js';

/**
 * Fields a hook may add to a step's context. Steps read them as optional parts of StepContext;
 * the runner only merges what its hooks give.
 */
export interface StepContextExtras {
  /** A step that sent credentials (a token header, a session cookie) repeats that request once without them and reports the answer here. */
  credentialProbes?: CredentialProbeSink;
  /** Each request sent with credentials is listed here, not resent. */
  credentialRequests?: CredentialRequestSink;
}

/** A planned step as a hook sees it: plain data, in run order. */
export interface HookStep {
  /** Its position in the run's plan. */
  index: number;
  id: string;
  /** The step kind's name (`stability`, `scenario`): for messages; decisions read the traits below. */
  kind: string;
  /** Its kind watches the stack for restarts over a window (StepKind.watchesStability). */
  watchesStability: boolean;
  /** Its kind may send credentials the live selftest repeats without them (StepKind.probesCredentials). */
  probesCredentials: boolean;
  /** The log name without `.log`. */
  logName: string;
  /** In an `always` phase (log capture), or a summary step: never a main-phase step. */
  always: boolean;
  summary: boolean;
  /** Picked by --only/--skip/--from (all are, without a selection). */
  selected: boolean;
  /** Why the driver cannot run it, or null. */
  notApplicable: string | null;
}

/** A service problem the run's stack watch saw: what a hook may wait for. */
export interface WatchedProblem {
  service: string;
}

/** The run's stack watch, as much of it as a hook needs. */
export interface HookWatch {
  problemsSoFar(): readonly WatchedProblem[];
  /** Calls listener on every stack event; returns the unsubscribe. */
  onEvent(listener: (event: StackEvent) => void): () => void;
}

/** What the runner lends a hook's task. */
export interface HookRun {
  driver: StackDriver;
  clock: Clock;
  /** The whole-run stack watch (started on first use). */
  watch(): Promise<HookWatch>;
  /** One line on the live output (the console). */
  say(text: string): void;
}

/** Extra work a hook adds to the run: a task of the main phases, outside any step's time limit. */
export interface HookTask {
  title: string;
  /** Aborted on an interrupt or the deadline; a throw once aborted stops the run like a step's. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * How a caller extends a gate run without the runner knowing what for (selftest's live
 * mutations): each hook is optional, called in the run's order.
 */
export interface RunHooks {
  /** Once, with every planned step, before anything runs. */
  onPlan?(steps: readonly HookStep[]): void;
  /** Extra fields of a step's context. */
  stepContext?(step: HookStep): StepContextExtras;
  /** After a main-phase step ended: tasks to run next (none to add nothing). */
  afterStep?(step: HookStep, result: StepResult, run: HookRun): HookTask[];
}
