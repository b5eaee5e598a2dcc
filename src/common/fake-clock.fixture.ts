import type { Clock } from './clock.js';

interface Sleeper {
  at: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to, for unit tests that must never really sleep.
 * `advance(ms)` moves time forward, waking every sleeper whose time came, in order, and lets
 * the promise chains they resume run before moving on.
 */
export class FakeClock implements Clock {
  private time: number;
  private sleepers: Sleeper[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        at: this.time + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Number of pending sleeps (a test can wait for a loop to reach its delay). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by ms, waking sleepers in time order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flush();
    for (;;) {
      const next = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.time = Math.max(this.time, next.at);
      next.resolve();
      await flush();
    }
    this.time = target;
    await flush();
  }

  /** Advances until the promise settles (at most `limitMs` of fake time), in steps of `stepMs`. */
  async run<T>(promise: Promise<T>, stepMs = 10, limitMs = 3_600_000): Promise<T> {
    let settled = false;
    const tracked = promise.finally(() => {
      settled = true;
    });
    tracked.catch(() => undefined);
    for (let spent = 0; !settled && spent < limitMs; spent += stepMs) await this.advance(stepMs);
    return tracked;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
