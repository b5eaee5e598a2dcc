import type { HealthState, ServiceState, ServiceStatus, StackEvent, StackEventKind } from '../../model/stack.js';

/** The part of `docker inspect` the driver reads (Engine API ContainerInspect). */
export interface InspectLike {
  RestartCount?: number;
  State?: {
    Status?: string;
    ExitCode?: number;
    OOMKilled?: boolean;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status?: string };
  };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function engineDate(value: string | undefined): Date | null {
  if (!value || value.startsWith('0001-01-01')) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function mapState(status: string | undefined): ServiceState {
  switch (status) {
    case 'created':
    case 'running':
    case 'restarting':
    case 'exited':
    case 'dead':
      return status;
    case 'paused':
      return 'paused';
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

export function mapHealth(status: string | undefined): HealthState {
  switch (status) {
    case 'healthy':
    case 'unhealthy':
    case 'starting':
      return status;
    default:
      return 'none';
  }
}

/**
 * One container's status. `exitCode` is the engine's last exit code while the container
 * is stopped or restarting; null while it runs (the engine resets it on start, so the
 * code of a crash the policy recovered from is only in watch()'s `die` event).
 */
export function toServiceStatus(name: string, info: InspectLike): ServiceStatus {
  const state = info.State ?? {};
  const finished = state.FinishedAt ?? ZERO_TIME;
  const mapped = mapState(state.Status);
  const stopped = mapped !== 'running' && mapped !== 'created';
  return {
    name,
    state: mapped,
    health: mapHealth(state.Health?.Status),
    restartCount: info.RestartCount ?? 0,
    oomKilled: state.OOMKilled ?? false,
    exitCode: stopped && engineDate(finished) !== null ? (state.ExitCode ?? null) : null,
    startedAt: engineDate(state.StartedAt),
  };
}

/** An Engine API event message (GET /events), container events only. */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Maps an engine event to a StackEvent; null for events the gate does not care about (exec_*, create, …). */
export function toStackEvent(ev: EngineEvent, serviceName: (attrs: Record<string, string>) => string | undefined): StackEvent | null {
  if (ev.Type !== undefined && ev.Type !== 'container') return null;
  const action = ev.Action ?? ev.status ?? '';
  const attrs = ev.Actor?.Attributes ?? {};
  const service = serviceName(attrs);
  if (service === undefined) return null;
  const at = ev.timeNano !== undefined ? new Date(Math.floor(ev.timeNano / 1e6)) : new Date((ev.time ?? 0) * 1000);
  const base = { at, service, detail: attrs['name'] ?? ev.Actor?.ID?.slice(0, 12) ?? '' };
  if (action.startsWith('health_status')) {
    const health = mapHealth(action.split(':')[1]?.trim());
    return { ...base, kind: 'health', health };
  }
  const kinds: Record<string, StackEventKind> = { start: 'start', die: 'die', restart: 'restart', oom: 'oom', pause: 'pause', unpause: 'unpause', kill: 'kill', stop: 'stop' };
  const kind = kinds[action];
  if (kind === undefined) return null;
  if (kind === 'kill' && attrs['signal'] !== undefined) return { ...base, kind, signal: attrs['signal'] };
  if (kind === 'die') {
    const code = Number(attrs['exitCode']);
    return Number.isInteger(code) ? { ...base, kind, exitCode: code } : { ...base, kind };
  }
  return { ...base, kind };
}

/**
 * Splits a stream of newline-delimited JSON (the events endpoint) into objects,
 * keeping a partial trailing line for the next chunk.
 */
export class JsonLineSplitter {
  private rest = '';
  push(chunk: string): unknown[] {
    this.rest += chunk;
    const out: unknown[] = [];
    let nl: number;
    while ((nl = this.rest.indexOf('\n')) >= 0) {
      const line = this.rest.slice(0, nl).trim();
      this.rest = this.rest.slice(nl + 1);
      if (line) out.push(JSON.parse(line));
    }
    return out;
  }
}
