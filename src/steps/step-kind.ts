import type { z } from 'zod';
import type { Clock } from '../common/clock.js';
import type { OutputSink } from '../common/output.js';
import type { Redactor } from '../common/redactor.js';
import type { BaselineRun } from '../model/manifest.js';
import type { AnswerCount, HttpExchange, ImageFigure, ServiceResources, ScenarioLatency, ScenarioRetry } from '../model/run-result.js';
import type { StepContextExtras } from '../model/run-hooks.js';
import type { ServiceStop, StackCapability, StackDriver } from '../model/stack.js';
import type { Judgement } from '../checks/judges.js';
import type { StackWatch } from '../checks/stack-watch.js';

/** The fields every step has, whatever its kind. */
export interface StepBase {
  /** Id used by `extends` merging and --only/--skip; default: the log name. */
  id?: string | undefined;
  /** Artifact log name without `.log`. */
  log: string;
  title?: string | undefined;
  criterion?: string | undefined;
  /** As written (`30s`): shown in "timed out after 30s". */
  timeout?: string | number | undefined;
  /** The timeout in ms, read once at load from `timeout`. */
  timeoutMs?: number | undefined;
  /** The step kind's name. */
  do: string;
}

/** A step's log as the step sees it: lines and child output, redacted and timestamped by the engine. */
export interface StepOutput extends OutputSink {
  /** A transient progress line (console only). */
  progress(text: string): void;
  /** Feeds every redacted line from now on to the listener; returns the function that stops it. */
  tap(listener: (line: string) => void): () => void;
  /** Keeps the redacted lines from now on; the returned function stops and returns them. */
  capture(): () => string[];
}

/** What a step gets: the stack, its own log, and run-wide state; the run's hooks may add fields (StepContextExtras). */
export interface StepContext extends StepContextExtras {
  driver: StackDriver;
  log: StepOutput;
  /** Aborted on an interrupt, the global deadline or the step's own timeout. */
  signal: AbortSignal;
  clock: Clock;
  /** The run's environment (process env + generated secrets), for templating. */
  env: Record<string, string>;
  /** Variables the config gives to the stack and host commands (`env:`). */
  stackEnv: Record<string, string>;
  baseUrl: string;
  redactor: Redactor;
  /** Project root: where host commands run. */
  root: string;
  /** Path of an extra artifact beside the logs, e.g. `13_pytest_full_failing_tests.txt`. */
  artifactPath(name: string): string;
  /** Run-wide counters reported in the summary (`tests.passed`, `e2e.runs`). */
  counts: Record<string, number>;
  /** The whole-run stability watch: started by `up` (or by the first step that needs it). */
  watch(): Promise<StackWatch>;
  /** The step's log base name (without .log), after templating. */
  logName: string;
  /**
   * Registers a cleanup run at the end of the gate, last-in first-out. What it writes to `log`
   * goes to `teardown.log` (opened on its first line), and so does its error when it throws.
   */
  onTeardown(title: string, teardown: (log: OutputSink) => Promise<void> | void): void;
  /** The earlier run given to `--baseline DIR`, when one was. */
  baseline?: BaselineRun;
}

/**
 * What a step's early work gets (StepKind.startEarly): the stack, the run's interrupt, the clock,
 * and where to register its cleanup. A StepContext is one too (a step may start it itself).
 */
export type EarlyContext = Pick<StepContext, 'driver' | 'signal' | 'clock' | 'onTeardown'>;

/**
 * A step whose verdict is only known later: the stability watch spans the phases after it.
 * The runner waits out `minimum` before log capture and calls `finish` after the last step.
 */
export interface PendingOutcome {
  /** Resolves once the minimum observation time has passed (or the watch broke). */
  minimum(signal: AbortSignal): Promise<void>;
  /** True as soon as the verdict can only be a failure: the gate stops early. */
  broken(): boolean;
  /** The final verdict; the step's log closes after it. */
  finish(): Promise<StepOutcome>;
}

