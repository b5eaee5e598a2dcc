/** The outcome of one run, as the reporters see it. Plain data, JSON-serialisable. */
import type { ServiceStop } from './stack.js';

/** `not-applicable`: the target's driver cannot do what the step needs (an external target is not built or started by the gate); never a pass. */
export type StepStatus = 'passed' | 'failed' | 'timedout' | 'not-run' | 'interrupted' | 'not-applicable';
/** `timedout`: the gate's deadline passed before it could judge everything. */
export type Verdict = 'passed' | 'failed' | 'timedout' | 'interrupted';

export interface StepResult {
  id: string;
  phase: string;
  /** Artifact file name, e.g. `04_wait_health.log`. */
  log: string;
  title: string;
  status: StepStatus;
  /** ISO timestamps; absent when not run. */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** Exit code of the step's main command, when it ran one. */
  exitCode?: number;
  /** One-line evidence: `5/5 running+healthy`, `GET /metrics → 403 after 120s`. */
  detail: string;
  criterion?: string;
  /** Latency statistics of a scenario step (E2E): per scenario step over the runs. */
  latency?: ScenarioLatency;
  /** The last HTTP exchange of a failed HTTP check (wait-http): what was asked, what came back. */
  http?: HttpExchange;
  /** A wait's answers before its first good one (or all of them, when none was good), by kind. */
  answersBefore?: AnswerCount[];
  /** The gate stopped at another step's failure before this one could finish judging (status `not-run`). */
  notJudged?: boolean;
  /** Scenario steps that passed only after a retry, per step (absent when none did). */
  retries?: ScenarioRetry[];
  /** The images the services run, with their size now and in the baseline run (the image budget step). */
  images?: ImageFigure[];
  /** What each service used over the run (the resources step): peak and mean memory and CPU. */
  resources?: ServiceResources[];
  /** How each service stopped on its stop signal (shutdown): signal, grace, exit code, stop time. */
  stops?: ServiceStop[];
}

/** What one service used over the run, from its samples. */
export interface ServiceResources {
  service: string;
  samples: number;
  memory: { peakBytes: number; meanBytes: number; limitBytes?: number };
  /** Percent of one core (150 = one and a half); null when no sample could measure CPU. */
  cpu: { peakPercent: number; meanPercent: number } | null;
  /** Up to 60 points over the run, for a chart: [seconds since the first sample, memory bytes, CPU percent or null]. */
  series: [number, number, number | null][];
}

/** One image the services run, with its size now and in the baseline run. */
export interface ImageFigure {
  /** The reference the services were created from (`shop-api:1.4`). */
  image: string;
  /** The services running it (an app image often runs the backend and the worker). */
  services: string[];
  /** Bytes, all layers (the Engine's `Size`). */
  size: number;
  layers: number;
  /** Its size in the baseline run (same service), null when the baseline has no such service; absent without a baseline. */
  baselineSize?: number | null;
}

/** A scenario step that passed only after a retry: how often, and the reason it was accepted, if it was. */
export interface ScenarioRetry {
  /** The scenario step's name. */
  step: string;
  /** Executions that passed only after a retry (over every run). */
  times: number;
  /** Attempts beyond the first, summed over those executions. */
  retries: number;
  /** The step's `allowRetries` reason; absent: not accepted, E2E fails. */
  accepted?: string;
}

/** How often a wait got one kind of answer (`502`, `connection refused`), first and last time (ISO). */
export interface AnswerCount {
  answer: string;
  count: number;
  firstAt: string;
  lastAt: string;
}

/** Latency of one scenario step over every time it ran (nearest-rank percentiles, in ms). */
export interface StepLatency {
  /** The scenario step's name. */
  step: string;
  /** The list it belongs to: `each` steps run once per run, the others once (setup/teardown) or after each run (finally). */
  list: 'setup' | 'each' | 'finally' | 'teardown';
  /** Executions measured (skipped ones are not). */
  samples: number;
  /** Executions that failed. */
  failures: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** The budget from the config (`latency:` on the step or in `defaults`), in ms. */
  limits?: { p50Ms?: number; p95Ms?: number; maxMs?: number };
  /** Budgets exceeded, one line each: `p95 420ms > 300ms`. */
  exceeded?: string[];
}

