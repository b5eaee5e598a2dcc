import { RUN_LOCKS_DIR, RunLock } from './run-lock.js';

/** One thing a run must hold alone, as the refusal names it. */
export interface LockClaim {
  key: string;
  label: string;
}

/**
 * The locks of one run, taken all or nothing and released together: the stack's own, plus one
 * per path the run shares with no one (a data dir). Taken in key order, so that of two gates
 * racing for the same locks one always wins, the other is refused naming it.
 */
export class RunLocks {
  private constructor(private readonly held: RunLock[]) {}

  static acquire(claims: readonly LockClaim[], holder: { config: string; logDir: string }, dir = RUN_LOCKS_DIR): RunLocks {
    const unique = [...new Map(claims.map((claim) => [claim.key, claim])).values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const held: RunLock[] = [];
    try {
      for (const claim of unique) held.push(RunLock.acquire(claim.key, { ...holder, stack: claim.label }, dir));
    } catch (err) {
      // Refused on one: none is kept, or a gate refused could block another one.
      for (const lock of held.reverse()) lock.release();
      throw err;
    }
    return new RunLocks(held);
  }

  /** Idempotent; synchronous so that it also runs from a process.exit path. */
  release(): void {
    for (const lock of [...this.held].reverse()) lock.release();
  }
}
