import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { ServiceStatus, StackDriver, StackEvent } from '../drivers/stack-driver.js';

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
  /** `0 restarts, 0 exits, 0 OOM, 0 unhealthy over 180s` */
  detail: string;
}

/**
 * Watches the stack from the moment it comes up, so a crash during the health waits counts
 * too. Combines the driver's event stream (what happened, when) with restart counters read at
 * the end (a container that crashed and came back shows "Up" but its RestartCount moved).
 */
export class StabilityMonitor {
  private readonly events: StackEvent[] = [];
  private unsubscribe: (() => void) | null = null;
  private baseline = new Map<string, ServiceStatus>();
  readonly startedAt: number;

  private constructor(
    private readonly driver: StackDriver,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  static async start(driver: StackDriver, clock: Clock = systemClock): Promise<StabilityMonitor> {
    const monitor = new StabilityMonitor(driver, clock);
    monitor.unsubscribe = await driver.watch((event) => monitor.events.push(event));
    return monitor;
  }

  /** Services as first seen: their restart counters are the baseline. Call before up (without up: when watching starts). */
  async snapshotBaseline(): Promise<void> {
    for (const status of await this.driver.services()) this.baseline.set(status.name, status);
  }

  eventsSoFar(): readonly StackEvent[] {
    return this.events;
  }

  /** Judges everything seen since the stack came up, plus the services' state now. */
  async judge(windowMs: number): Promise<StabilityVerdict> {
    const problems: Instability[] = [];
    const counted = { restarts: 0, exits: 0, oom: 0, unhealthy: 0 };
    const restartsByEvents = new Map<string, number>();
    for (const event of this.events) {
      if (event.kind === 'die') {
        counted.exits++;
        problems.push({ at: event.at, service: event.service, what: `exited with code ${event.exitCode ?? '?'}` });
      } else if (event.kind === 'restart') {
        restartsByEvents.set(event.service, (restartsByEvents.get(event.service) ?? 0) + 1);
        problems.push({ at: event.at, service: event.service, what: `restarted${event.detail ? ` (${event.detail})` : ''}` });
      } else if (event.kind === 'oom') {
        counted.oom++;
        problems.push({ at: event.at, service: event.service, what: 'killed by the OOM killer' });
      } else if (event.kind === 'health' && event.health === 'unhealthy') {
        counted.unhealthy++;
        problems.push({ at: event.at, service: event.service, what: 'turned unhealthy' });
      }
    }
    const now = new Date(this.clock.now());
    for (const status of await this.driver.services()) {
      const base = this.baseline.get(status.name)?.restartCount ?? 0;
      const byCounter = status.restartCount - base;
      const byEvents = restartsByEvents.get(status.name) ?? 0;
      // The counter is the ground truth: events may be missed, counters are not.
      counted.restarts += Math.max(byCounter, byEvents);
      if (byCounter > byEvents) problems.push({ at: now, service: status.name, what: `restart count rose by ${byCounter}` });
      if (status.oomKilled && !problems.some((p) => p.service === status.name && p.what.includes('OOM'))) {
        counted.oom++;
        problems.push({ at: now, service: status.name, what: 'OOMKilled' });
      }
      if (status.state !== 'running' && !problems.some((p) => p.service === status.name)) {
        counted.exits++;
        problems.push({ at: now, service: status.name, what: `is ${status.state}${status.exitCode === null ? '' : ` (exit ${status.exitCode})`}` });
      }
      if (status.health === 'unhealthy' && !problems.some((p) => p.service === status.name && p.what.includes('unhealthy'))) {
        counted.unhealthy++;
        problems.push({ at: now, service: status.name, what: 'is unhealthy' });
      }
    }
    const passed = problems.length === 0;
    const seconds = Math.round(windowMs / 1000);
    const summary = `${counted.restarts} restarts, ${counted.exits} exits, ${counted.oom} OOM, ${counted.unhealthy} unhealthy over ${seconds}s`;
    const services = [...new Set(problems.map((p) => p.service))];
    return {
      passed,
      ...counted,
      problems,
      detail: passed ? summary : `${summary} (${services.join(', ')})`,
    };
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
