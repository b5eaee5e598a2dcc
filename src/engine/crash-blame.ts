import { join } from 'node:path';
import type { Instability } from '../checks/stack-watch.js';
import type { StepOutcome } from '../steps/step-kind.js';
import type { RunState } from './run-state.js';
import { StepLog } from './step-log.js';

/** How long after a failed step's end a crash may still be what broke it (the engine's event lag). */
export const LATE_EVENT_MS = 2000;

/** `caused by worker exited (137) at 10:42:07 (see Stability)`. */
export function causeOf(problem: Instability): string {
  return `caused by ${problem.service} ${problem.what} at ${problem.at.toISOString().slice(11, 19)} (see Stability)`;
}

/** A step that failed while a service crashed is blamed on the crash, and says so. */
export async function blameInstability(state: RunState, outcome: StepOutcome, started: number, log: StepLog): Promise<StepOutcome> {
  if (!state.watch) return outcome;
  const problems = (await state.watch).problemsBetween(started, state.clock.now());
  const first = problems[0];
  if (!first) return outcome;
  const cause = causeOf(first);
  log.line(`✗ ${cause}`);
  return { ...outcome, detail: `${outcome.detail} — ${cause}` };
}

/**
 * The engine may report a crash just after the step it broke: an exec killed with its
 * container returns (exit 137) tens of ms before Docker's `die` event arrives. Once the run's
 * events are in, a failed step is blamed on a problem seen up to LATE_EVENT_MS after its end.
 */
export async function blameLate(state: RunState): Promise<void> {
  if (!state.watch) return;
  const watch = await state.watch;
  for (const record of state.steps) {
    if (!record.unexplained) continue;
    record.unexplained = false;
    const { result } = record;
    if (!result || result.status !== 'failed' || !result.startedAt || !result.endedAt) continue;
    const first = watch.problemsBetween(Date.parse(result.startedAt), Date.parse(result.endedAt) + LATE_EVENT_MS)[0];
    if (!first) continue;
    const cause = causeOf(first);
    record.result = { ...result, detail: `${result.detail} — ${cause}` };
    const log = new StepLog(join(state.opts.logDir, result.log), state.opts.redactor, state.live, record.planned.logName);
    log.line(`✗ ${cause} (reported by the engine after the step ended)`);
    await log.close();
  }
}
