import type { HttpExchange, RunResult, RunTarget, StepResult } from '../model/run-result.js';

/** The run's start: what it gates, where its evidence goes. */
export interface RunStart {
  version: string;
  /** The config's `name:`. */
  name: string;
  driver: string;
  logDir: string;
  /** Lines shown under the first `artifacts:` line (the `latest` link). */
  notes: readonly string[];
  target: RunTarget;
  /** The documented switches, with their values and descriptions. */
  switches: readonly { name: string; value: string; description: string }[];
}

/** A step starts (its task began): not called for steps not run, not applicable or judged at the end only. */
export interface StepStart {
  index: number;
  id: string;
  /** The log name without `.log`. */
  label: string;
  /** Redacted. */
  title: string;
}

/** How a step ended as the live output shows it (`not-judged`: cut short with nothing wrong seen). */
export type StepEndMark = 'passed' | 'failed' | 'interrupted' | 'not-judged';

/**
 * A step's verdict. A watch (stability) ends twice: `passed` "watching" when its task returns,
 * its verdict at the end of the run.
 */
export interface StepEnd {
  index: number;
  label: string;
  mark: StepEndMark;
  durationMs: number;
  /** Redacted. */
  detail: string;
  /** The step's result as recorded. */
  result: StepResult;
  /** What explains a failure, when the runner shows it (not with --verbose: the lines were shown already). */
  failure?: { lastLines: readonly string[]; http?: HttpExchange | undefined };
}

/** Anything else the run says while it runs. */
export type LiveEvent =
  | { type: 'info'; text: string }
  /** Lines that explain a failure (a service's last lines), under a title. */
  | { type: 'evidence'; title: string; lines: readonly string[] }
  /** A step's own progress (`04_wait_health 503 after 12s`): transient. */
  | { type: 'progress'; text: string }
  /** A step running and saying nothing, every second. */
  | { type: 'heartbeat'; label: string; elapsedMs: number }
  /** One line of a step's log (only when a subscriber wants step lines). */
  | { type: 'step-line'; label: string; text: string };

/** The run's end: the final result, once its evidence was checked. */
export interface RunEnd {
  result: RunResult;
  /** What is missing from the log dir, or null. */
  evidenceLost: string | null;
  /** The verdict line (`✅ GATE PASSED`), redacted. */
  verdict: string;
  logDir: string;
}

/**
 * A live subscriber of a run (the console, a test's recorder): every hook is optional. They are
 * called behind a ReporterMultiplexer, so a subscriber that throws costs neither the others nor
 * the run. File reports are `Reporter`s (render a finished result), not these.
 */
export interface LiveReporter {
  /** True when it shows every step-log line (--verbose): the step logs split their output for it only then. */
  readonly wantsStepLines?: boolean;
  onRunStart?(run: RunStart): void;
  onStepStart?(step: StepStart): void;
  onStepEnd?(step: StepEnd): void;
  onEvent?(event: LiveEvent): void;
  onRunEnd?(end: RunEnd): void;
}
