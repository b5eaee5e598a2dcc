import { RgEnvironmentError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { runGroup, type ProcessResult } from '../../common/process-group.js';

/**
 * Every git call of the previous release: the repository's hooks are off (`core.hooksPath` set to
 * /dev/null): `git worktree add` would run its post-checkout hook, as root in CI, code the gate
 * was never asked to run.
 */
const SAFE = ['-c', 'core.hooksPath=/dev/null'];

/** git with argv elements only (the ref is data, never shell text); RG_DRIVER_UNAVAILABLE without git. */
export async function git(args: string[], cwd: string, signal?: AbortSignal, output?: OutputSink): Promise<ProcessResult> {
  const r = await runGroup(['git', ...SAFE, ...args], { cwd, capture: true, ...(signal ? { signal } : {}), ...(output ? { output } : {}) });
  if (r.spawnError) throw new RgEnvironmentError('RG_DRIVER_UNAVAILABLE', `Could not run git to build the previous release (previous.ref): ${r.spawnError.message}.`, 'Install git, or give the previous release as previous.images.', r.spawnError);
  return r;
}

/** The last line git printed, or its exit code. */
export const lastLine = (r: ProcessResult): string => r.tail.at(-1)?.trim() ?? `exit ${r.exitCode}`;
