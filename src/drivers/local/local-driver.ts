import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { systemClock, type Clock } from '../../common/clock.js';
import { confinedPath } from '../../common/confined-path.js';
import { formatDuration } from '../../common/duration.js';
import { readLastLines } from '../../common/read-last-lines.js';
import { RgEnvironmentError, RgStepError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import type { LocalServiceConfig } from './local-service-config.js';
import { portFree } from '../../common/ports.js';
import { groupAlive, runGroup } from '../../common/process-group.js';
import type { CopiedFile, ExecOptions, LogsOptions, ServiceStatus, ServiceStop, ServiceUsage, StackDriver, StackEvent, StackProvenance, StackRelease } from '../../model/stack.js';
import { stopLevels } from '../../common/stop-order.js';
import { LocalService } from './local-service.js';
import { removeEmptyDir } from '../../common/remove-empty-dir.js';
import { waitForDependency } from './dependency-wait.js';
import { LocalProcessGroups } from './local-process-groups.js';
import { ProcessGroupUsage } from './process-group-usage.js';
import { copyLog, formatTable } from './local-logs.js';
import { startOrder } from './start-order.js';

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
  private readonly groups: LocalProcessGroups;
  private readonly usageSampler = new ProcessGroupUsage();

  constructor(private readonly opts: LocalDriverOptions) {
    this.clock = opts.clock ?? systemClock;
    mkdirSync(opts.stateDir, { recursive: true });
    this.groups = new LocalProcessGroups(opts.stateDir, this.clock);
    this.logsDir = mkdtempSync(join(opts.stateDir, 'logs-'));
  }

  async preflight(output: OutputSink): Promise<void> {
    // What an interrupted or --keep-up run left would hold the ports: this driver cannot adopt
    // processes of another run, so it stops them first.
    await this.groups.killRecorded(output, this.logsDir);
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
    await this.groups.killRecorded(output, this.logsDir);
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
      const { exitCode: code } = await runGroup(build.command, { cwd: this.cwdOf(svc), env: this.envFor(svc), output, signal, onGroup: this.groups.track });
      signal?.throwIfAborted();
      if (code !== 0) throw new RgStepError(`Build of service "${name}" failed with exit code ${code}.`, { hint: 'Read the build output above.' });
      output.line(`built ${name} in ${formatDuration(this.clock.now() - started)}`);
    }
  }

  async up(output: OutputSink, signal?: AbortSignal, release?: StackRelease): Promise<void> {
    if (Object.keys(release?.images ?? {}).length > 0) {
      throw new RgStepError('The local driver runs processes, not images: a release given by `images:` cannot start here.', {
        hint: 'Give the previous release as `env:` (a switch the build understands) on local processes, or use the compose driver.',
      });
    }
    this.releaseEnv = release?.env ?? {};
    if (release?.env) output.line(`release variables: ${Object.keys(release.env).join(', ')}`);
    this.downStarted = false;
    const order = startOrder(this.opts.services);
    const started = new Map<string, Promise<void>>();
    const startOne = (name: string): Promise<void> => {
      const existing = started.get(name);
      if (existing) return existing;
      const config = this.opts.services[name] as LocalServiceConfig;
      const promise = (async () => {
        for (const [dep, condition] of Object.entries(config.dependsOn)) {
          await startOne(dep);
          if (condition !== 'started') await this.waitForDependency(dep, condition, output, signal);
        }
        // An interrupt, or a sibling's failure that already tore the stack down: start nothing more.
        signal?.throwIfAborted();
        if (this.downStarted) throw new RgStepError(`Not starting "${name}": the stack is being stopped.`);
        const svc = new LocalService(name, config, this.cwdOf(config), this.envFor(config), this.logFile(name), this.clock);
        svc.on('event', (event) => this.listeners.forEach((listener) => listener(event)));
        this.running.set(name, svc);
        svc.start();
        this.groups.record(this.running.values());
        output.line(`started ${name} (pid ${svc.pgid ?? '?'})`);
      })();
      started.set(name, promise);
      return promise;
    };
    await Promise.all(order.map(startOne));
  }

  /** Set by down(): services still waiting for a dependency must not start after it. */
  private downStarted = false;
  /** The release `up` started (over every service's and exec's env) until the next `up`. */
  private releaseEnv: Record<string, string> = {};

  async usage(): Promise<ServiceUsage[]> {
    const groups = new Map<string, number>();
    for (const [name, svc] of this.running) if (svc.pgid !== null) groups.set(name, svc.pgid);
    return this.usageSampler.sample(groups, this.clock.now());
  }

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

  /**
   * The Shutdown check: each service's stop signal (`stopSignal`, SIGTERM) to its process group,
   * dependents first, one level at once; SIGKILL after its `stopGracePeriod`. A service never
   * started (or gone) is reported not running.
   */
  async stopGracefully(output: OutputSink, signal?: AbortSignal): Promise<ServiceStop[]> {
    const stops: ServiceStop[] = [];
    const deps = Object.fromEntries(Object.entries(this.opts.services).map(([name, config]) => [name, Object.keys(config.dependsOn)]));
    for (const level of stopLevels(deps)) {
      signal?.throwIfAborted();
      output.line(`stopping ${level.join(', ')}`);
      const stopped = await Promise.all(
        level.map(async (name): Promise<ServiceStop> => {
          const svc = this.running.get(name);
          if (svc) return svc.stopGracefully();
          const config = this.serviceConfig(name);
          return { service: name, signal: config.stopSignal, graceMs: config.stopGracePeriod, running: false, exitCode: null, stopMs: 0, killed: false, ...(config.oneShot ? { oneShot: true } : {}) };
        }),
      );
      stops.push(...stopped);
    }
    return stops;
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
    const { exitCode } = await runGroup(argv, { cwd: this.cwdOf(config), env: { ...this.envFor(config), ...opts.env }, signal: opts.signal, output: opts.output, onGroup: this.groups.track });
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
    const lines = this.groups.killAllSync(this.running.values());
    for (const [name, svc] of Object.entries(this.opts.services)) {
      for (const dir of svc.dataDirs) {
        const path = this.resolvePath(dir);
        if (existsSync(path)) lines.push(`left the data dir of ${name}: ${path} (the next run's \`down\` with volumes removes it, or: rm -rf ${JSON.stringify(path)})`);
      }
    }
    rmSync(this.logsDir, { recursive: true, force: true });
    return lines;
  }

  /** Waits for a dependency's condition (dependency-wait.ts); a service without a healthcheck counts as healthy once started. */
  private async waitForDependency(name: string, condition: 'healthy' | 'completed', output: OutputSink, signal?: AbortSignal): Promise<void> {
    const svc = this.running.get(name);
    if (!svc || (condition === 'healthy' && !this.opts.services[name]?.healthcheck)) return;
    await waitForDependency(svc, condition, { clock: this.clock, output, signal, logFile: this.logFile(name) });
  }

  private serviceConfig(name: string): LocalServiceConfig {
    const config = this.opts.services[name];
    if (!config) throw new RgStepError(`Unknown service "${name}"; declared: ${Object.keys(this.opts.services).join(', ')}.`);
    return config;
  }

  private envFor(config: LocalServiceConfig): NodeJS.ProcessEnv {
    return { ...process.env, ...this.opts.env, ...config.env, ...this.releaseEnv };
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
}
