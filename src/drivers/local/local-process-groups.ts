import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { OutputSink } from '../../common/output.js';
import { groupAlive, isRecordedGroup, killGroup, processStartTime, sameProcess, waitGroupsGoneSync, type RecordedGroup } from '../../common/process-group.js';

/** The pid file (pgid + start time of each group) lets a later run kill what a crashed or interrupted run could not. */
const PIDS_FILE = 'pids.json';

/**
 * The process groups the local driver is answerable for: the services' (recorded in the state
 * dir's pid file), the builds' and execs' running now, and those an earlier run recorded.
 */
export class LocalProcessGroups {
  /** Process groups of builds and execs running now (runGroup's onGroup). */
  private readonly commandGroups = new Set<number>();

  constructor(
    private readonly stateDir: string,
    private readonly clock: Clock,
  ) {}

  /** runGroup's onGroup: a build or exec command's group, while it runs. */
  readonly track = (pgid: number, alive: boolean): void => {
    if (alive) this.commandGroups.add(pgid);
    else this.commandGroups.delete(pgid);
  };

  /** Writes the services' groups to the pid file (after each start). */
  record(services: Iterable<{ pgid: number | null }>): void {
    const groups: RecordedGroup[] = [];
    for (const svc of services) {
      const start = svc.pgid === null ? null : processStartTime(svc.pgid);
      if (svc.pgid !== null && start !== null) groups.push({ pgid: svc.pgid, start });
    }
    writeFileSync(join(this.stateDir, PIDS_FILE), JSON.stringify(groups));
  }

  /** The groups the pid file records; none when it is absent or unreadable. */
  recorded(): RecordedGroup[] {
    const file = join(this.stateDir, PIDS_FILE);
    try {
      const entries: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return Array.isArray(entries) ? entries.filter(isRecordedGroup) : [];
    } catch {
      // Absent (nothing started yet) or half-written: the running map still has the services.
      return [];
    }
  }

  /** Kills process groups a previous, interrupted run recorded and could not stop; `logsDir` is this run's raw logs, kept. */
  async killRecorded(output: OutputSink, logsDir: string): Promise<void> {
    const file = join(this.stateDir, PIDS_FILE);
    if (!existsSync(file)) return;
    let pgids: unknown;
    try {
      pgids = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      output.line(`ignoring unreadable ${file}: ${(err as Error).message}`);
      pgids = [];
    }
    for (const entry of Array.isArray(pgids) ? pgids : []) {
      // Only the very process recorded (pid + start time): a pid reused since is someone else's.
      if (!isRecordedGroup(entry) || !groupAlive(entry.pgid)) continue;
      if (!sameProcess(entry)) {
        output.line(`not killing process group ${entry.pgid}: its pid now belongs to another process`);
        continue;
      }
      output.line(`killing leftover process group ${entry.pgid} from an earlier run`);
      await killGroup(entry.pgid, 3000, this.clock);
    }
    rmSync(file, { force: true });
    // The raw logs those processes wrote (a --keep-up run's): their writers are gone now, and
    // the run lock keeps any other gate off this state dir.
    for (const name of readdirSync(this.stateDir)) {
      const path = join(this.stateDir, name);
      if (name.startsWith('logs-') && path !== logsDir) rmSync(path, { recursive: true, force: true });
    }
  }

  /**
   * The third signal: SIGKILL, synchronously, to the services' groups, the running builds and
   * execs, and those recorded by an earlier run; waits (2 s at most) until they are gone.
   * Returns one line per group for the console.
   */
  killAllSync(services: Iterable<{ name: string; pgid: number | null }>): string[] {
    const lines: string[] = [];
    const killed = new Set<number>();
    const kill = (pgid: number, what: string) => {
      // A group just sent SIGKILL may still show alive (not yet reaped): once is enough.
      if (killed.has(pgid) || !groupAlive(pgid)) return;
      killed.add(pgid);
      try {
        process.kill(-pgid, 'SIGKILL');
        lines.push(`killed ${what} (process group ${pgid})`);
      } catch (err) {
        lines.push(`could not kill ${what} (process group ${pgid}): ${(err as Error).message}; kill it with \`kill -KILL -- -${pgid}\``);
      }
    };
    for (const svc of services) if (svc.pgid !== null) kill(svc.pgid, `service ${svc.name}`);
    for (const pgid of this.commandGroups) kill(pgid, 'a running build or exec command');
    for (const entry of this.recorded()) if (sameProcess(entry)) kill(entry.pgid, 'a process group recorded by an earlier run');
    // SIGKILL is sent, not yet done: exit only once they are gone, so nothing outlives the gate.
    for (const pgid of waitGroupsGoneSync([...killed], 2000)) lines.push(`process group ${pgid} still alive 2s after SIGKILL; check with \`ps -o pid,stat,args -g ${pgid}\``);
    return lines;
  }
}
