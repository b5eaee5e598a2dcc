import { formatBytes } from '../common/safe-file.js';
import type { ServiceResources } from '../model/run-result.js';

/** One service's budget: peak memory in bytes, mean and peak CPU in percent of one core. */
export interface ResourceBudget {
  memoryBytes?: number | undefined;
  cpuPercent?: number | undefined;
  cpuPeakPercent?: number | undefined;
}

/** What Resources is judged from: each service's figures (no series) and the budgets. */
export interface ResourceBudgetInput {
  services: Omit<ServiceResources, 'series'>[];
  budgets: Record<string, ResourceBudget>;
  /** Samples asked of the driver, and how many failed (absent in older evidence). */
  rounds?: number | undefined;
  failedRounds?: number | undefined;
}

/** Above this share of a memory limit, the service is close to being OOM-killed: said, not failed. */
export const LIMIT_WARNING_SHARE = 0.9;

/**
 * Resources: every budgeted service peaked under its memory budget, and used no more CPU than
 * its budget on average (and at peak, when `cpuPeak` is set). A budgeted service never sampled
 * fails (nothing was measured); one above 90 % of its memory limit is a warning in the detail.
 */
export function judgeResources(input: ResourceBudgetInput): { passed: boolean; detail: string; warnings: string[] } {
  const problems: string[] = [];
  const failed = input.failedRounds ?? 0;
  // Figures from a minority of the samples are not the run's: a peak may be in the ones that failed.
  if (input.rounds !== undefined && failed * 2 > input.rounds) problems.push(`${failed} of ${input.rounds} samples failed: the figures are partial`);
  for (const [name, budget] of Object.entries(input.budgets)) {
    const s = input.services.find((x) => x.service === name);
    if (!s) {
      problems.push(`${name} was never sampled (not running?): its budget judged nothing`);
      continue;
    }
    if (budget.memoryBytes !== undefined && s.memory.peakBytes > budget.memoryBytes) problems.push(`${name} peaked at ${formatBytes(s.memory.peakBytes)} of memory, over its ${formatBytes(budget.memoryBytes)} budget`);
    if (budget.cpuPercent !== undefined || budget.cpuPeakPercent !== undefined) {
      if (s.cpu === null) problems.push(`${name}: no CPU figure was sampled, its CPU budget judged nothing`);
      else {
        if (budget.cpuPercent !== undefined && s.cpu.meanPercent > budget.cpuPercent) problems.push(`${name} used ${s.cpu.meanPercent}% CPU on average, over its ${budget.cpuPercent}% budget`);
        if (budget.cpuPeakPercent !== undefined && s.cpu.peakPercent > budget.cpuPeakPercent) problems.push(`${name} peaked at ${s.cpu.peakPercent}% CPU, over its ${budget.cpuPeakPercent}% peak budget`);
      }
    }
  }
  const warnings = input.services
    .filter((s) => s.memory.limitBytes !== undefined && s.memory.peakBytes >= LIMIT_WARNING_SHARE * s.memory.limitBytes)
    .map((s) => `warning: ${s.service} peaked at ${Math.round((s.memory.peakBytes / (s.memory.limitBytes as number)) * 100)}% of its ${formatBytes(s.memory.limitBytes as number)} memory limit`);
  if (problems.length > 0) return { passed: false, detail: [...problems, ...warnings].join('; '), warnings };
  if (input.services.length === 0) return { passed: false, detail: 'no service was sampled', warnings };
  const samples = Math.max(...input.services.map((s) => s.samples));
  const budgeted = Object.keys(input.budgets).length;
  const head = `${input.services.length} services sampled (${samples} samples${failed > 0 ? `, ${failed} failed` : ''}), ${budgeted === 0 ? 'no budget set' : `${budgeted} within budget`}`;
  return { passed: true, detail: [head, ...warnings].join('; '), warnings };
}
