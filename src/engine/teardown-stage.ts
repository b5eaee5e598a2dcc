import { RgError } from '../common/errors.js';
import type { RunState } from './run-state.js';

/** Runs the teardowns (LIFO); a failed one fails the gate, an engine that cannot tear down is exit 3. */
export async function runTeardowns(state: RunState): Promise<void> {
  const { opts } = state;
  if (opts.keepUp) state.live.info('teardown skipped (--keep-up): the stack is still running');
  else if (!opts.config.teardown.enabled) state.live.info('teardown disabled in the config');
  const failures = await state.teardowns.runAll();
  // Something may still be running: that fails the gate, it is not a footnote.
  if (failures.length > 0) state.teardownFailure = failures.map((f) => `${f.title} failed: ${f.error}`).join('; ');
  // The engine failing to tear down is the environment's fault (exit 3), not the release's.
  if (failures.some((f) => f.cause instanceof RgError && f.cause.exitCode === 3)) state.setup.environmentError = true;
}
