import { formatDuration } from '../common/duration.js';
import { describeExit } from '../common/exit-code.js';
import type { ServiceStatus, StackEvent } from '../model/stack.js';
import { describePause, duringPause, pauseIntervals } from './pause-intervals.js';

/** One thing that breaks stability, with when and which service. */
export interface Instability {
  at: Date;
  service: string;
  what: string;
  /** The machine it happened on, when the stack spans several (a swarm node). */
  node?: string;
}

export interface StabilityVerdict {
  passed: boolean;
  restarts: number;
  exits: number;
  oom: number;
  unhealthy: number;
  /** `docker pause` of a service during the watch (each one named with when and how long). */
  pauses: number;
  problems: Instability[];
  /** How long the stack was watched, from `up` to the verdict. */
  observedMs: number;
  /** `0 restarts, 0 exits, 0 OOM, 0 unhealthy over 183s` */
  detail: string;
  /**
   * Nothing broke, but the window was cut short (the gate stopped first): the verdict is not a
   * pass, and not a failure of its own either; the engine reports it "not judged".
   */
  cutShort?: { observedMs: number; windowMs: number };
}

/** A service's state at the verdict, as plain JSON. */
export type RecordedStatus = Omit<ServiceStatus, 'startedAt'> & { startedAt?: string | null };

/** A stack event as plain JSON (its time an ISO string). */
export type RecordedEvent = Omit<StackEvent, 'at'> & { at: string };

/** What the Stability verdict is judged from: the watch's events, the counters' baseline, the state now. */
export interface StabilityInput {
  events: RecordedEvent[];
  /** Restart counters when the watch started. */
  baseline: Record<string, number>;
  /** Services known to be one-shot jobs. */
  oneShot: string[];
  /** Each service at the verdict, counters included. */
  services: RecordedStatus[];
  /** When the verdict was taken (ISO). */
  at: string;
  observedMs: number;
  /** The minimum window and how much of it was watched; null when the gate stopped before the window. */
  window?: { ms: number; observedMs: number } | null | undefined;
}

/** The problem an event is, or null (a one-shot job exiting 0 is what it is for). */
export function problemOf(event: RecordedEvent | StackEvent, oneShot: ReadonlySet<string> | readonly string[]): Instability | null {
  const at = event.at instanceof Date ? event.at : new Date(event.at);
  const isOneShot = Array.isArray(oneShot) ? oneShot.includes(event.service) : (oneShot as ReadonlySet<string>).has(event.service);
  const problem = eventProblem(event, at, isOneShot);
  return problem && event.node !== undefined ? { ...problem, node: event.node } : problem;
}

function eventProblem(event: RecordedEvent | StackEvent, at: Date, isOneShot: boolean): Instability | null {
  const on = event.node !== undefined ? ` on node ${event.node}` : '';
  switch (event.kind) {
    case 'die':
      if (isOneShot && event.exitCode === 0) return null;
      return { at, service: event.service, what: `exited (${describeExit(event.exitCode ?? null)})${on}` };
    case 'restart':
      return { at, service: event.service, what: `restarted${on}${event.detail ? ` (${event.detail})` : ''}` };
    case 'oom':
      return { at, service: event.service, what: `killed by the OOM killer${on}` };
    case 'health':
      return event.health === 'unhealthy' ? { at, service: event.service, what: `turned unhealthy${on}` } : null;
    case 'pause':
      // A problem at once (the gate fails fast); the verdict replaces it with the pause's length.
      return { at, service: event.service, what: 'paused' };
    default:
      return null;
  }
}

/**
 * The Stability verdict over the whole-run evidence: every problem event, plus what events can
 * miss: restart counters above the baseline (the ground truth), `oomKilled`, a service not
 * running (a finished one-shot excepted), a service unhealthy now; and a window cut short.
 */
