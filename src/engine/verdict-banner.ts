import type { Redactor } from '../common/redactor.js';
import type { RunResult } from '../model/run-result.js';

/**
 * The run's last word on the console. A run whose evidence is not on disk has no verdict at
 * all: never a ✅ (DESIGN.md, safety rules); the CLI says what is missing on stderr.
 */
export function verdictBanner(result: RunResult, redactor: Redactor, evidenceLost: string | null = null): string {
  if (evidenceLost !== null) return '■ NO VERDICT — the evidence is not on disk (evidence lost)';
  const partial = result.complete ? '' : ` — PARTIAL (${redactor.redact(result.deviations.join('; '))})`;
  const external = result.target?.external ? ` — external target, ${result.criteria.filter((c) => c.notApplicable).length} criteria n/a` : '';
  return verdictWords(result, redactor) + partial + external;
}

function verdictWords(result: RunResult, redactor: Redactor): string {
  switch (result.verdict) {
    case 'passed':
      return '✅ GATE PASSED';
    case 'interrupted':
      return '■ GATE INTERRUPTED';
    case 'timedout':
      return `❌ GATE TIMED OUT${result.stoppedAt ? ` (stopped at ${redactor.redact(result.stoppedAt)})` : ''}`;
    default:
      return `❌ GATE FAILED${result.stoppedAt ? ` (stopped at ${redactor.redact(result.stoppedAt)})` : ''}`;
  }
}
