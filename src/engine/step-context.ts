import type { Clock } from '../common/clock.js';
import type { StabilityMonitor } from '../checks/stability-watch.js';
import type { GateConfig, StepConfig } from '../config/schema.js';
import type { StackDriver } from '../drivers/stack-driver.js';
import type { Redactor } from './redactor.js';
import type { StepLog } from './step-log.js';

/** What a step handler gets: the stack, its own log, and run-wide state. */
export interface StepContext {
  config: GateConfig;
  driver: StackDriver;
  log: StepLog;
  /** Aborted on SIGINT/SIGTERM or the step's timeout. */
  signal: AbortSignal;
  clock: Clock;
  /** The run's environment (process env + generated secrets), for templating. */
  env: Record<string, string>;
  redactor: Redactor;
  logDir: string;
  /** Project root: where host commands run. */
  root: string;
  /** Path of an extra artifact beside the logs, e.g. `13_pytest_failing_tests.txt`. */
  artifactPath(name: string): string;
  /** Run-wide counters reported in the summary (`tests.passed`, `e2e.runs`). */
  counts: Record<string, number>;
  /** Set by the `up` step: watches the stack from the moment it came up. */
  stability: StabilityMonitor | null;
  setStability(monitor: StabilityMonitor): void;
  /** The step's log base name (without .log), after templating. */
  logName: string;
}

export interface StepOutcome {
  passed: boolean;
  /** One-line evidence for the summary. */
  detail: string;
  exitCode?: number;
  /** Verdicts for other criteria this step also gives evidence for (scenario: annotation). */
  criteria?: Record<string, { passed: boolean; detail: string }>;
}

export type StepOf<K extends StepConfig['do']> = Extract<StepConfig, { do: K }>;
export type StepHandler<K extends StepConfig['do']> = (step: StepOf<K>, ctx: StepContext) => Promise<StepOutcome>;
