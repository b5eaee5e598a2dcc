import { notRun } from './step-records.js';
import { hookStep, stopAt, type RunState, type StepRecord } from './run-state.js';
import { hookRun } from './step-context.js';
import { notApplicableTask, stepTask } from './step-runner.js';
import type { Task } from './task-loop.js';

/** The main phases' steps (not `always`, not summaries), in run order. */
export function mainSteps(state: RunState): StepRecord[] {
  return state.steps.filter((r) => !r.planned.phase.always && !r.planned.kind.summary);
}

/** The `always` phases' steps (log capture), in run order. */
export function alwaysSteps(state: RunState): StepRecord[] {
  return state.steps.filter((r) => r.planned.phase.always && !r.planned.kind.summary);
}

/**
 * The main phases as tasks; stops yielding once a pending watch broke (fail fast on
 * instability). After each step, the tasks its hooks add (outside the step's time limit).
 */
export function* createMainTasks(state: RunState): Generator<Task> {
  for (const record of mainSteps(state)) {
    const { planned } = record;
    if (!record.selected) {
      record.result = notRun(planned, 'not selected');
      continue;
    }
    const broken = state.steps.find((r) => r.pending?.outcome.broken());
    if (broken?.pending) {
      stopAt(state, broken.pending.log.path.split('/').pop() as string);
      return;
    }
    yield taskOf(state, record);
    const result = record.result;
    if (!result) continue;
    for (const hook of state.hooks) {
      for (const task of hook.afterStep?.(hookStep(record), result, hookRun(state)) ?? []) {
        yield { title: task.title, run: async (abort) => (await task.run(abort.signal), 'passed') };
      }
    }
  }
}

/** The `always` phases as tasks: every selected step runs, unless a second signal forced the stop. */
export function* createAlwaysTasks(state: RunState, force: AbortSignal): Generator<Task> {
  for (const record of alwaysSteps(state)) {
    if (!record.selected) record.result = notRun(record.planned, 'not selected');
    else if (force.aborted) record.result = notRun(record.planned, 'not run: interrupted');
    else yield taskOf(state, record);
  }
}

function taskOf(state: RunState, record: StepRecord): Task {
  const reason = record.planned.notApplicable;
  return reason === null ? stepTask(state, record) : notApplicableTask(state, record, reason);
}
