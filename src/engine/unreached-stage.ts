import { rmSync } from 'node:fs';
import { errorMessage } from '../common/errors.js';
import type { StepOutcome } from '../steps/step-kind.js';
import type { RunState } from './run-state.js';
import { stepContext } from './step-context.js';
import { endStep, openStepLog } from './step-runner.js';

/** Steps the gate stopped before may still judge run-wide evidence (a crash the watch saw). */
export async function judgeUnreached(state: RunState): Promise<void> {
  if (!state.watch || state.stackUnavailable) return;
  for (const record of state.steps) {
    const { planned } = record;
    if (record.result || !planned.bound.judgeUnreached || !record.selected) continue;
    const log = openStepLog(state, planned.logName);
    const started = state.clock.now();
    let outcome: StepOutcome | null;
    try {
      outcome = await planned.bound.judgeUnreached(stepContext(state, record, log, new AbortController().signal));
    } catch (err) {
      outcome = { passed: false, detail: errorMessage(err) };
    }
    if (outcome) await endStep(state, record, log, outcome.passed ? 'passed' : 'failed', outcome, started);
    else {
      // Nothing to say: the step stays "not run", and leaves no log behind.
      await log.close();
      rmSync(log.path, { force: true });
    }
  }
}
