import { formatDuration } from '../common/duration.js';

/** One `docker pause` of a service: from the pause to the unpause, or to the verdict if still paused. */
export interface PauseInterval {
  service: string;
  from: Date;
  /** The unpause; null while still paused. */
  to: Date | null;
  /** How long it was (or has been, until `now`) paused. */
  ms: number;
}

interface PauseEventLike {
  at: Date | string;
  service: string;
  kind: string;
}

/**
 * Pairs each service's `pause` with the `unpause` that follows. A paused service serves nothing
 * and its health checks fail (Docker marks it unhealthy without an event): any pause is
 * instability, and its length is the evidence.
 */
export function pauseIntervals(events: readonly PauseEventLike[], now: Date): PauseInterval[] {
  const open = new Map<string, Date>();
  const out: PauseInterval[] = [];
  for (const event of events) {
    const at = event.at instanceof Date ? event.at : new Date(event.at);
    if (event.kind === 'pause' && !open.has(event.service)) open.set(event.service, at);
    if (event.kind === 'unpause') {
      const from = open.get(event.service);
      if (from === undefined) continue;
      open.delete(event.service);
      out.push({ service: event.service, from, to: at, ms: at.getTime() - from.getTime() });
    }
  }
  for (const [service, from] of open) out.push({ service, from, to: null, ms: Math.max(0, now.getTime() - from.getTime()) });
  return out.sort((a, b) => a.from.getTime() - b.from.getTime());
}

/** `paused at 2024-…Z for 7.3s` / `paused at 2024-…Z, still paused at the verdict (12.0s)`. */
export function describePause(p: PauseInterval): string {
  return p.to === null ? `paused at ${p.from.toISOString()}, still paused at the verdict (${formatDuration(p.ms)})` : `paused at ${p.from.toISOString()} for ${formatDuration(p.ms)}`;
}

/** True when `at` lies inside one of the service's pauses (its health fails then by Docker's doing). */
export function duringPause(pauses: readonly PauseInterval[], service: string, at: Date): boolean {
  return pauses.some((p) => p.service === service && at >= p.from && (p.to === null || at <= p.to));
}
