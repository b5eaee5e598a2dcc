import { join } from 'node:path';
import { errorMessage } from '../common/errors.js';
import type { OutputSink } from '../common/output.js';
import type { RunState } from './run-state.js';
import { StepLog } from './step-log.js';

/**
 * Puts a step's cleanup on the teardown stack with `teardown.log` as its output (as the stack's
 * own stop): what it removed, and why it failed when it throws. The log is opened on the first
 * line only, so a cleanup that says nothing adds no file.
 */
export function pushLoggedTeardown(state: RunState, title: string, teardown: (log: OutputSink) => Promise<void> | void): void {
  state.teardowns.push(title, async () => {
    let log: StepLog | null = null;
    const open = () => (log ??= new StepLog(join(state.opts.logDir, 'teardown.log'), state.opts.redactor, state.live, 'teardown'));
    const sink: OutputSink = { write: (chunk, stream) => open().write(chunk, stream), line: (text) => open().line(text), drained: () => open().drained() };
    try {
      await teardown(sink);
    } catch (err) {
      open().line(`✗ ${title} failed: ${errorMessage(err)}`);
      throw err;
    } finally {
      await (log as StepLog | null)?.close();
    }
  });
}
