import type { KeyObject } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import type { Redactor } from '../common/redactor.js';
import type { Registries } from '../config/registries.js';
import type { GateConfig } from '../config/schema.js';
import type { StepEvidence } from '../evidence/evidence-file.js';
import type { BaselineRun } from '../model/manifest.js';
import type { RunResult } from '../model/run-result.js';
import type { RunHooks } from '../model/run-hooks.js';
import type { StackDriver } from '../model/stack.js';
import type { LiveReporter } from '../reporters/live-reporter.js';

export interface GateRunOptions {
  config: GateConfig;
  configFile: string;
  registries?: Registries;
  driver: StackDriver;
  logDir: string;
  /** Project root: where host steps run. */
  root: string;
  env: Record<string, string>;
  redactor: Redactor;
  /** Aborted on the first signal (its reason: the signal's name): the running step stops, logs and summary still run. */
  interrupt: AbortSignal;
  /** Aborted on a second signal: give up on log capture too. */
  forceStop?: AbortSignal;
  /** Budget of the whole gate in ms (`deadline:` / --deadline). */
  deadlineMs?: number | null;
  keepUp: boolean;
  verbose: boolean;
  version: string;
  /** The console subscriber of the live output; default: a quiet Console on stdout. */
  console?: LiveReporter;
  /** More live subscribers, after the console (each behind the multiplexer: one that throws costs nothing). */
  reporters?: readonly LiveReporter[];
  /** Told when a live subscriber throws (the run goes on); default: one stderr line per failing subscriber. */
  liveErrors?: (subscriber: LiveReporter, hook: string, err: unknown) => void;
  /** Extensions of the run (selftest's live mutations, its list of requests with credentials). */
  hooks?: readonly RunHooks[];
  clock?: Clock;
  /** Step ids selected by --only/--skip/--from; all when absent. */
  selected?: Set<string>;
  /** What makes this run partial beside the selection (a window shorter than the config's). */
  deviations?: string[];
  /** Documented switches and their values, shown in the summary. */
  switches?: Record<string, string>;
  /** Lines shown under the first `artifacts:` line (the `latest` link). */
  notes?: readonly string[];
  /** ed25519 key (`--sign-key`): the manifest is also written as a signed DSSE envelope. */
  signKey?: KeyObject;
  /** The earlier run given to `--baseline DIR`: the image budget's growth is measured against it. */
  baseline?: BaselineRun;
}

export interface GateRunOutcome {
  result: RunResult;
  exitCode: number;
  /** What each step's verdict was judged from (also in evidence.json): `selftest` re-judges it. */
  evidence: StepEvidence[];
  /** What is missing from the log dir at the end (the run then has no verdict, exit 3). */
  evidenceLost?: string;
  /**
   * Writes manifest.json (and the attestation) again over the log dir as it is now: for a command
   * that adds files after the run (selftest), so `release-gate verify` still holds.
   */
  reseal(): Promise<void>;
}
