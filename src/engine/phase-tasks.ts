import { notRun } from './step-records.js';
import { hookStep, stopAt, type RunState, type StepRecord } from './run-state.js';
import { hookRun } from './step-context.js';
import { notApplicableTask, stepTask } from './step-runner.js';
import { finishPending } from './pending-stage.js';
import type { Task } from './task-loop.js';
import { pushLoggedTeardown } from './teardown-log.js';

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
    // The stability window begins: what late steps can do ahead (a drill's previous build) overlaps it.
    if (planned.kind.watchesStability && planned.notApplicable === null) startEarlyWork(state);
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

/**
 * Starts the early work of every selected, applicable step that has some (StepKind.startEarly),
 * once; under the run's interrupt, its cleanup on the teardown stack.
 */
function startEarlyWork(state: RunState): void {
  for (const record of state.steps) {
    const { planned } = record;
    if (!record.selected || planned.notApplicable !== null) continue;
    planned.bound.startEarly?.({
      driver: state.opts.driver,
      signal: state.opts.interrupt,
      clock: state.clock,
      onTeardown: (title, teardown) => pushLoggedTeardown(state, title, teardown),
    });
  }
}

/**
 * The `always` and `ifPassed` phases as tasks: every selected step runs, unless a second signal
 * forced the stop. Before a step that disturbs the stack, the stability watch gives its verdict
 * (what the drill does to the services is not instability); an `ifPassed` step runs only when
 * nothing failed so far, that verdict included.
 */
export function* createAlwaysTasks(state: RunState, force: AbortSignal): Generator<Task> {
  for (const record of alwaysSteps(state)) {
    const { planned } = record;
    if (!record.selected) record.result = notRun(planned, 'not selected');
    else if (force.aborted) record.result = notRun(planned, 'not run: interrupted');
    else if (state.opts.keepUp && planned.kind.stopsStack) keptUp(state, record);
    else if (!planned.kind.disturbsStack && !planned.phase.ifPassed) yield taskOf(state, record);
    else yield lateTask(state, record);
  }
}

/** `--keep-up` asked for a running stack: a step that would stop it is not run, not judged, and the run says so (PARTIAL). */
function keptUp(state: RunState, record: StepRecord): void {
  record.result = { ...notRun(record.planned, 'not run: --keep-up leaves the stack up'), notJudged: true };
  state.stepDeviations.push(`${record.planned.logName}.log not run: --keep-up leaves the stack up`);
}

function lateTask(state: RunState, record: StepRecord): Task {
  const task = taskOf(state, record);
  return {
    ...task,
    run: async (abort) => {
      await finishPending(state);
      // A first Ctrl-C during the log capture: nothing that takes the stack down and up (a drill's
      // `down -v`) starts after it; the teardown stops the stack.
      if (state.opts.interrupt.aborted) {
        record.result = notRun(record.planned, 'not run: interrupted');
        return 'passed';
      }
      const failed = record.planned.phase.ifPassed ? firstFailure(state) : null;
      if (failed === null) return task.run(abort);
      // One defect, one red: a drill a failed gate never started is "not judged", neither ✅ nor ❌.
      record.result = { ...notRun(record.planned, `not run: it runs only on a passing gate (${failed} did not pass)`), notJudged: true };
      return 'passed';
    },
  };
}

/** The log of the first step that did not pass, or the place the gate stopped; null while everything passed. */
function firstFailure(state: RunState): string | null {
  if (state.stoppedAt !== undefined) return state.stoppedAt;
  const bad = state.steps.find((r) => r.result && ['failed', 'interrupted', 'timedout'].includes(r.result.status));
  return bad ? bad.result?.log ?? bad.planned.logName : null;
}

function taskOf(state: RunState, record: StepRecord): Task {
  const reason = record.planned.notApplicable;
  return reason === null ? stepTask(state, record) : notApplicableTask(state, record, reason);
}
