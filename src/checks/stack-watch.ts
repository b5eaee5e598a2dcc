import type { Clock } from '../common/clock.js';
import type { ServiceStatus, StackDriver, StackEvent } from '../model/stack.js';
import { judgeStability, problemOf, type Instability, type StabilityInput, type StabilityVerdict } from './stability-verdict.js';

export type { Instability, StabilityVerdict } from './stability-verdict.js';

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
    return problemOf(event, this.oneShot);
  }

  /** Judges everything seen since the watch started, plus the services' state now. */
  async judge(window?: { ms: number; observedMs: number } | null): Promise<StabilityVerdict> {
    return (await this.judgeWithEvidence(window)).verdict;
  }

  /** The verdict and the plain-JSON evidence it was judged from (re-judged by `selftest`). */
  async judgeWithEvidence(window?: { ms: number; observedMs: number } | null): Promise<{ verdict: StabilityVerdict; input: StabilityInput }> {
    const services = await this.driver.services();
    for (const status of services) if (status.oneShot) this.oneShot.add(status.name);
    const input: StabilityInput = {
      events: this.events.map((e) => ({ ...e, at: e.at.toISOString() })),
      baseline: Object.fromEntries([...this.baseline].map(([name, status]) => [name, status.restartCount])),
      oneShot: [...this.oneShot],
      services: services.map((s) => ({ ...s, startedAt: s.startedAt ? s.startedAt.toISOString() : null })),
      at: new Date(this.clock.now()).toISOString(),
      observedMs: this.clock.now() - this.startedAt,
      ...(window === undefined ? {} : { window }),
    };
    return { verdict: judgeStability(input), input };
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.listeners.clear();
  }
}

/** One event as a log line. */
export function formatEvent(event: StackEvent): string {
  return `event ${event.at.toISOString()} ${event.service} ${event.kind}${event.health ? ` ${event.health}` : ''}${event.exitCode === undefined ? '' : ` exit=${event.exitCode}`}${event.signal === undefined ? '' : ` signal=${event.signal}`}${event.detail ? ` (${event.detail})` : ''}`;
}
