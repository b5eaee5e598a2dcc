import { join } from 'node:path';
import { StackWatch } from '../checks/stack-watch.js';
import type { HookRun, StepContextExtras } from '../model/run-hooks.js';
import type { StepContext } from '../steps/step-kind.js';
import { hookStep, type RunState, type StepRecord } from './run-state.js';
import type { StepLog } from './step-log.js';
import { pushLoggedTeardown } from './teardown-log.js';

/** What a step gets: the stack, its own log, run-wide state, and what the run's hooks add. */
export function stepContext(state: RunState, record: StepRecord, log: StepLog, signal: AbortSignal): StepContext {
  const { opts } = state;
  const step = hookStep(record);
  const extras = state.hooks.reduce<StepContextExtras>((all, hook) => ({ ...all, ...hook.stepContext?.(step) }), {});
  return {
    driver: opts.driver,
    log,
    signal,
    clock: state.clock,
    env: opts.env,
    stackEnv: opts.config.env,
    baseUrl: opts.config.baseUrl,
    redactor: opts.redactor,
    root: opts.root,
    artifactPath: (name) => join(opts.logDir, name),
    counts: state.counts,
    watch: () => startWatch(state),
    logName: record.planned.logName,
    onTeardown: (title, teardown) => pushLoggedTeardown(state, title, teardown),
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
    ...extras,
  };
}

/** What the runner lends its hooks' tasks. */
export function hookRun(state: RunState): HookRun {
  return { driver: state.opts.driver, clock: state.clock, watch: () => startWatch(state), say: (text) => state.live.info(text) };
}

/** The whole-run watch, started once: by `up`, or by the first step that needs it when the run has none. */
export function startWatch(state: RunState): Promise<StackWatch> {
  state.watch ??= StackWatch.start(state.opts.driver, state.clock).then((watch) => {
    state.teardowns.push('stop the stability watch', () => watch.stop());
    return watch;
  });
  return state.watch;
}
