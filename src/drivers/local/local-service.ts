import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Clock } from '../../common/clock.js';
import { credentialFetch } from '../../common/credential-fetch.js';
import { parseDuration } from '../../common/duration.js';
import { exitCodeForSignal } from '../../common/exit-code.js';
import type { LocalServiceConfig } from './local-service-config.js';
import { groupAlive, killGroup, onChildExit, runGroup, signalGroup, spawnGroup, toArgv } from '../../common/process-group.js';
import type { HealthState, ServiceState, ServiceStatus, ServiceStop, StackEvent } from '../../model/stack.js';

/** How often a judged stop looks whether the service's process group is gone. */
const GROUP_POLL_MS = 50;

/** Delay before a policy restart, like Docker's first backoff step. */
const RESTART_DELAY_MS = 500;

/** Probe period of a service not yet healthy (capped by its interval). */
const STARTING_PROBE_MS = 100;

/**
 * One service of the local driver: a supervised process group with a restart policy, a
 * healthcheck loop and a log file. Emits StackEvents as things happen.
 */
export class LocalService extends EventEmitter<{ event: [StackEvent] }> {
  private child: ChildProcess | null = null;
  private state: ServiceState = 'created';
  private health: HealthState;
  private restartCount = 0;
  private exitCode: number | null = null;
  private startedAt: Date | null = null;
  private stopping = false;
  /** A judged stop (stopGracefully) owns the process group until its grace ends. */
  private judgingStop = false;
  private healthTimer: NodeJS.Timeout | null = null;
  /** Failed probing in a row, in ms of interval: `retries` failures at the full interval. */
  private failingMs = 0;
  /** The service's log file: the child writes to it directly, so it can outlive us (--keep-up). */
  private logFd: number | null = null;
  private probeAbort: AbortController | null = null;
  private lastProbeError = '';

  constructor(
    readonly name: string,
    private readonly config: LocalServiceConfig,
    readonly cwd: string,
    readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    private readonly clock: Clock,
  ) {
    super();
    this.health = config.healthcheck ? 'starting' : 'none';
  }

  get pgid(): number | null {
    return this.child?.pid ?? null;
  }

  status(): ServiceStatus {
    return {
      name: this.name,
      state: this.state,
      health: this.health,
      restartCount: this.restartCount,
      oomKilled: false,
      exitCode: this.exitCode,
      startedAt: this.startedAt,
      ...(this.config.oneShot ? { oneShot: true } : {}),
    };
  }

  start(): void {
    this.stopping = false;
    this.judgingStop = false;
    this.logFd ??= openSync(this.logFile, 'a');
    this.spawn();
    this.startHealthLoop();
  }

  /** Stops the service and everything its process started. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopHealthLoop();
    const child = this.child;
    if (child?.pid) await killGroup(child.pid, 5000, this.clock, onChildExit(child));
    if (this.state !== 'created') this.state = 'exited';
    if (this.logFd !== null) closeSync(this.logFd);
    this.logFd = null;
  }

  /**
   * The Shutdown check: the service's stop signal to its process group, its grace period for the
   * whole group to exit, then SIGKILL. The whole group, not its leader: a `sh -c` or a script that
   * does not `exec` its server dies at once on SIGTERM while the server ignores it. No policy
   * restart follows (`stopping`). The log file stays open: `down` closes it.
   */
  async stopGracefully(): Promise<ServiceStop> {
    const signal = this.config.stopSignal as NodeJS.Signals;
    const graceMs = this.config.stopGracePeriod;
    const base = { service: this.name, signal, graceMs, ...(this.config.oneShot ? { oneShot: true } : {}) };
    this.stopping = true;
    this.stopHealthLoop();
    const child = this.child;
    const pgid = child?.pid;
    if (!child || pgid === undefined || this.state !== 'running' || child.exitCode !== null || child.signalCode !== null) {
      if (this.state !== 'created') this.state = 'exited';
      return { ...base, running: false, exitCode: this.exitCode, stopMs: 0, killed: false };
    }
    // 'close' listeners run in order: onExit (registered at spawn) has set exitCode by then.
    let leaderGone = false;
    const exited = new Promise<void>((resolveExit) =>
      child.once('close', () => {
        leaderGone = true;
        resolveExit();
      }),
    );
    // The group is this stop's to judge: onExit must not kill what the leader left behind.
    this.judgingStop = true;
    const started = this.clock.now();
    this.writeLog(`[release-gate] stopping: ${signal} to process group ${pgid}, grace ${graceMs}ms`);
    signalGroup(pgid, signal);
    let stoppedAt = 0;
    while (this.clock.now() - started < graceMs) {
      if (leaderGone && !groupAlive(pgid)) {
        stoppedAt = this.clock.now();
        break;
      }
      await this.clock.sleep(Math.min(GROUP_POLL_MS, Math.max(1, graceMs - (this.clock.now() - started)))).catch(() => undefined);
    }
    const inTime = stoppedAt > 0;
    if (!inTime) {
      this.writeLog(`[release-gate] ${leaderGone ? 'processes of its group still' : 'still'} running ${graceMs}ms after ${signal}: SIGKILL`);
      signalGroup(pgid, 'SIGKILL');
      await exited;
      stoppedAt = this.clock.now();
    }
    this.state = 'exited';
    // Killed after its grace, the service exits 137 whatever its leader (a shell) said before.
    return { ...base, running: true, exitCode: inTime ? this.exitCode : 137, stopMs: stoppedAt - started, killed: !inTime };
  }

