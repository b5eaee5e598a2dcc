import type { Clock } from '../common/clock.js';
import { describeExit } from '../common/exit-code.js';
import type { ServiceStatus, StackDriver, StackEvent } from '../model/stack.js';

/** One thing that breaks stability, with when and which service. */
export interface Instability {
  at: Date;
  service: string;
  what: string;
}

export interface StabilityVerdict {
  passed: boolean;
  restarts: number;
  exits: number;
  oom: number;
  unhealthy: number;
  problems: Instability[];
  /** How long the stack was watched, from `up` to the verdict. */
  observedMs: number;
  /** `0 restarts, 0 exits, 0 OOM, 0 unhealthy over 183s` */
  detail: string;
}

/**
 * Watches the stack for the whole run: from just before `up` to the final verdict. Combines
 * the driver's event stream (what happened, when) with restart counters (a container that
 * crashed and came back shows "Up", but its RestartCount moved). One-shot services (a
 * migration job) are judged by their exit code: exiting 0 is what they are for.
 */
export class StackWatch {
  private readonly events: StackEvent[] = [];
  private readonly listeners = new Set<(event: StackEvent) => void>();
  private unsubscribe: (() => void) | null = null;
  private readonly baseline = new Map<string, ServiceStatus>();
  private readonly oneShot = new Set<string>();
  readonly startedAt: number;

  private constructor(
    private readonly driver: StackDriver,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /**
   * Subscribes, then takes the restart counters' baseline: before `up`, so a policy restart
   * while compose waits for a dependency counts too.
   */
  static async start(driver: StackDriver, clock: Clock): Promise<StackWatch> {
    const watch = new StackWatch(driver, clock);
    watch.unsubscribe = await driver.watch((event) => {
      watch.events.push(event);
      for (const listener of watch.listeners) listener(event);
    });
    for (const status of await driver.services()) {
      watch.baseline.set(status.name, status);
      if (status.oneShot) watch.oneShot.add(status.name);
    }
    return watch;
  }

  /** Calls listener for every event from now on (streaming logs, waking waits); returns the unsubscribe. */
  onEvent(listener: (event: StackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  eventsSoFar(): readonly StackEvent[] {
    return this.events;
  }

  /** Restarts of a service since the baseline, by its counter. */
  restartsSince(status: ServiceStatus): number {
    return Math.max(0, status.restartCount - (this.baseline.get(status.name)?.restartCount ?? 0));
  }

  isOneShot(service: string): boolean {
    return this.oneShot.has(service);
  }

  /** Problems seen in the event stream so far (cheap, no driver call). */
  problemsSoFar(): Instability[] {
    const problems: Instability[] = [];
    for (const event of this.events) {
      const problem = this.problemOf(event);
      if (problem) problems.push(problem);
    }
    return problems;
  }

  /** Problems whose time lies in [from − slack, to]: what may have caused a step to fail. */
  problemsBetween(from: number, to: number, slackMs = 5000): Instability[] {
    return this.problemsSoFar().filter((p) => p.at.getTime() >= from - slackMs && p.at.getTime() <= to);
  }

  private problemOf(event: StackEvent): Instability | null {
    switch (event.kind) {
      case 'die':
        if (this.oneShot.has(event.service) && event.exitCode === 0) return null;
        return { at: event.at, service: event.service, what: `exited (${describeExit(event.exitCode ?? null)})` };
      case 'restart':
        return { at: event.at, service: event.service, what: `restarted${event.detail ? ` (${event.detail})` : ''}` };
      case 'oom':
        return { at: event.at, service: event.service, what: 'killed by the OOM killer' };
      case 'health':
        return event.health === 'unhealthy' ? { at: event.at, service: event.service, what: 'turned unhealthy' } : null;
      default:
        return null;
    }
  }

  /** Judges everything seen since the watch started, plus the services' state now. */
  async judge(): Promise<StabilityVerdict> {
    const problems = this.problemsSoFar();
    const counted = { restarts: 0, exits: 0, oom: 0, unhealthy: 0 };
    const restartsByEvents = new Map<string, number>();
    for (const event of this.events) {
      if (event.kind === 'restart') restartsByEvents.set(event.service, (restartsByEvents.get(event.service) ?? 0) + 1);
    }
    for (const problem of problems) {
      if (problem.what.startsWith('exited')) counted.exits++;
      else if (problem.what.includes('OOM')) counted.oom++;
      else if (problem.what.includes('unhealthy')) counted.unhealthy++;
    }
    const now = new Date(this.clock.now());
    const has = (service: string, text: string) => problems.some((p) => p.service === service && p.what.includes(text));
    for (const status of await this.driver.services()) {
      if (status.oneShot) this.oneShot.add(status.name);
      const byCounter = this.restartsSince(status);
      const byEvents = restartsByEvents.get(status.name) ?? 0;
      // The counter is the ground truth: events may be missed, counters are not.
      counted.restarts += Math.max(byCounter, byEvents);
      if (byCounter > byEvents) problems.push({ at: now, service: status.name, what: `restart count rose by ${byCounter} (${this.baseline.get(status.name)?.restartCount ?? 0} → ${status.restartCount})` });
      if (status.oomKilled && !has(status.name, 'OOM')) {
        counted.oom++;
        problems.push({ at: now, service: status.name, what: 'OOMKilled' });
      }
      const finishedOneShot = status.oneShot && status.state === 'exited' && status.exitCode === 0;
      if (status.state === 'created' && !problems.some((p) => p.service === status.name)) {
        // Never started (its dependency never got healthy): not stable, but not an exit either.
        problems.push({ at: now, service: status.name, what: 'never started' });
      } else if (status.state !== 'running' && !finishedOneShot && !problems.some((p) => p.service === status.name)) {
        counted.exits++;
        problems.push({ at: now, service: status.name, what: `is ${status.state}${status.exitCode === null ? '' : ` (${describeExit(status.exitCode)})`}` });
      }
      if (status.health === 'unhealthy' && !has(status.name, 'unhealthy')) {
        counted.unhealthy++;
        problems.push({ at: now, service: status.name, what: 'is unhealthy' });
      }
    }
    const observedMs = this.clock.now() - this.startedAt;
    const passed = problems.length === 0;
    const summary = `${counted.restarts} restarts, ${counted.exits} exits, ${counted.oom} OOM, ${counted.unhealthy} unhealthy over ${Math.round(observedMs / 1000)}s`;
    const services = [...new Set(problems.map((p) => p.service))];
    return { passed, ...counted, problems, observedMs, detail: passed ? summary : `${summary} (${services.join(', ')})` };
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.listeners.clear();
  }
}

/** One event as a log line. */
export function formatEvent(event: StackEvent): string {
  return `event ${event.at.toISOString()} ${event.service} ${event.kind}${event.health ? ` ${event.health}` : ''}${event.exitCode === undefined ? '' : ` exit=${event.exitCode}`}${event.detail ? ` (${event.detail})` : ''}`;
}
