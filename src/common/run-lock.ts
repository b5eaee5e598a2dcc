import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RgEnvironmentError } from './errors.js';
import { removeEmptyDir } from './remove-empty-dir.js';
import { processStartTime } from './process-group.js';

/** Who holds a lock: enough to tell a live holder from a dead one, and to name it. */
interface Holder {
  pid: number;
  start: string;
  config: string;
  logDir: string;
  since: string;
}

export const RUN_LOCKS_DIR = join(tmpdir(), 'release-gate', 'locks');

/**
 * One gate per stack (compose project, swarm stack, local state, a data dir) at a time: a second gate's phase 0
 * would tear the first one's stack down under it. Created atomically (`wx`); a lock whose
 * holder is gone — or whose pid now belongs to another process (start time differs) — is
 * stale and taken over, so a `kill -9` never blocks the next run.
 */
export class RunLock {
  private released = false;
  private constructor(
    readonly file: string,
    private readonly dir: string,
  ) {}

  static acquire(key: string, what: { config: string; logDir: string; stack: string }, dir = RUN_LOCKS_DIR): RunLock {
    const file = join(dir, `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`);
    const me: Holder = { pid: process.pid, start: processStartTime(process.pid) ?? '', config: what.config, logDir: what.logDir, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // Made on each attempt: a gate that just released the last lock removes the empty folder.
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
        return new RunLock(file, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        if (code !== 'EEXIST') throw err;
      }
      const holder = readHolder(file);
      if (holder && processStartTime(holder.pid) === holder.start) {
        throw new RgEnvironmentError(
          'RG_GATE_RUNNING',
          `Another gate is running on ${what.stack}: pid ${holder.pid} since ${holder.since} (config ${holder.config}, logs in ${holder.logDir}).`,
          'Wait for it to finish or stop it (Ctrl-C in its terminal, or `kill ' + holder.pid + '`); or give this gate its own stack (its own project or stack name, ports, data dirs).',
        );
      }
      // Stale: its holder died without releasing it (kill -9, power loss).
      rmSync(file, { force: true });
    }
    throw new RgEnvironmentError('RG_GATE_RUNNING', `Could not take the run lock ${file}.`, 'Another gate may be starting on the same stack; retry.');
  }

  /** Idempotent; synchronous so that it also runs from a process.exit path. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const holder = readHolder(this.file);
    if (holder?.pid === process.pid) rmSync(this.file, { force: true });
    // The last lock out removes the folders it made in the temp dir (only when empty: another
    // gate's lock, or a compose driver's state, keeps them).
    if (removeEmptyDir(this.dir) && this.dir === RUN_LOCKS_DIR) removeEmptyDir(dirname(this.dir));
  }
}

function readHolder(file: string): Holder | null {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return typeof data.pid === 'number' && typeof data.start === 'string' ? data : null;
  } catch {
    // Unreadable or half-written: no live holder can be proven, treat as stale.
    return null;
  }
}