export interface StepOutcome {
  passed: boolean;
  /** One-line evidence for the summary. */
  detail: string;
  exitCode?: number;
  /**
   * How much the step observed (tests parsed, lines matched, answers received). A passing
   * step that observed nothing is judged "no evidence" by the engine, never ✅.
   */
  evidence?: number;
  /** Verdicts for other criteria this step also gives evidence for (scenario: annotation). */
  criteria?: Record<string, { passed: boolean; detail: string; notJudged?: true }>;
  /** Latency statistics of a scenario, recorded in the step's result (summary.json, reports). */
  latency?: ScenarioLatency;
  /** Scenario steps that passed only after a retry, per step: recorded in the step's result. */
  retries?: ScenarioRetry[];
  /** The last HTTP exchange of a failed HTTP check, for the report (redacted, secrets as `$VAR`). */
  http?: HttpExchange;
  /** A wait's answers before its first good one, by kind: recorded in the step's result. */
  answersBefore?: AnswerCount[];
  /** How each service stopped (shutdown): recorded in the step's result (summary.json). */
  stops?: ServiceStop[];
  /**
   * The judgements the verdict came from (judge, plain-JSON input, verdict): saved in
   * evidence.json, re-judged with injected defects by `release-gate selftest`.
   */
  judgements?: Judgement[];
  /** The images measured by the image budget step: recorded in the step's result. */
  images?: ImageFigure[];
  /** What each service used over the run (the resources step): recorded in the step's result. */
  resources?: ServiceResources[];
  /** Set by steps that keep observing after they return (stability). */
  pending?: PendingOutcome;
  /**
   * The step saw nothing wrong but could not observe all it must (a window cut short): when the
   * gate stopped at another step's failure, its criterion is "not judged", neither ✅ nor ❌.
   */
  notJudged?: NotJudged;
  /**
   * What the step accepted that zero tolerance would refuse, with the config's reason
   * (`13_pytest_full: 1 retried test accepted (quarantined upstream bug #12)`): added to the run's
   * deviations, so the run reads PARTIAL in every report, never a silent pass.
   */
  deviations?: string[];
}

/**
 * One step kind: its `do:` name, the schema of its own fields (the common ones are added by
 * the registry), how it runs and how it is titled. One file per kind, one line in
 * step-registry.ts.
 */
export interface StepKind<S extends z.ZodObject = z.ZodObject, E = unknown> {
  readonly name: string;
  readonly schema: S;
  /** `budget`: the timeout is the step's own waiting budget (it judges what it saw); `hard`: the step is cut at it. */
  readonly timeout: 'budget' | 'hard';
  /** Summary steps are written by the runner after everything else, not run. */
  readonly summary?: boolean;
  /*
   * What other layers ask of a kind, instead of testing its name. `watchesStability`: its steps
   * watch the stack for restarts over a `window:` (--stability sets it; the live selftest kills a
   * service once one watches). `probesCredentials`: its steps may send credentials the live
   * selftest repeats without them (the kill comes after those). `bootsStack`: its steps bring the
   * stack up (a live run that failed by the last of them "did not boot").
   */
  readonly watchesStability?: boolean;
  readonly probesCredentials?: boolean;
  readonly bootsStack?: boolean;
  /**
   * Its steps stop or replace the stack's services (an upgrade drill, the shutdown check): the
   * stability watch's observation ends before they run, and they belong in an `always` or
   * `ifPassed` phase, after the log capture (checked at load).
   */
  readonly disturbsStack?: boolean;
  /** Its steps leave the stack stopped (the shutdown check): with `--keep-up` they do not run, and the run reads PARTIAL. */
  readonly stopsStack?: boolean;
  /** The boolean field of this kind's steps that turns a cache off (`noCache`): a rerun on fresh sources may turn it back on. */
  readonly cacheSwitch?: string;
  /**
   * Work a late step can do ahead, while the stability window runs (the upgrade drill's previous
   * release, built): the runner starts it when the step that watches stability starts, once; `run`
   * gets its promise as `early` (undefined when the run had no such window: it starts it itself). Null:
   * nothing to do ahead. It registers its own cleanup (`ctx.onTeardown`): a gate that stops
   * before the step still removes what it made.
   */
  startEarly?(step: z.output<S> & StepBase, ctx: EarlyContext): Promise<E> | null;
  run(step: z.output<S> & StepBase, ctx: StepContext, early?: Promise<E>): Promise<StepOutcome>;
  /**
   * A step the gate stopped before may still judge run-wide evidence (the stability watch saw a
   * crash that made an earlier step fail): an outcome to record, or null to stay "not run".
   */
  judgeUnreached?(step: z.output<S> & StepBase, ctx: StepContext): Promise<StepOutcome | null>;
  title(step: z.output<S> & StepBase): string;
  /** What the step needs from the driver; a driver that cannot offer one makes the step "not applicable". */
  needs?(step: z.output<S> & StepBase): readonly StackCapability[];
  /** Why the step as configured cannot run on any stack (nothing given to drill), or null: recorded "not applicable", never ✅. */
  notApplicable?(step: z.output<S> & StepBase): string | null;
  /** The log name with placeholders filled (`{window}`, `{runs}`). */
  logName?(step: z.output<S> & StepBase): string;
}

/** How far a step got before the gate stopped: `1m39s of 3m00s (0 restarts seen)`. */
export interface NotJudged {
  observedMs: number;
  windowMs: number;
  /** What was seen meanwhile, for the reader: `0 restarts seen`. */
  seen: string;
}

/** The budget of a step that waits (ps ready, wait-http) when it gives no `timeout:`. */
export const DEFAULT_WAIT_MS = 120_000;

/** Types a step kind's definition against its own schema. */
export function defineStepKind<S extends z.ZodObject, E = unknown>(kind: StepKind<S, E>): StepKind<S, E> {
  return kind;
}
