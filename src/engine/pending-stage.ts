import { errorMessage } from '../common/errors.js';
import type { StepOutcome } from '../steps/step-kind.js';
import { notJudgedDetail } from '../config/not-judged.js';
import { noteLoopEnd, stopAt, type RunState } from './run-state.js';
import { endStep } from './step-runner.js';
import { stepResult } from './step-result.js';

/** In overlap mode the window is a minimum: when the phases finish sooner, the gate waits out the rest (within the deadline). */
export async function waitOutPending(state: RunState): Promise<void> {
  const { opts, deadlineAt, clock } = state;
  const limits = [opts.interrupt, ...(deadlineAt === null ? [] : [AbortSignal.timeout(Math.max(0, deadlineAt - clock.now()))])];
  const signal = AbortSignal.any(limits);
  for (const record of state.steps) {
    if (!record.pending) continue;
    try {
      await record.pending.outcome.minimum(signal);
    } catch (err) {
      if (!signal.aborted) throw err;
      noteLoopEnd(state, opts.interrupt.aborted ? 'interrupted' : 'timedout');
      return;
    }
  }
}

/** A step the loop gave up on (it ignored its stop past the grace) is recorded, not left "not run". */
export function recordAbandoned(state: RunState): void {
  const running = state.running;
  if (!running) return;
  const record = state.steps[running.index];
  if (!record || record.result) return;
  const outcome = { passed: false, detail: 'did not stop within the grace after it was asked to: abandoned' };
  record.result = stepResult(record.planned, state.verdictOverride ?? 'interrupted', outcome, running.started, state.clock.now());
  stopAt(state, `${record.planned.logName}.log (abandoned)`);
  record.abandoned = true;
  state.running = null;
}

/** The pending verdicts (the watch), once every other step has run. */
export async function finishPending(state: RunState): Promise<void> {
  for (const record of state.steps) {
    const pending = record.pending;
    if (!pending) continue;
    delete record.pending;
    let outcome: StepOutcome;
    try {
      outcome = await pending.outcome.finish();
    } catch (err) {
      outcome = { passed: false, detail: errorMessage(err) };
    }
    if (outcome.notJudged) {
      // Cut short by another step's failure with nothing wrong seen: "not judged", no second ❌.
      if (state.stoppedAt !== undefined) outcome = { ...outcome, detail: notJudgedDetail(state.stoppedAt, outcome.notJudged) };
      else {
        const { notJudged: _cut, ...judged } = outcome;
        outcome = judged;
      }
    }
    // The verdict of a watch that ran to the end stops nothing: every step has run.
    await endStep(state, record, pending.log, outcome.passed ? 'passed' : 'failed', outcome, pending.started, false);
  }
}
