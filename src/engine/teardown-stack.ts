import { errorMessage } from '../common/errors.js';

interface Teardown {
  title: string;
  run: () => Promise<void> | void;
}

/** A teardown that failed: its message, and the error itself (an engine fault is exit 3, not a failed release). */
export interface TeardownFailure {
  title: string;
  error: string;
  cause: unknown;
}

/** Cleanups registered while the gate runs (a watcher's stop, the stack's `down`), run last-in first-out. */
export class TeardownStack {
  private readonly items: Teardown[] = [];

  push(title: string, run: () => Promise<void> | void): void {
    this.items.push({ title, run });
  }

  get size(): number {
    return this.items.length;
  }

  /** Runs every teardown, newest first; one failing does not skip the others. Returns the failures. */
  async runAll(onStart?: (title: string) => void): Promise<TeardownFailure[]> {
    const failures: TeardownFailure[] = [];
    while (this.items.length > 0) {
      const item = this.items.pop() as Teardown;
      onStart?.(item.title);
      try {
        await item.run();
      } catch (err) {
        failures.push({ title: item.title, error: errorMessage(err), cause: err });
      }
    }
    return failures;
  }
}
