import { systemClock, type Clock } from './clock.js';

export interface PollOptions<T> {
  /** Total budget in ms. */
  timeoutMs: number;
  intervalMs: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called before each wait with the time left, for progress lines. */
  onWait?: (last: T | undefined, remainingMs: number) => void;
}

export type PollOutcome<T> =
  | { ok: true; value: T; attempts: number; elapsedMs: number }
  | { ok: false; last: T | undefined; lastError: unknown; attempts: number; elapsedMs: number };

/**
 * The one polling loop of the project: calls attempt until it reports done or the budget
 * runs out. Never throws for a failed attempt; keeps the last value and error as evidence.
 * Throws only when the signal aborts.
 */
export async function poll<T>(
  attempt: (signal: AbortSignal | undefined) => Promise<{ done: boolean; value: T }>,
  opts: PollOptions<T>,
): Promise<PollOutcome<T>> {
  const clock = opts.clock ?? systemClock;
  const start = clock.now();
  let attempts = 0;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    attempts++;
    try {
      const result = await attempt(opts.signal);
      last = result.value;
      lastError = undefined;
      if (result.done) return { ok: true, value: result.value, attempts, elapsedMs: clock.now() - start };
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      lastError = err;
    }
    const remaining = opts.timeoutMs - (clock.now() - start);
    if (remaining <= 0) return { ok: false, last, lastError, attempts, elapsedMs: clock.now() - start };
    opts.onWait?.(last, remaining);
    await clock.sleep(Math.min(opts.intervalMs, remaining), opts.signal);
  }
}
