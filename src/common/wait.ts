import type { Clock } from './clock.js';

/** Where a wait may be woken early: an engine's events (Docker health_status, a child's exit). */
export type WakeSource = (wake: () => void) => () => void;

export interface WaitOptions<T> {
  /** Total budget in ms. */
  timeoutMs: number;
  /** The cap of the backoff: the configured poll interval. */
  intervalMs: number;
  /** First delay; doubles after each attempt up to `intervalMs`. Default 50 ms. */
  initialDelayMs?: number;
  clock: Clock;
  signal?: AbortSignal | undefined;
  /** Ends the current delay at once when something happened, instead of at the next poll. */
  wake?: WakeSource | undefined;
  /** Called before each delay with the last value and the time left, for progress lines. */
  onWait?: ((last: T | undefined, remainingMs: number) => void) | undefined;
}

export type WaitOutcome<T> =
  | { ok: true; value: T; attempts: number; elapsedMs: number }
  | { ok: false; last: T | undefined; lastError: unknown; attempts: number; elapsedMs: number; stopped: boolean };

/** What one attempt reports: `done` ends the wait with success; `stop` ends it as a failure at once. */
export interface Attempt<T> {
  done: boolean;
  value: T;
  /** The verdict cannot change any more (e.g. the service exited): stop waiting. */
  stop?: boolean;
}

export const DEFAULT_INITIAL_DELAY_MS = 50;

/**
 * The one waiting loop of the project: calls `attempt` until it reports done, asks to stop, or
 * the budget runs out, with a capped exponential backoff (50 ms, 100 ms, … up to the interval),
 * and wakes at once on an event. Never throws for a failed attempt: the last value and error
 * are the evidence. Throws only when the signal aborts.
 */
export async function waitFor<T>(attempt: (signal: AbortSignal | undefined) => Promise<Attempt<T>>, opts: WaitOptions<T>): Promise<WaitOutcome<T>> {
  const { clock } = opts;
  const start = clock.now();
  let delay = Math.min(opts.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS, opts.intervalMs);
  let attempts = 0;
  let last: T | undefined;
  let lastError: unknown;
  // A wake between two attempts must not be lost: it shortens the next delay to zero.
  let woken = false;
  let wakeNow: (() => void) | null = null;
  const unsubscribe = opts.wake?.(() => {
    woken = true;
    wakeNow?.();
  });
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      attempts++;
      woken = false;
      let stop = false;
      try {
        const result = await attempt(opts.signal);
        last = result.value;
        lastError = undefined;
        if (result.done) return { ok: true, value: result.value, attempts, elapsedMs: clock.now() - start };
        stop = result.stop === true;
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        lastError = err;
      }
      const remaining = opts.timeoutMs - (clock.now() - start);
      if (stop || remaining <= 0) return { ok: false, last, lastError, attempts, elapsedMs: clock.now() - start, stopped: stop };
      opts.onWait?.(last, remaining);
      if (!woken) await sleepUnlessWoken(clock, Math.min(delay, remaining), opts.signal, (wake) => (wakeNow = wake));
      wakeNow = null;
      delay = Math.min(delay * 2, opts.intervalMs);
    }
  } finally {
    unsubscribe?.();
  }
}

/** Sleeps `ms`, or less when woken; rethrows only the caller's abort. */
async function sleepUnlessWoken(clock: Clock, ms: number, signal: AbortSignal | undefined, setWake: (wake: () => void) => void): Promise<void> {
  const woken = new AbortController();
  setWake(() => woken.abort());
  try {
    await clock.sleep(ms, signal ? AbortSignal.any([signal, woken.signal]) : woken.signal);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (!woken.signal.aborted) throw err;
  }
}
