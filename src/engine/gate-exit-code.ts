import { exitCodeForSignal } from '../common/exit-code.js';
import type { RunResult } from '../model/run-result.js';

/** What the run learnt about its set-up, beside the verdict. */
export interface SetupErrors {
  /** The config could not be run as written: the environment check refused it (exit 2 from the preflight). */
  configError: boolean;
  /** The environment could not run the gate: no engine, port taken, disk full. */
  environmentError: boolean;
}

/**
 * DESIGN.md's exit codes: 128+n when interrupted by signal n, 2 config, 3 environment,
 * 0 passed, else 1 (a deadline that passed is a failed gate).
 */
export function gateExitCode(result: RunResult, errors: SetupErrors, signal: NodeJS.Signals | undefined): number {
  if (result.verdict === 'interrupted') return exitCodeForSignal(signal ?? 'SIGINT');
  if (errors.configError) return 2;
  if (errors.environmentError) return 3;
  return result.verdict === 'passed' ? 0 : 1;
}
