import { z } from 'zod';
import { configSchemaFor } from '../config/loader.js';
import { builtinRegistries } from '../config/registries.js';
import { planSteps } from '../config/step-plan.js';
import { bindStack } from '../drivers/bound-stack.js';
import type { CliOptions } from './cli-options.js';
import { resolveCheckedRun } from './load-checks.js';
import { notRedactedNotice, runRedactor } from './run-redactor.js';

/** `release-gate plan`: the resolved phases, steps, logs and criteria, after run's load-time checks. Runs and creates nothing. */
export async function planCommand(opts: CliOptions): Promise<number> {
  const registries = builtinRegistries;
  // The checks `run` makes before it starts anything: plan and run agree on what is wrong.
  const { run } = resolveCheckedRun(opts, registries);
  const { config } = run;
  // The plan shows interpolated values (baseUrl, commands): hidden exactly as a run hides them.
  const { redactor, notRedacted } = runRedactor(run);
  const out: string[] = [];
  out.push(`config:   ${run.file}`);
  out.push(`name:     ${config.name}`);
  const stack = bindStack(registries, config.stack);
  out.push(`driver:   ${stack.describe()}`);
  if (stack.external) out.push('target:   an external deployment, not started or stopped by the gate: lifecycle steps are n/a');
  out.push(`root:     ${run.root}`);
  out.push(`baseUrl:  ${config.baseUrl}`);
  out.push(`logDir:   ${run.logDir}`);
  out.push(`secrets:  ${[...new Set([...config.secrets.env, ...config.secrets.generate])].join(', ') || 'none'}${config.secrets.patterns.length ? ` + ${config.secrets.patterns.length} pattern(s)` : ''}`);
  const notice = notRedactedNotice(notRedacted);
  if (notice) out.push(notice);
  for (const [name, spec] of Object.entries(config.switches)) {
    out.push(`switch:   ${name}=${run.switches[name]}${run.switches[name] === spec.default ? ' (default)' : ` (default ${spec.default})`} — ${spec.description}; values: ${spec.values.join(', ')}`);
  }
  if (config.deadline !== undefined || opts.deadline !== undefined) out.push(`deadline: ${opts.deadline ?? config.deadline}`);
  out.push('');
  let phase: unknown = null;
  for (const step of planSteps(config, registries)) {
    if (step.phase !== phase) {
      phase = step.phase;
      out.push(`phase ${step.phase.id}${step.phase.title ? ` — ${step.phase.title}` : ''}${step.phase.ifPassed ? ' (after the log capture, on a passing gate only)' : step.phase.always ? ' (always)' : ''}`);
    }
    const selected = !run.selected || run.selected.has(step.id) || step.kind.summary === true;
    const mark = step.notApplicable !== null ? 'n/a' : selected ? '•' : '-';
    const note = step.notApplicable !== null ? `  (not applicable: ${step.notApplicable})` : selected ? '' : '  (not selected)';
    out.push(`  ${mark.padEnd(3)} ${`${step.logName}.log`.padEnd(32)} ${step.kind.name.padEnd(10)} ${step.title}${step.step.criterion ? `  [${step.step.criterion}]` : ''}${note}`);
  }
  out.push('');
  out.push('criteria:');
  for (const [id, title] of Object.entries(config.criteria)) out.push(`  ${id.padEnd(12)} ${title}`);
  process.stdout.write(`${redactor.redactLines(out.join('\n'))}\n`);
  return 0;
}

/** `release-gate schema`: the JSON Schema of the config file. */
export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchemaFor(builtinRegistries), { io: 'input', unrepresentable: 'any' });
}
