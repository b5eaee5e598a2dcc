import { join } from 'node:path';
import { StackWatch } from '../checks/stack-watch.js';
import { errorMessage } from '../common/errors.js';
import type { HookRun, StepContextExtras } from '../model/run-hooks.js';
import type { StepContext } from '../steps/step-kind.js';
import { hookStep, type RunState, type StepRecord } from './run-state.js';
import { StepLog } from './step-log.js';

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
    onTeardown: (title, teardown) => state.teardowns.push(title, teardown),
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

/** The driver's environment check, before the first step; from then on the stack is this run's to stop. */
export async function preflight(state: RunState, log: StepLog): Promise<void> {
  const { opts } = state;
  try {
    await opts.driver.preflight(log);
  } catch (err) {
    state.stackUnavailable = true;
    throw err;
  }
  state.preflightDone = true;
  // A deployment the gate did not start is not the gate's to stop.
  if (opts.keepUp || !opts.config.teardown.enabled || state.lifecycleNotApplicable !== null) return;
  // From here on the stack is this run's: it is stopped at the end, whatever happens.
  state.teardowns.push('stop the stack', () => stopStack(state));
}

async function stopStack(state: RunState): Promise<void> {
  const { opts } = state;
  const log = new StepLog(join(opts.logDir, 'teardown.log'), opts.redactor, state.live, 'teardown');
  try {
    await opts.driver.down({ volumes: opts.config.teardown.volumes }, log);
    log.line('stack stopped');
  } catch (err) {
    log.line(`✗ teardown failed: ${errorMessage(err)}`);
    throw err;
  } finally {
    await log.close();
  }
}
