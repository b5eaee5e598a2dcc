import { formatDuration } from '../common/duration.js';
import type { ScenarioLatency, StepLatency } from '../model/run-result.js';

export type StepList = StepLatency['list'];

/** A latency budget as configured, in ms (read at load) per statistic. */
export interface LatencyBudget {
  p50?: number | undefined;
  p95?: number | undefined;
  max?: number | undefined;
}

/**
 * Nearest-rank percentile of sorted samples: the smallest sample with at least p% of the
 * samples at or below it. Always an observed value (no interpolation), so p95 of 3 runs is
 * the slowest run: with few samples, a budget is never met by an average of fast and slow.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** `p95 420ms > 300ms` for each statistic over its budget. */
export function exceededBudgets(stats: Pick<StepLatency, 'p50Ms' | 'p95Ms' | 'maxMs'>, limits: NonNullable<StepLatency['limits']>): string[] {
  const out: string[] = [];
  const check = (label: string, value: number, limit: number | undefined) => {
    if (limit !== undefined && value > limit) out.push(`${label} ${formatDuration(value)} > ${formatDuration(limit)}`);
  };
  check('p50', stats.p50Ms, limits.p50Ms);
  check('p95', stats.p95Ms, limits.p95Ms);
  check('max', stats.maxMs, limits.maxMs);
  return out;
}

function limitsOf(budget: LatencyBudget | undefined): StepLatency['limits'] | undefined {
  if (!budget) return undefined;
  const limits: NonNullable<StepLatency['limits']> = {};
  if (budget.p50 !== undefined) limits.p50Ms = budget.p50;
  if (budget.p95 !== undefined) limits.p95Ms = budget.p95;
  if (budget.max !== undefined) limits.maxMs = budget.max;
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** Collects the duration of every step execution of a scenario, then summarises them per step. */
export class LatencyRecorder {
  private readonly byStep = new Map<string, { list: StepList; samples: number[]; failures: number; budget: LatencyBudget | undefined }>();
  private readonly runFailures: number[] = [];
  private readonly runDurations: number[] = [];

  /** Declares a step in list order, so the table follows the scenario. */
  declare(name: string, list: StepList, budget: LatencyBudget | undefined): void {
    if (!this.byStep.has(name)) this.byStep.set(name, { list, samples: [], failures: 0, budget });
  }

  /** One execution: `run` is its run number (1-based) for each/finally steps. */
  record(name: string, durationMs: number, failed: boolean, run: number | undefined): void {
    const stat = this.byStep.get(name);
    if (!stat) return;
    stat.samples.push(durationMs);
    if (failed) {
      stat.failures++;
      if (run !== undefined) this.runFailures[run - 1] = (this.runFailures[run - 1] ?? 0) + 1;
    }
  }

  endRun(run: number, durationMs: number): void {
    this.runFailures[run - 1] ??= 0;
    this.runDurations[run - 1] = durationMs;
  }

  summary(): ScenarioLatency {
    const steps: StepLatency[] = [];
    for (const [step, stat] of this.byStep) {
      if (stat.samples.length === 0) continue;
      const sorted = [...stat.samples].sort((a, b) => a - b);
      const entry: StepLatency = {
        step,
        list: stat.list,
        samples: sorted.length,
        failures: stat.failures,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        maxMs: sorted[sorted.length - 1] as number,
      };
      const limits = limitsOf(stat.budget);
      if (limits) {
        entry.limits = limits;
        const exceeded = exceededBudgets(entry, limits);
        if (exceeded.length > 0) entry.exceeded = exceeded;
      }
      steps.push(entry);
    }
    return { steps, failuresPerRun: Array.from(this.runFailures, (n) => n ?? 0), runDurationsMs: [...this.runDurations] };
  }
}

/** The footer of the E2E log: one row per step, then the failures per run. Never says "RUN … PASSED" (the seed's grep). */
export function latencyTable(latency: ScenarioLatency): string[] {
  const rows = latency.steps.map((s) => [
    s.step,
    s.list,
    String(s.samples),
    formatDuration(s.p50Ms),
    formatDuration(s.p95Ms),
    formatDuration(s.maxMs),
    String(s.failures),
    s.exceeded ? `over budget: ${s.exceeded.join(', ')}` : s.limits ? 'within budget' : '',
  ]);
  const header = ['step', 'list', 'n', 'p50', 'p95', 'max', 'failures', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [
    'latency per step (nearest-rank percentiles over every execution):',
    `  ${fmt(header)}`,
    ...rows.map((r) => `  ${fmt(r)}`),
    `failures per run: ${latency.failuresPerRun.join(' ') || 'none ran'}`,
  ];
}
