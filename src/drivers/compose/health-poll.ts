import type Docker from 'dockerode';
import type { HealthState, StackEvent } from '../../model/stack.js';
import { mapHealth } from './container-status.js';

/** Every 2 s: one list call for the whole project (an inspect only for a paused container). */
export const HEALTH_POLL_MS = 2000;

/** A container as one list call shows it. */
export interface ListedContainer {
  id: string;
  /** Container name (what engine events carry as `name`). */
  name: string;
  service: string;
  /** Engine state: running, paused, exited… */
  state: string;
  /** Health read from the list's status text; null when the list cannot tell (a paused container). */
  health: HealthState | null;
}

/** `Up 5 minutes (unhealthy)` → unhealthy; `(health: starting)` → starting; `(Paused)` → null; no health → none. */
export function healthFromStatus(status: string): HealthState | null {
  if (/\(Paused\)/i.test(status)) return null;
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!m) return 'none';
  return m[1] === 'health: starting' ? 'starting' : mapHealth(m[1]);
}

/**
 * Health as last known per container, from events and polls. Docker turns a paused container
 * unhealthy without any event (moby daemon/container/health.go: the failed probe updates the
 * state, the event is only sent on some paths): a change the poll sees that no event told
 * becomes an event of its own, marked as read by poll.
 */
export class HealthPoll {
  private readonly known = new Map<string, HealthState>();

  /** An engine event: what it says about health is known, no poll event needed for it. */
  noteEvent(event: StackEvent): void {
    if (event.kind === 'health' && event.health && event.detail) this.known.set(event.detail, event.health);
  }

  /** Events for the health changes no event told; the first sight of a container is recorded, reported only if unhealthy. */
  diff(containers: readonly { name: string; service: string; health: HealthState }[], at: Date): StackEvent[] {
    const out: StackEvent[] = [];
    for (const c of containers) {
      const before = this.known.get(c.name);
      this.known.set(c.name, c.health);
      if (before === c.health || (before === undefined && c.health !== 'unhealthy')) continue;
      out.push({ at, service: c.service, kind: 'health', health: c.health, detail: `${c.name}, read by poll: no engine event` });
    }
    return out;
  }
}

/**
 * Polls the project's health until stopped; `list` is one Engine API call. A tick never
 * overlaps the previous one; a failed tick is skipped (an engine gone is told by services()).
 */
export function startHealthPoll(opts: {
  docker: Docker;
  list: () => Promise<ListedContainer[]>;
  poll: HealthPoll;
  onEvent: (event: StackEvent) => void;
  intervalMs?: number;
}): () => void {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const listed = await opts.list();
      const withHealth: { name: string; service: string; health: HealthState }[] = [];
      for (const c of listed) {
        // A paused container's list status says "(Paused)", not its health: ask it (rare).
        const health = c.health ?? mapHealth(((await opts.docker.getContainer(c.id).inspect()) as { State?: { Health?: { Status?: string } } }).State?.Health?.Status);
        withHealth.push({ name: c.name, service: c.service, health });
      }
      for (const event of opts.poll.diff(withHealth, new Date())) opts.onEvent(event);
    } catch (err) {
      // Removed between list and inspect, or the engine is gone: the next tick or services() tells.
      void err;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? HEALTH_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