/** What the scenario step measured over its N runs. */
export interface ScenarioLatency {
  steps: StepLatency[];
  /** Failed step executions in each run (`each` and `finally`), run 1 first. */
  failuresPerRun: number[];
  /** Wall time of each run, run 1 first. */
  runDurationsMs: number[];
}

/** One HTTP request and its answer, as the report shows them and replays them with curl. */
export interface HttpExchange {
  method: string;
  url: string;
  /** Headers sent; a secret value is written as a `$VAR` reference, never as its value. */
  headers: Record<string, string>;
  /** The Basic credentials the URL carried (`url` is then without them): the password, and a user that is a secret, as `$VAR` references. */
  auth?: { user: string; password: string };
  /** The service the request was made from, when not from this machine. */
  from?: string;
  /** Statuses the check accepted. */
  expected: number[];
  /** Absent when no answer came (connection refused, timeout). */
  status?: number;
  contentType?: string;
  /** The start of the last body received, redacted. */
  bodyExcerpt?: string;
  /** Why the last answer was refused, or the network error. */
  problem?: string;
  /** The scenario step that sent it: the request carried the scenario's session, so no replay is offered. */
  scenarioStep?: string;
}

export interface PhaseResult {
  id: string;
  title: string;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
}

export interface CriterionResult {
  id: string;
  /** Human title, e.g. `Stability`. */
  title: string;
  passed: boolean;
  /** `0 restarts, 0 exits, 0 OOM over 180s` or why it failed / was not run. */
  detail: string;
  /** Log files holding the evidence. */
  logs: string[];
  /** A partial run selected none of its steps: neither ✅ nor ❌, and not counted. */
  notSelected?: boolean;
  /** Every step giving evidence for it is not applicable to this target: neither ✅ nor ❌ ("n/a"), and not counted. */
  notApplicable?: boolean;
  /**
   * The gate stopped at another criterion's failure before this one could be judged, and nothing
   * wrong was seen meanwhile: neither ✅ nor ❌ ("–"), not counted; the verdict is red from the real failure.
   */
  notJudged?: boolean;
}

/** What the run gated. */
export interface RunTarget {
  /** The driver's name (`compose`, `external`). */
  driver: string;
  /** The driver's one-line description (`plan` shows the same). */
  description: string;
  /** A deployment the gate did not start and does not stop: its lifecycle steps are not applicable. */
  external: boolean;
}

export interface RunResult {
  tool: { name: string; version: string };
  config: string;
  logDir: string;
  verdict: Verdict;
  /** The stack the run gated; absent in results written before targets were recorded. */
  target?: RunTarget;
  /** Set when the run stopped early: which step failed or where it was interrupted. */
  stoppedAt?: string;
  /** False for a partial gate (--only/--skip/--from, a shortened window): its pass is not a release's. */
  complete: boolean;
  /** Documented switches and the value this run used (`KORRIGO_LOCKS: off`). */
  switches?: Record<string, string>;
  /** What a partial gate left out, one line each (`--skip clean,A`, `stability window 5s (config: 180s)`). */
  deviations: string[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  phases: PhaseResult[];
  steps: StepResult[];
  criteria: CriterionResult[];
  /** Counts such as tests passed/failed, filled by checks (`tests.passed`, `e2e.runs`). */
  counts: Record<string, number>;
  /** Artifact file names in the log dir, sorted. */
  artifacts: string[];
  /** Set in report.html after `release-gate selftest`: each injected defect and whether it was caught. */
  selftest?: SelftestSection;
}

/** The selftest table as reporters show it. */
export interface SelftestSection {
  passed: boolean;
  caught: number;
  total: number;
  /** Why nothing was injected: the healthy run did not pass. */
  stopped?: string;
  rows: { title: string; mutation: string; log: string; result: 'caught' | 'MISSED' | 'n/a' | 'not run'; detail: string; live?: boolean; exitCodeOnly?: boolean }[];
  /** Criteria not caught, with why. */
  vacuous: { title: string; why: string }[];
  /** The live run: its log dir (relative), what the kill did, what was left running. */
  live?: { logDir: string; kill: string; leftovers: string[] };
}