  /** Lets this process exit while the service keeps running (--keep-up). */
  detach(): void {
    this.stopping = true;
    this.stopHealthLoop();
    this.child?.unref();
    if (this.logFd !== null) closeSync(this.logFd);
    this.logFd = null;
  }

  private spawn(): void {
    const out = this.logFd ?? 'ignore';
    const child = spawnGroup(this.config.command, { cwd: this.cwd, env: this.env, stdio: ['ignore', out, out] });
    this.child = child;
    this.state = 'running';
    this.startedAt = new Date(this.clock.now());
    this.writeLog(`[release-gate] started ${toArgv(this.config.command).join(' ')} (pid ${child.pid ?? '?'})`);
    this.emit('event', { at: this.startedAt, service: this.name, kind: 'start' });
    child.once('error', (err) => this.writeLog(`[release-gate] cannot start: ${err.message}`));
    child.once('close', (code, signal) => this.onExit(child, code, signal));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const exitCode = code ?? (signal ? exitCodeForSignal(signal) : 1);
    this.exitCode = exitCode;
    this.writeLog(`[release-gate] exited with code ${exitCode}${signal ? ` (${signal})` : ''}`);
    // The leader is gone: nothing of its group may outlive it (during a judged stop, that stop kills it after the grace).
    if (!this.judgingStop && child.pid && groupAlive(child.pid)) void killGroup(child.pid, 1000, this.clock).catch((err: Error) => this.writeLog(`[release-gate] ${err.message}`));
    if (this.stopping) return;
    this.emit('event', { at: new Date(this.clock.now()), service: this.name, kind: 'die', exitCode });
    const policy = this.config.restart;
    if (policy === 'always' || (policy === 'on-failure' && exitCode !== 0)) {
      this.state = 'restarting';
      setTimeout(() => {
        if (this.stopping) return;
        this.restartCount++;
        this.emit('event', {
          at: new Date(this.clock.now()),
          service: this.name,
          kind: 'restart',
          detail: `restart #${this.restartCount} after exit ${exitCode}`,
        });
        if (this.config.healthcheck) this.setHealth('starting');
        this.failingMs = 0;
        this.spawn();
      }, RESTART_DELAY_MS).unref();
    } else {
      this.state = 'exited';
    }
  }

  private startHealthLoop(): void {
    const check = this.config.healthcheck;
    if (!check) return;
    const interval = parseDuration(check.interval) ?? 1000;
    const timeout = parseDuration(check.timeout) ?? 5000;
    const startPeriod = parseDuration(check.startPeriod) ?? 0;
    const tick = async () => {
      if (this.stopping) return;
      // Until the first success, probe every 100 ms (a ready service is seen at once); each
      // failure then counts for its share of an interval, so a failing service still gets
      // retries × interval before it is unhealthy.
      const delay = this.health === 'starting' ? Math.min(interval, STARTING_PROBE_MS) : interval;
      if (this.state === 'running') {
        this.probeAbort = new AbortController();
        const ok = await this.probe(check, timeout, this.probeAbort.signal);
        if (this.stopping) return;
        if (ok) {
          this.failingMs = 0;
          this.setHealth('healthy');
        } else {
          const inStartPeriod = this.startedAt !== null && this.clock.now() - this.startedAt.getTime() < startPeriod;
          if (!inStartPeriod) this.failingMs += delay;
          if (this.failingMs >= check.retries * interval) this.setHealth('unhealthy');
        }
      }
      this.healthTimer = setTimeout(() => void tick(), this.health === 'starting' ? Math.min(interval, STARTING_PROBE_MS) : interval);
      this.healthTimer.unref();
    };
    void tick();
  }

  private stopHealthLoop(): void {
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = null;
    this.probeAbort?.abort();
  }

  private async probe(check: NonNullable<LocalServiceConfig['healthcheck']>, timeoutMs: number, abort: AbortSignal): Promise<boolean> {
    const signal = AbortSignal.any([abort, AbortSignal.timeout(timeoutMs)]);
    try {
      if (check.http) {
        const response = await credentialFetch(check.http, { signal });
        await response.body?.cancel();
        return response.status >= 200 && response.status < 300;
      }
      const { exitCode } = await runGroup(check.command as string | string[], { cwd: this.cwd, env: this.env, signal });
      return exitCode === 0;
    } catch (err) {
      // A refused connection or a timeout is an ordinary failed probe; the count is the evidence,
      // the reason goes to the service log once it turns unhealthy.
      this.lastProbeError = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      return false;
    }
  }

  private setHealth(health: HealthState): void {
    if (this.health === health) return;
    this.health = health;
    this.writeLog(`[release-gate] health: ${health}${health === 'unhealthy' && this.lastProbeError ? ` (last probe: ${this.lastProbeError})` : ''}`);
    this.emit('event', { at: new Date(this.clock.now()), service: this.name, kind: 'health', health });
  }

  /** The supervisor's own lines (starts, exits, health turns), timestamped, between the child's. */
  private writeLog(line: string): void {
    if (this.logFd !== null) writeSync(this.logFd, `${new Date(this.clock.now()).toISOString()} ${line}\n`);
  }
}