export function judgeStability(input: StabilityInput): StabilityVerdict {
  const oneShot = new Set([...input.oneShot, ...input.services.filter((s) => s.oneShot).map((s) => s.name)]);
  const now = new Date(input.at);
  const pauses = pauseIntervals(input.events, now);
  const problems: Instability[] = [];
  for (const event of input.events) {
    const problem = problemOf(event, oneShot);
    // A pause is told once, with its length (below); the failing health checks of a paused
    // container are Docker's doing, the pause's consequence, not a second defect.
    if (!problem || event.kind === 'pause' || (event.kind === 'health' && duringPause(pauses, event.service, new Date(event.at)))) continue;
    problems.push(problem);
  }
  for (const pause of pauses) problems.push({ at: pause.from, service: pause.service, what: describePause(pause) });
  const counted = { restarts: 0, exits: 0, oom: 0, unhealthy: 0, pauses: pauses.length };
  const restartsByEvents = new Map<string, number>();
  for (const event of input.events) {
    if (event.kind === 'restart') restartsByEvents.set(event.service, (restartsByEvents.get(event.service) ?? 0) + 1);
  }
  for (const problem of problems) {
    if (problem.what.startsWith('exited')) counted.exits++;
    else if (problem.what.includes('OOM')) counted.oom++;
    else if (problem.what.includes('unhealthy')) counted.unhealthy++;
  }
  const has = (service: string, text: string) => problems.some((p) => p.service === service && p.what.includes(text));
  for (const status of input.services) {
    // On a stack spanning machines, the node it runs on (where it was seen so).
    const at = status.node !== undefined ? { node: status.node } : {};
    const on = status.node !== undefined ? ` on node ${status.node}` : '';
    const base = input.baseline[status.name] ?? 0;
    const byCounter = Math.max(0, status.restartCount - base);
    const byEvents = restartsByEvents.get(status.name) ?? 0;
    // The counter is the ground truth: events may be missed, counters are not.
    counted.restarts += Math.max(byCounter, byEvents);
    if (byCounter > byEvents) {
      const where = status.failedOn?.length ? { node: status.failedOn.join(', ') } : {};
      problems.push({ at: now, service: status.name, what: `restart count rose by ${byCounter} (${base} → ${status.restartCount})${where.node ? ` on node ${where.node}` : ''}`, ...where });
    }
    if (status.oomKilled && !has(status.name, 'OOM')) {
      counted.oom++;
      problems.push({ at: now, service: status.name, what: `OOMKilled${on}`, ...at });
    }
    const finishedOneShot = oneShot.has(status.name) && status.state === 'exited' && status.exitCode === 0;
    if (status.state === 'created' && !problems.some((p) => p.service === status.name)) {
      // Never started (its dependency never got healthy): not stable, but not an exit either.
      problems.push({ at: now, service: status.name, what: `never started${on}`, ...at });
    } else if (status.state === 'paused') {
      // Paused, not exited: counted as a pause (with no pause event seen, paused before the watch).
      if (!pauses.some((p) => p.service === status.name && p.to === null)) {
        counted.pauses++;
        problems.push({ at: now, service: status.name, what: 'is paused', ...at });
      }
    } else if (status.state !== 'running' && !finishedOneShot && !problems.some((p) => p.service === status.name)) {
      counted.exits++;
      problems.push({ at: now, service: status.name, what: `is ${status.state}${status.exitCode === null ? '' : ` (${describeExit(status.exitCode)})`}${on}`, ...at });
    }
    if (status.health === 'unhealthy' && status.state !== 'paused' && !has(status.name, 'unhealthy')) {
      counted.unhealthy++;
      problems.push({ at: now, service: status.name, what: `is unhealthy${on}`, ...at });
    }
  }
  const { observedMs } = input;
  const stable = problems.length === 0;
  const pauseCount = counted.pauses > 0 ? `, ${counted.pauses} pause${counted.pauses === 1 ? '' : 's'}` : '';
  const summary = `${counted.restarts} restarts, ${counted.exits} exits, ${counted.oom} OOM, ${counted.unhealthy} unhealthy${pauseCount} over ${Math.round(observedMs / 1000)}s`;
  // A paused service is named with when and how long: the length is what a reader needs.
  const services = [...new Set(problems.map((p) => p.service))].map((service) => {
    const pause = problems.find((p) => p.service === service && (p.what.startsWith('paused') || p.what === 'is paused'));
    if (pause) return `${service} ${pause.what}`;
    // On a stack spanning machines, which machine: a node that went down is the cause to see.
    const nodes = [...new Set(problems.filter((p) => p.service === service && p.node !== undefined).map((p) => p.node))];
    return nodes.length > 0 ? `${service} on node ${nodes.join(', ')}` : service;
  });
  const window = input.window;
  const short = stable && window && window.observedMs < window.ms ? ` — window cut short at ${formatDuration(window.observedMs)} of ${formatDuration(window.ms)}` : '';
  const cutShort = short && window ? { cutShort: { observedMs: window.observedMs, windowMs: window.ms } } : {};
  return { passed: stable && short === '', ...counted, problems, observedMs, detail: stable ? summary + short : `${summary} (${services.join(', ')})`, ...cutShort };
}
