import { z } from 'zod';
import { configSchema } from '../config/schema.js';
import { defaultTitle, stepId, stepLogName } from '../engine/gate-runner.js';
import type { CliOptions } from './cli.js';
import { resolveRun } from './resolve-run.js';

/** `release-gate plan`: the resolved phases, steps, logs and criteria. Runs nothing. */
export async function planCommand(opts: CliOptions): Promise<number> {
  const run = resolveRun(opts);
  const { config } = run;
  const out: string[] = [];
  out.push(`config:   ${run.file}`);
  out.push(`name:     ${config.name}`);
  out.push(`driver:   ${config.stack.driver}${config.stack.driver === 'compose' ? ` (${[config.stack.file].flat().join(', ')})` : ` (${Object.keys(config.stack.services).join(', ')})`}`);
  out.push(`root:     ${run.root}`);
  out.push(`baseUrl:  ${config.baseUrl}`);
  out.push(`logDir:   ${run.logDir}`);
  out.push(`secrets:  ${[...new Set([...config.secrets.env, ...config.secrets.generate])].join(', ') || 'none'}${config.secrets.patterns.length ? ` + ${config.secrets.patterns.length} pattern(s)` : ''}`);
  out.push('');
  for (const phase of config.phases) {
    out.push(`phase ${phase.id}${phase.title ? ` — ${phase.title}` : ''}${phase.always ? ' (always)' : ''}`);
    for (const step of phase.steps) {
      const selected = !run.selected || run.selected.has(stepId(step)) || step.do === 'summary';
      out.push(
        `  ${selected ? '•' : '-'} ${`${stepLogName(step)}.log`.padEnd(32)} ${step.do.padEnd(10)} ${step.title ?? defaultTitle(step)}${step.criterion ? `  [${step.criterion}]` : ''}${selected ? '' : '  (not selected)'}`,
      );
    }
  }
  out.push('');
  out.push('criteria:');
  for (const [id, title] of Object.entries(config.criteria)) out.push(`  ${id.padEnd(12)} ${title}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

/** `release-gate schema`: the JSON Schema of the config file. */
export function schemaCommand(): number {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
