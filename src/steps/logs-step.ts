import { z } from 'zod';
import { judge } from '../checks/judges.js';
import { compileLogPattern, createLineScanner, describeScan, scanLines } from '../checks/log-scan.js';
import { regexSchema } from '../common/schema-parts.js';
import { defineStepKind } from './step-kind.js';

/** Scanned lines kept as evidence (selftest re-judges them); older ones are kept as counts. */
const KEPT_LINES = 5000;

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
        structuredLevels: z
          .boolean()
          .default(true)
          .describe('Also fail on JSON log lines whose level/severity field says error, critical, fatal, panic, alert or emergency (or a pino/bunyan level ≥ 50); false = patterns only'),
      })
      .optional()
      .describe('Fail when an unallowed line matches'),
  }),
  timeout: 'hard',
  needs: () => ['logs'],
  title: (step) => `Logs of ${step.service ?? 'all services'}${step.tail ? ` (tail ${step.tail})` : ''}`,
  async run(step, ctx) {
    const scanner = step.scan ? createLineScanner({ patterns: step.scan.patterns, allow: step.scan.allow, structuredLevels: step.scan.structuredLevels }) : null;
    // Scan what lands in the artifact (the redacted lines) as it streams by.
    let count = 0;
    const kept: string[] = [];
    const untap = ctx.log.tap((line) => {
      count++;
      if (!scanner) return;
      scanner.push(line);
      kept.push(line);
      // Trimmed in batches: amortised O(1) per line on long logs.
      if (kept.length > 2 * KEPT_LINES) kept.splice(0, kept.length - KEPT_LINES);
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
    for (const match of result.matches) ctx.log.line(`  unallowed line ${match.lineNo} (${match.structured ? `JSON ${match.pattern}` : `/${match.pattern}/`}): ${match.line}`);
    ctx.counts['logs.errors'] = result.count;
    if (kept.length > KEPT_LINES) kept.splice(0, kept.length - KEPT_LINES);
    const scan = { patterns: step.scan?.patterns ?? [], allow: step.scan?.allow ?? [], structuredLevels: step.scan?.structuredLevels ?? true };
    const droppedMatches = result.count - scanLines(kept, scan).count;
    const verdict = judge('log-scan', { ...scan, lines: kept, droppedLines: count - kept.length, droppedMatches });
    return { passed: verdict.passed, detail: describeScan(result), evidence: count, judgements: [verdict] };
  },
});
