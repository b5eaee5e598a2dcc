import { z } from 'zod';
import { compileLogPattern, createLineScanner, describeScan } from '../checks/log-scan.js';
import { regexSchema } from '../common/schema-parts.js';
import { defineStepKind } from './step-kind.js';

const logPattern = (description: string) => regexSchema(compileLogPattern).describe(description);

/**
 * Captures service logs into the artifact; with `scan`, counts unallowed error lines as they
 * stream by (bounded memory) and fails the step on any.
 */
export const logsStep = defineStepKind({
  name: 'logs',
  schema: z.strictObject({
    service: z.string().optional().describe('One service; all when absent'),
    tail: z.number().int().min(1).optional(),
    scan: z
      .strictObject({
        patterns: z.array(logPattern('Regex of an unwanted line (a leading (?i) = case-insensitive)')).min(1).describe('Regexes of unwanted lines'),
        allow: z.array(logPattern('Regex of a line to ignore')).default([]).describe('Regexes of lines to ignore'),
      })
      .optional()
      .describe('Fail when an unallowed line matches'),
  }),
  timeout: 'hard',
  needs: () => ['logs'],
  title: (step) => `Logs of ${step.service ?? 'all services'}${step.tail ? ` (tail ${step.tail})` : ''}`,
  async run(step, ctx) {
    const scanner = step.scan ? createLineScanner({ patterns: step.scan.patterns, allow: step.scan.allow }) : null;
    // Scan what lands in the artifact (the redacted lines) as it streams by.
    let count = 0;
    const untap = ctx.log.tap((line) => {
      count++;
      scanner?.push(line);
    });
    try {
      await ctx.driver.logs(step.service, { ...(step.tail === undefined ? {} : { tail: step.tail }), output: ctx.log, signal: ctx.signal });
    } finally {
      untap();
    }
    const what = `${step.service ?? 'all services'}${step.tail ? ` (last ${step.tail} lines)` : ''}`;
    if (!scanner) return { passed: true, detail: `${count} lines of ${what}` };
    const result = scanner.result();
    ctx.log.line(`log scan over ${count} lines of ${what}: ${describeScan(result)}`);
    for (const match of result.matches) ctx.log.line(`  unallowed line ${match.lineNo} (/${match.pattern}/): ${match.line}`);
    ctx.counts['logs.errors'] = result.count;
    return { passed: result.count === 0, detail: describeScan(result), evidence: count };
  },
});
