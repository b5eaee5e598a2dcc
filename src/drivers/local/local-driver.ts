import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { systemClock, type Clock } from '../../common/clock.js';
import { confinedPath } from '../../common/confined-path.js';
import { formatDuration } from '../../common/duration.js';
import { describeExit } from '../../common/exit-code.js';
import { waitFor } from '../../common/wait.js';
import { readLastLines } from '../../common/read-last-lines.js';
import { RgEnvironmentError, RgStepError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { LocalServiceConfig } from './local-driver-kind.js';
import { portFree } from '../../common/ports.js';
import { groupAlive, isRecordedGroup, killGroup, processStartTime, runGroup, sameProcess, waitGroupsGoneSync, type RecordedGroup } from '../../common/process-group.js';
import type { CopiedFile, ExecOptions, LogsOptions, ServiceStatus, StackDriver, StackEvent, StackProvenance } from '../../model/stack.js';
import { LocalService } from './local-service.js';
import { removeEmptyDir } from '../../common/remove-empty-dir.js';

export interface LocalDriverOptions {
  services: Record<string, LocalServiceConfig>;
  /** Folder the services' relative cwd, build outputs and data dirs resolve against. */
  baseDir: string;
  /** Environment given to every service and exec (on top of process.env). */
  env: Record<string, string>;
  /**
   * Private folder for the pid file and raw service logs (outside the artifacts: those are
   * redacted copies). One per resolved stack, so concurrent gates on other ports never meet.
   */
  stateDir: string;
  clock?: Clock;
  /** Port → the variable the config takes it from, so a "port taken" hint says what to set. */
  portVariables?: Record<string, string>;
}

/** The pid file (pgid + start time of each group) lets a later run kill what a crashed or interrupted run could not. */
const PIDS_FILE = 'pids.json';

/**
 * Runs the stack as local process groups: the embedded default that needs nothing beyond
 * `npm ci`. Mirrors Compose semantics: depends_on conditions, restart policies, healthchecks.
 */
export class LocalDriver implements StackDriver {
  readonly name = 'local';
  private readonly running = new Map<string, LocalService>();
  private readonly clock: Clock;
  private readonly listeners = new Set<(event: StackEvent) => void>();
  /** Raw service logs of this run only; removed by close() once the artifacts hold them. */
  private readonly logsDir: string;

  constructor(private readonly opts: LocalDriverOptions) {
    this.clock = opts.clock ?? systemClock;
    mkdirSync(opts.stateDir, { recursive: true });
    this.logsDir = mkdtempSync(join(opts.stateDir, 'logs-'));
  }

  async preflight(output: OutputSink): Promise<void> {
    // What an interrupted or --keep-up run left would hold the ports: this driver cannot adopt
    // processes of another run, so it stops them first.
    await this.killRecordedGroups(output);
    for (const [name, svc] of Object.entries(this.opts.services)) {
      for (const port of svc.ports) {
        if (!(await portFree(port))) {
          throw new RgEnvironmentError(
            'RG_PORT_TAKEN',
            `Port ${port} of service "${name}" is already in use on 127.0.0.1.`,
            `Stop what listens on ${port} (\`ss -ltnp 'sport = :${port}'\`) or ${
              this.opts.portVariables?.[String(port)] ? `set ${this.opts.portVariables[String(port)]} to a free port` : "change the service's port"
            }.`,
          );
        }
      }
    }
    output.line(`local driver: ${Object.keys(this.opts.services).length} services, state in ${this.opts.stateDir}`);
  }

  async down(opts: { volumes: boolean }, output: OutputSink): Promise<void> {
    this.downStarted = true;
    const running = [...this.running.values()];
    await Promise.all(
      running.map(async (svc) => {
        await svc.stop();
        output.line(`stopped ${svc.name}`);
      }),
    );
    this.running.clear();
    await this.killRecordedGroups(output);
    if (opts.volumes) {
      for (const [name, svc] of Object.entries(this.opts.services)) {
        for (const dir of svc.dataDirs) {
          const path = this.removable(dir, `data dir of service "${name}"`);
          rmSync(path, { recursive: true, force: true });
          output.line(`removed data dir of ${name}: ${path}`);
        }
      }
    }
  }

  async build(opts: { noCache: boolean }, output: OutputSink, signal?: AbortSignal): Promise<void> {
    const withBuild = Object.entries(this.opts.services).filter(([, svc]) => svc.build);
    if (withBuild.length === 0) output.line('no service declares a build');
    for (const [name, svc] of withBuild) {
      const build = svc.build as NonNullable<LocalServiceConfig['build']>;
      if (opts.noCache) {
        for (const out of build.outputs) {
          rmSync(this.removable(out, `build output of service "${name}"`, svc.cwd), { recursive: true, force: true });
          output.line(`no-cache: removed ${out}`);
        }
      }
      output.line(`building ${name}: ${typeof build.command === 'string' ? build.command : build.command.join(' ')}`);
      const started = this.clock.now();
      const { exitCode: code } = await runGroup(build.command, { cwd: this.cwdOf(svc), env: this.envFor(svc), output, signal, onGroup: this.trackGroup });
      signal?.throwIfAborted();
      if (code !== 0) throw new RgStepError(`Build of service "${name}" failed with exit code ${code}.`, { hint: 'Read the build output above.' });
      output.line(`built ${name} in ${formatDuration(this.clock.now() - started)}`);
    }
  }

  async up(output: OutputSink, signal?: AbortSignal): Promise<void> {
    this.downStarted = false;
    const order = topologicalOrder(this.opts.services);
    const started = new Map<string, Promise<void>>();
    const startOne = (name: string): Promise<void> => {
      const existing = started.get(name);
      if (existing) return existing;
      const config = this.opts.services[name] as LocalServiceConfig;
      const promise = (async () => {
        for (const [dep, condition] of Object.entries(config.dependsOn)) {
          await startOne(dep);
          if (condition !== 'started') await this.waitFor(dep, condition, output, signal);
        }
        // An interrupt, or a sibling's failure that already tore the stack down: start nothing more.
        signal?.throwIfAborted();
        if (this.downStarted) throw new RgStepError(`Not starting "${name}": the stack is being stopped.`);
        const svc = new LocalService(name, config, this.cwdOf(config), this.envFor(config), this.logFile(name), this.clock);
        svc.on('event', (event) => this.listeners.forEach((listener) => listener(event)));
        this.running.set(name, svc);
        svc.start();
        this.recordGroups();
        output.line(`started ${name} (pid ${svc.pgid ?? '?'})`);
      })();
      started.set(name, promise);
      return promise;
    };
    await Promise.all(order.map(startOne));
  }

  /** Set by down(): services still waiting for a dependency must not start after it. */
  private downStarted = false;

  async services(): Promise<ServiceStatus[]> {
    return Object.keys(this.opts.services).map(
      (name) =>
        this.running.get(name)?.status() ?? {
          name,
          state: 'created',
          health: 'none',
          restartCount: 0,
          oomKilled: false,
          exitCode: null,
          startedAt: null,
        },
    );
  }

  /** SIGKILL to the service's whole process group, as the OOM killer or a crash would end it. */
  async killService(service: string): Promise<void> {
    this.serviceConfig(service);
    const pgid = this.running.get(service)?.pgid;
    if (!pgid || !groupAlive(pgid)) throw new RgStepError(`Service "${service}" has no running process to kill.`, { hint: 'Check the ps log: the service is not running.' });
    process.kill(-pgid, 'SIGKILL');
  }

  async watch(onEvent: (event: StackEvent) => void): Promise<() => void> {
    this.listeners.add(onEvent);
    return () => this.listeners.delete(onEvent);
  }

  async exec(service: string, argv: string[], opts: ExecOptions): Promise<{ exitCode: number }> {
    const config = this.serviceConfig(service);
    const { exitCode } = await runGroup(argv, { cwd: this.cwdOf(config), env: { ...this.envFor(config), ...opts.env }, signal: opts.signal, output: opts.output, onGroup: this.trackGroup });
    return { exitCode };
  }

  async copyOut(service: string, path: string, dest: string): Promise<CopiedFile> {
    const config = this.serviceConfig(service);
    const source = isAbsolute(path) ? path : resolve(this.cwdOf(config), path);
    // Stat the source: a copy gets a fresh mtime. Services run on this host: one clock.
    const { mtime } = await stat(source);
    await copyFile(source, dest);
    return { mtime, at: new Date(this.clock.now()) };
  }

  async logs(service: string | undefined, opts: LogsOptions): Promise<void> {
    const names = service ? [service] : Object.keys(this.opts.services);
    for (const name of names) {
      this.serviceConfig(name);
      const file = this.logFile(name);
      if (!existsSync(file)) {
        opts.output.line(`${name} | (no log: the service never started)`);
        continue;
      }
      const prefix = service ? '' : `${name} | `;
      if (opts.tail !== undefined) {
        const lines = await readLastLines(file, opts.tail);
        if (lines.length > 0) opts.output.write(`${lines.map((line) => prefix + line).join('\n')}\n`);
      } else await copyLog(file, prefix, opts);
    }
  }

  async ps(): Promise<string> {
    const rows = (await this.services()).map((s) => [
      s.name,
      s.state,
      s.health,
      String(s.restartCount),
      s.exitCode === null ? '-' : String(s.exitCode),
      String(this.running.get(s.name)?.pgid ?? '-'),
      s.startedAt ? `${formatDuration(this.clock.now() - s.startedAt.getTime())} ago` : '-',
    ]);
    return formatTable(['NAME', 'STATE', 'HEALTH', 'RESTARTS', 'EXIT', 'PGID', 'STARTED'], rows);
  }

  async provenance(): Promise<StackProvenance> {
    const { localProvenance } = await import('./local-provenance.js');
    return localProvenance(this.opts.services, this.opts.baseDir);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // With --keep-up the services go on writing their logs: leave them and the processes be.
    if (this.running.size > 0) for (const svc of this.running.values()) svc.detach();
    else {
      rmSync(this.logsDir, { recursive: true, force: true });
      // Empty once `down` has stopped everything (it removes pids.json): nothing left in the temp
      // dir. A pid file of processes still to kill keeps the folder for the next run.
      removeEmptyDir(this.opts.stateDir);
    }
  }

  /**
   * The third signal: SIGKILL, synchronously, to every process group this driver started (the
   * services, a running build or exec) and to those recorded by an earlier run; the raw logs
   * (the gate's own) go. Data dirs are the project's: named with how to remove them, never
   * removed here.
   */
  abandon(): string[] {
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
    for (const svc of this.running.values()) if (svc.pgid !== null) kill(svc.pgid, `service ${svc.name}`);
    for (const pgid of this.commandGroups) kill(pgid, 'a running build or exec command');
    for (const entry of this.recordedGroups()) if (sameProcess(entry)) kill(entry.pgid, 'a process group recorded by an earlier run');
    // SIGKILL is sent, not yet done: exit only once they are gone, so nothing outlives the gate.
    for (const pgid of waitGroupsGoneSync([...killed], 2000)) lines.push(`process group ${pgid} still alive 2s after SIGKILL; check with \`ps -o pid,stat,args -g ${pgid}\``);
    for (const [name, svc] of Object.entries(this.opts.services)) {
      for (const dir of svc.dataDirs) {
        const path = this.resolvePath(dir);
        if (existsSync(path)) lines.push(`left the data dir of ${name}: ${path} (the next run's \`down\` with volumes removes it, or: rm -rf ${JSON.stringify(path)})`);
      }
    }
    rmSync(this.logsDir, { recursive: true, force: true });
    return lines;
  }

  /** Process groups of builds and execs running now (runGroup's onGroup). */
  private readonly commandGroups = new Set<number>();
  private readonly trackGroup = (pgid: number, alive: boolean): void => {
    if (alive) this.commandGroups.add(pgid);
    else this.commandGroups.delete(pgid);
  };

  /** The groups pids.json records; none when it is absent or unreadable. */
  private recordedGroups(): RecordedGroup[] {
    const file = join(this.opts.stateDir, PIDS_FILE);
    try {
      const entries: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return Array.isArray(entries) ? entries.filter(isRecordedGroup) : [];
    } catch {
      // Absent (nothing started yet) or half-written: the running map still has the services.
      return [];
    }
  }

  /** Waits for a dependency's condition; reacts to its events instead of polling blindly. */
  private async waitFor(name: string, condition: 'healthy' | 'completed', output: OutputSink, signal?: AbortSignal): Promise<void> {
    const svc = this.running.get(name);
    if (!svc || (condition === 'healthy' && !this.opts.services[name]?.healthcheck)) return;
    output.line(`waiting for ${name} to be ${condition}`);
    // A dependency that crashes and is restarted by its policy never shows "exited" for long:
    // a restart during the wait ends it at once (Boot fails on any restart anyway), not 600 s later.
    const restartsBefore = svc.status().restartCount;
    const outcome = await waitFor(
      async () => {
        const status = svc.status();
        const restarted = status.restartCount > restartsBefore;
        if (condition === 'completed') {
          const done = status.state === 'exited';
          return { done: done && status.exitCode === 0, stop: done || restarted, value: status };
        }
        const dead = status.health === 'unhealthy' || status.state === 'exited' || restarted;
        return { done: status.health === 'healthy', stop: dead, value: status };
      },
      {
        // Beyond its own retry budget plus a margin the service will never get there.
        timeoutMs: 600_000,
        intervalMs: 250,
        clock: this.clock,
        signal,
        wake: (wake) => {
          svc.on('event', wake);
          return () => svc.off('event', wake);
        },
      },
    );
    if (outcome.ok) return;
    const status = outcome.last ?? svc.status();
    const restarts = status.restartCount - restartsBefore;
    const what =
      restarts > 0
        ? `crash-looping (restarted ${restarts}× before it was ${condition}, last ${describeExit(status.exitCode)})`
        : status.state === 'exited'
          ? `exited (${describeExit(status.exitCode)})`
          : status.health === 'unhealthy'
            ? 'unhealthy'
            : `not ${condition} after 600s`;
    throw new RgStepError(`Service "${name}" is ${what}; its dependants cannot start.`, { hint: `Read its log: ${this.logFile(name)}` });
  }

  private serviceConfig(name: string): LocalServiceConfig {
    const config = this.opts.services[name];
    if (!config) throw new RgStepError(`Unknown service "${name}"; declared: ${Object.keys(this.opts.services).join(', ')}.`);
    return config;
  }

  private envFor(config: LocalServiceConfig): NodeJS.ProcessEnv {
    return { ...process.env, ...this.opts.env, ...config.env };
  }

  /** The service's working directory, resolved against the project root. */
  private cwdOf(config: LocalServiceConfig): string {
    return this.resolvePath(config.cwd ?? '.');
  }

  /**
   * The path to remove, judged again right before rm (the load checked it already): a symlink
   * created during the run must not lead the removal out of the project root.
   */
  private removable(value: string, what: string, serviceCwd?: string): string {
    const judged = confinedPath(value, { base: this.resolvePath(serviceCwd ?? '.'), root: this.opts.baseDir });
    if (judged.problem !== null) {
      throw new RgStepError(`Refused to remove the ${what}: ${JSON.stringify(value)} → ${judged.path} ${judged.problem}.`, {
        hint: `Only paths strictly inside the project root ${this.opts.baseDir} are removed; nothing was deleted.`,
      });
    }
    return judged.path;
  }

  private resolvePath(path: string, serviceCwd?: string): string {
    return resolve(this.opts.baseDir, serviceCwd ?? '.', path);
  }

  private logFile(name: string): string {
    return join(this.logsDir, `${name}.log`);
  }

  private recordGroups(): void {
    const groups: RecordedGroup[] = [];
    for (const svc of this.running.values()) {
      const start = svc.pgid === null ? null : processStartTime(svc.pgid);
      if (svc.pgid !== null && start !== null) groups.push({ pgid: svc.pgid, start });
    }
    writeFileSync(join(this.opts.stateDir, PIDS_FILE), JSON.stringify(groups));
  }

  /** Kills process groups a previous, interrupted run recorded and could not stop. */
  private async killRecordedGroups(output: OutputSink): Promise<void> {
    const file = join(this.opts.stateDir, PIDS_FILE);
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
    for (const name of readdirSync(this.opts.stateDir)) {
      const path = join(this.opts.stateDir, name);
      if (name.startsWith('logs-') && path !== this.logsDir) rmSync(path, { recursive: true, force: true });
    }
  }
}

function topologicalOrder(services: Record<string, LocalServiceConfig>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new RgStepError(`dependsOn cycle: ${[...chain, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) visit(dep, [...chain, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return order;
}


/**
 * Streams a whole service log into the output in big chunks (the step log splits the lines),
 * prefixed per line when several services share the output, waiting whenever the output's
 * file is behind (backpressure): a 512 MiB log never sits in memory.
 */
async function copyLog(file: string, prefix: string, opts: LogsOptions): Promise<void> {
  let lastChar = '\n';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024, ...(opts.signal ? { signal: opts.signal } : {}) })) {
    const text = chunk as string;
    if (text.length === 0) continue;
    // A prefix goes after every newline, and at the chunk's start when the previous one ended a line.
    const body = prefix ? `${lastChar === '\n' ? prefix : ''}${text.replace(/\n(?=.)/gs, `\n${prefix}`)}` : text;
    lastChar = text[text.length - 1] as string;
    if (opts.output.write(body) === false) await opts.output.drained?.();
  }
  // A last line without its newline must not run into the next service's first line.
  if (lastChar !== '\n') opts.output.write('\n');
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
