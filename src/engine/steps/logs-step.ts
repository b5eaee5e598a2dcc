import { createLineScanner, describeScan } from '../../checks/log-scan.js';
import type { StepHandler } from '../step-context.js';

/**
 * Captures service logs into the artifact; with `scan`, counts unallowed error lines as they
 * stream by (bounded memory) and fails the step on any.
 */
export const logsStep: StepHandler<'logs'> = async (step, ctx) => {
  const scanner = step.scan ? createLineScanner({ patterns: step.scan.patterns, allow: step.scan.allow }) : null;
  // Scan what lands in the artifact (the redacted lines) as it streams by.
  let count = 0;
  const untap = ctx.log.tap((line) => {
    count++;
    scanner?.push(line);
  });
  try {
    await ctx.driver.logs(step.service, { tail: step.tail, output: ctx.log, signal: ctx.signal });
  } finally {
    untap();
  }
  const what = `${step.service ?? 'all services'}${step.tail ? ` (last ${step.tail} lines)` : ''}`;
  if (!scanner) return { passed: true, detail: `${count} lines of ${what}` };
  const result = scanner.result();
  ctx.log.line(`log scan over ${count} lines of ${what}: ${describeScan(result)}`);
  for (const match of result.matches) ctx.log.line(`  unallowed line ${match.lineNo} (/${match.pattern}/): ${match.line}`);
  ctx.counts['logs.errors'] = result.count;
  return { passed: result.count === 0, detail: describeScan(result) };
};
