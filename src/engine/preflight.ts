import { join } from 'node:path';
import { errorMessage } from '../common/errors.js';
import type { RunState } from './run-state.js';
import { StepLog } from './step-log.js';

/**
 * The driver's environment check, in the first main step's task (its output goes to that step's
 * log); once it passed, the stack is this run's: "stop the stack" goes on the teardown stack.
 */
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
