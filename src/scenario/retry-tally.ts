import type { ScenarioRetry } from '../model/run-result.js';
import type { StepConfig } from './scenario-schema.js';

/**
 * Scenario steps that passed only after a retry (`retry:`), counted per step. Each one fails E2E
 * unless the step accepts it with `allowRetries: "<reason>"`: `retry:` is how a step tries
 * again, not a statement that a second try is fine for a release; the reason is.
 */
export class RetryTally {
  private readonly byStep = new Map<string, ScenarioRetry>();

  /** One execution of `step` that passed on attempt `attempts` (1 = no retry). */
  record(step: StepConfig, attempts: number): void {
    if (attempts <= 1) return;
    const entry = this.byStep.get(step.name) ?? { step: step.name, times: 0, retries: 0, ...(step.allowRetries ? { accepted: step.allowRetries } : {}) };
    entry.times++;
    entry.retries += attempts - 1;
    this.byStep.set(step.name, entry);
  }

  list(): ScenarioRetry[] {
    return [...this.byStep.values()];
  }

  /** Retries no step accepted: each fails E2E. */
  unaccepted(): ScenarioRetry[] {
    return this.list().filter((r) => r.accepted === undefined);
  }

  /** `2 steps passed only after a retry: login ×1, list ×2`, or '' when none did. */
  describe(): string {
    const all = this.list();
    if (all.length === 0) return '';
    const steps = all.map((r) => `${r.step} ×${r.times}${r.accepted === undefined ? '' : ` (accepted: ${r.accepted})`}`);
    return `${all.length} step${all.length === 1 ? '' : 's'} passed only after a retry: ${steps.join(', ')}`;
  }

  /** One deviation per accepted step, for the run's PARTIAL line: never a silent pass. */
  deviations(log: string): string[] {
    return this.list()
      .filter((r) => r.accepted !== undefined)
      .map((r) => `${log}: ${r.step} passed only after a retry ×${r.times} (accepted: ${r.accepted})`);
  }
}
