import type { Clock } from '../common/clock.js';
import { formatDuration } from '../common/duration.js';
import { waitFor, type WakeSource } from '../common/wait.js';

export interface HttpWaitOptions {
  url: string;
  /** Accepted statuses. */
  status: number[];
  headers: Record<string, string>;
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  clock: Clock;
  /** Events that make the next attempt come at once (the service turned healthy). */
  wake?: WakeSource;
  onWait?: (text: string) => void;
}

export interface HttpAttempt {
  status: number | null;
  /** First 500 characters of the body, or the network error. */
  snippet: string;
}

export interface HttpWaitResult {
  ok: boolean;
  last: HttpAttempt | null;
  attempts: number;
  elapsedMs: number;
  /** `GET /metrics → 200 after 1.2s (3 attempts)` or `… → 403 after 120s`. */
  detail: string;
}

const SNIPPET = 500;

/** Polls a URL until it answers one of the expected statuses or the budget runs out. */
export async function waitForHttp(opts: HttpWaitOptions): Promise<HttpWaitResult> {
  const path = displayPath(opts.url);
  const outcome = await waitFor<HttpAttempt>(
    async (signal) => {
      const attemptSignal = AbortSignal.any([AbortSignal.timeout(Math.max(2000, Math.min(10_000, opts.intervalMs * 5))), ...(signal ? [signal] : [])]);
      try {
        const response = await fetch(opts.url, { headers: opts.headers, signal: attemptSignal, redirect: 'manual' });
        const body = await response.text();
        const attempt = { status: response.status, snippet: body.slice(0, SNIPPET) };
        return { done: opts.status.includes(response.status), value: attempt };
      } catch (err) {
        if (signal?.aborted) throw err;
        const cause = (err as Error & { cause?: Error }).cause;
        return { done: false, value: { status: null, snippet: cause?.message ?? (err as Error).message } };
      }
    },
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: opts.intervalMs,
      signal: opts.signal,
      clock: opts.clock,
      wake: opts.wake,
      onWait: (last, remaining) =>
        opts.onWait?.(`waiting for GET ${path} → ${opts.status.join('|')} (last: ${describe(last ?? null)}; ${formatDuration(remaining)} left)`),
    },
  );
  const last = outcome.ok ? outcome.value : (outcome.last ?? null);
  const detail = outcome.ok
    ? `GET ${path} → ${last?.status} after ${formatDuration(outcome.elapsedMs)} (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`
    : `GET ${path} not ${opts.status.join('|')} after ${formatDuration(opts.timeoutMs)} (last: ${describe(last)})`;
  return { ok: outcome.ok, last, attempts: outcome.attempts, elapsedMs: outcome.elapsedMs, detail };
}

function describe(attempt: HttpAttempt | null): string {
  if (!attempt) return 'no answer';
  return attempt.status === null ? attempt.snippet : `${attempt.status}`;
}

function displayPath(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + (parsed.search ? '?…' : '');
  } catch {
    return url;
  }
}
