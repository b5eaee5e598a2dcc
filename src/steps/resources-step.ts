import { z } from 'zod';
import { judge } from '../checks/judges.js';
import type { ResourceBudget } from '../checks/resource-budget.js';
import { UsageSampler } from '../checks/usage-sampler.js';
import { writtenByteSize } from '../common/byte-size.js';
import { durationMs } from '../common/schema-parts.js';
import { formatBytes } from '../common/safe-file.js';
import type { ServiceResources } from '../model/run-result.js';
import { defineStepKind, type StepOutcome } from './step-kind.js';

const cpuSchema = z
  .string({ error: 'expected a CPU share such as 150% (of one core)' })
  .regex(/^\s*\d+(\.\d+)?\s*%\s*$/, 'expected a CPU share such as 150% (of one core)')
  .transform((text) => Number(text.replace('%', '').trim()));

const budgetSchema = z.strictObject({
  memory: writtenByteSize().optional().describe('Peak memory allowed over the run: 512MiB'),
  cpu: cpuSchema.optional().describe('Mean CPU allowed over the run, in percent of one core: 150%'),
  cpuPeak: cpuSchema.optional().describe('Highest CPU sample allowed, in percent of one core: 300%'),
});

/**
 * The Resources criterion, Stability's sibling: from this step to the end of the run (or the
 * first drill), every service's memory and CPU are sampled (Engine stats; /proc for local
 * process groups). Peak and mean go in summary.json, the report and `compare`; a service over
 * its budget fails, named with its peak; above 90 % of a memory limit is a warning line. Memory
 * over budget is final: the gate stops there, as on a crash.
 */
export const resourcesStep = defineStepKind({
  name: 'resources',
  schema: z.strictObject({
    interval: durationMs({ min: 1000, max: 600_000, default: '5s' }).describe('Time between two samples'),
    budgets: z.record(z.string(), budgetSchema).default({}).describe('Budgets per service: { backend: { memory: 512MiB, cpu: 150% } }'),
  }),
  timeout: 'budget',
  needs: () => ['usage'],
  title: (step) => `Resources sampled every ${step.interval / 1000}s${Object.keys(step.budgets).length ? ` (budgets: ${Object.keys(step.budgets).join(', ')})` : ''}`,
  async run(step, ctx) {
    const { driver } = ctx;
    if (!driver.usage) return { passed: false, detail: `the ${driver.name} driver cannot sample memory and CPU` };
    const budgets: Record<string, ResourceBudget> = Object.fromEntries(
      Object.entries(step.budgets).map(([service, b]) => [service, { memoryBytes: b.memory?.bytes, cpuPercent: b.cpu, cpuPeakPercent: b.cpuPeak }]),
    );
    const overMemory = () => Object.entries(budgets).find(([service, b]) => b.memoryBytes !== undefined && sampler.usage.peakMemory(service) > b.memoryBytes);
    let said = false;
    const sampler = new UsageSampler({ usage: () => driver.usage?.() ?? Promise.resolve([]) }, ctx.clock, step.interval, () => {
      const over = overMemory();
      if (over && !said) {
        said = true;
        ctx.log.line(`${over[0]} is over its memory budget (${formatBytes(sampler.usage.peakMemory(over[0]))} > ${formatBytes(over[1].memoryBytes as number)})`);
      }
    });
    ctx.log.line(`sampling every service's memory and CPU every ${step.interval / 1000}s until the end of the run`);
    sampler.start();
    ctx.onTeardown('stop sampling resources', () => sampler.stop());
    const finish = async (): Promise<StepOutcome> => {
      await sampler.stop();
      const resources = sampler.usage.summary();
      for (const line of table(resources)) ctx.log.line(line);
      if (sampler.failures > 0) ctx.log.line(`${sampler.failures} sample(s) failed; last: ${sampler.lastError}`);
      const input = { services: resources.map(({ series: _series, ...figures }) => figures), budgets, rounds: sampler.rounds, failedRounds: sampler.failures };
      const judgement = judge('resources', input);
      ctx.log.line(`${judgement.passed ? '✓' : '✗'} ${judgement.detail}`);
      return { passed: judgement.passed, detail: judgement.detail, evidence: resources.length, judgements: [judgement], resources };
    };
    return { passed: true, detail: 'sampling', pending: { minimum: async () => undefined, broken: () => overMemory() !== undefined, finish } };
  },
});

function table(resources: ServiceResources[]): string[] {
  return resources.map((r) => {
    const limit = r.memory.limitBytes === undefined ? '' : ` (limit ${formatBytes(r.memory.limitBytes)})`;
    const cpu = r.cpu === null ? 'CPU not measured' : `CPU mean ${r.cpu.meanPercent}% peak ${r.cpu.peakPercent}%`;
    return `${r.service}: memory peak ${formatBytes(r.memory.peakBytes)} mean ${formatBytes(r.memory.meanBytes)}${limit}; ${cpu}; ${r.samples} samples`;
  });
}
