import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { compareProbeOutputs } from '../checks/idempotence-diff.js';
import { judge, type Judgement } from '../checks/judges.js';
import { checkOutput, outputExpectationSchema } from '../checks/output-expectation.js';
import { reportFreshness } from '../checks/report-freshness.js';
import { parseJUnitXml } from '../checks/junit-xml-parser.js';
import { formatFailingTests } from '../checks/test-report-judge.js';
import { combineTestReports, type TestReport } from '../checks/test-report.js';
import { parseTestSummary } from '../checks/test-summary-parser.js';
import { errorMessage } from '../common/errors.js';
import { describeExit } from '../common/exit-code.js';
import { oneLineCommand, toArgv } from '../common/process-group.js';
import { commandSchema, envSchema, regexSchema } from '../common/schema-parts.js';
import { defineStepKind, type StepContext, type StepOutcome } from './step-kind.js';

const execSchema = z.strictObject({
  service: z.string().describe('Service to run the command in'),
  run: commandSchema,
  env: envSchema.default({}),
  exitCode: z.number().int().default(0).describe('Expected exit code'),
  expect: outputExpectationSchema.optional(),
  detailFrom: regexSchema()
    .optional()
    .describe('When the step fails, the output lines matching this regex lead its ❌ line (`model changes without a migration: …`)'),
  idempotence: z
    .strictObject({
      probe: commandSchema.describe('Command printing the state; its output before and after this step must be equal'),
      service: z.string().optional(),
    })
    .optional(),
  results: z
    .strictObject({
      junit: z.string().optional().describe('JUnit XML path inside the service, copied out and parsed; it must have been written after the step started (else "stale report")'),
      xfail: z.enum(['fail', 'allow']).default('fail').describe('Whether xfailed tests count as skipped (fail) or are allowed'),
      allowRetries: z
        .string()
        .trim()
        .min(1)
        .optional()
        .describe('Why tests that passed only on a rerun are accepted; without it each one fails Tests. An accepted retry is a deviation: the run reads PARTIAL'),
      allowDeselected: z
        .string()
        .trim()
        .min(1)
        .optional()
        .describe('Why deselected tests (pytest `N deselected`) are accepted; without it they fail Tests. An accepted deselection is a deviation: the run reads PARTIAL'),
    })
    .optional()
    .describe('Judge a test run: 0 failed, 0 errors, 0 skipped, 0 passed only on a rerun, 0 deselected'),
});
type ExecStep = z.output<typeof execSchema>;

/** Lines of output kept for judging (expectations, test summaries); older lines are dropped. */
const MAX_KEPT_LINES = 50_000;

/**
 * Runs a command in a service and judges it: exit code, output expectations, a test
 * report (0 failed/errors/skipped), and idempotence (a probe's output before and after
 * the command must be equal).
 */
export const execStep = defineStepKind({
  name: 'exec',
  schema: execSchema,
  timeout: 'hard',
  needs: () => ['exec'],
  title: (step) => `Run in ${step.service}: ${oneLineCommand(step.run)}`,
  run: runExec,
});

async function runExec(step: ExecStep, ctx: StepContext): Promise<StepOutcome> {
  const probeService = step.idempotence?.service ?? step.service;
  const before = step.idempotence ? await runProbe(ctx, probeService, step.idempotence.probe, 'before') : null;

  const argv = toArgv(step.run);
  // A results file must be written after this moment: an older one is another run's.
  const startedAt = ctx.clock.now();
  ctx.log.line(`$ [${step.service}] ${argv.join(' ')}`);
  const stopCapture = ctx.log.capture();
  const { exitCode } = await ctx.driver.exec(step.service, argv, { env: step.env, output: ctx.log, signal: ctx.signal });
  const lines = stopCapture().slice(-MAX_KEPT_LINES);
  ctx.log.line(describeExit(exitCode).replace(/^exit/, 'exit code'));

  const failures: string[] = [];
  const details: string[] = [];
  // What the step accepted that zero tolerance would not (an allowed retry): the run says so.
  const deviations: string[] = [];
  // Every verdict through a judge over recorded evidence: `selftest` re-judges the same input.
  const judgements: Judgement[] = [];
  // How much the step observed, when it judges output: no evidence is never a pass.
  let evidence: number | undefined;
  // A test run judged by its exit code alone lets skips through: say so in the evidence (selftest reads it).
  const unjudgedTests = step.results ? null : parseTestSummary(lines.join('\n'));
  const testRun = unjudgedTests && unjudgedTests.total > 0 ? `${unjudgedTests.total} tests in a ${unjudgedTests.source} summary line` : undefined;
  const exit = judge('exit-code', { exitCode, expected: step.exitCode, ...(testRun ? { testRun } : {}) });
  judgements.push(exit);
  if (!exit.passed) failures.push(`${describeExit(exitCode).replace(/^exit/, 'exit code')} (expected ${step.exitCode})`);
  if (step.expect) {
    const result = checkOutput(lines, step.expect);
    evidence = result.matched;
    for (const failure of result.failures) ctx.log.line(`✗ ${failure}`);
    const output = judge('output', { lines, expectation: step.expect });
    judgements.push(output);
    (output.passed ? details : failures).push(output.detail);
  }
  if (step.results) {
    const judged = await judgeResults(step, ctx, lines, startedAt);
    evidence = Math.min(evidence ?? Infinity, judged.evidence);
    if (judged.judgement) judgements.push(judged.judgement);
    (judged.passed ? details : failures).push(judged.detail);
    deviations.push(...judged.deviations);
  }
  if (step.idempotence && before !== null) {
    const after = await runProbe(ctx, probeService, step.idempotence.probe, 'after');
    const same = judge('idempotence', { before, after });
    judgements.push(same);
    if (!same.passed && before.exitCode === 0 && after.exitCode === 0) {
      ctx.log.line('✗ state changed by this run; probe diff:');
      ctx.log.line(compareProbeOutputs(before.output, after.output, 'state').diff);
    }
    (same.passed ? details : failures).push(same.detail);
  }
  if (failures.length > 0 && step.detailFrom) {
    const re = new RegExp(step.detailFrom);
    const explained = [...new Set(lines.filter((line) => re.test(line)).map((line) => line.trim()))].slice(0, 3);
    failures.unshift(...explained);
  }
  return {
    passed: failures.length === 0,
    exitCode,
    // A failure keeps what was measured too: `exit code 139 (SIGSEGV); 477 passed, 0 failed…`.
    detail: failures.length > 0 ? [...failures, ...details].join('; ') : details.join('; ') || `exit code ${exitCode}`,
    ...(evidence === undefined ? {} : { evidence }),
    ...(deviations.length > 0 ? { deviations } : {}),
    judgements,
  };
}

/** Runs the idempotence probe, keeping its output (redacted) and exit code. */
async function runProbe(ctx: StepContext, service: string, probe: string | string[], label: string): Promise<{ output: string; exitCode: number }> {
  const argv = toArgv(probe);
  ctx.log.line(`--- idempotence probe (${label}): [${service}] ${argv.join(' ')} ---`);
  const stop = ctx.log.capture();
  const { exitCode } = await ctx.driver.exec(service, argv, { output: ctx.log, signal: ctx.signal });
  const output = stop().join('\n');
  if (exitCode !== 0) ctx.log.line(`✗ probe exit code ${exitCode}`);
  return { output, exitCode };
}

async function judgeResults(
  step: ExecStep,
  ctx: StepContext,
  lines: string[],
  startedAt: number,
): Promise<{ passed: boolean; detail: string; evidence: number; judgement?: Judgement; deviations: string[] }> {
  const results = step.results as NonNullable<ExecStep['results']>;
  const policy = { allowXfail: results.xfail === 'allow', allowRetries: results.allowRetries, allowDeselected: results.allowDeselected };
  let report: TestReport | null = null;
  if (results.junit) {
    const local = ctx.artifactPath(`${ctx.logName}_junit.xml`);
    try {
      const copied = await ctx.driver.copyOut(step.service, results.junit, local);
      const freshness = reportFreshness(results.junit, copied, startedAt, ctx.clock.now());
      if (!freshness.fresh) {
        // Not this step's: neither it nor the summary line may stand in for the run that wrote none.
        ctx.log.line(`✗ ${freshness.detail} (copy kept as ${local.split('/').pop()})`);
        return { passed: false, detail: freshness.detail, evidence: 0, deviations: [] };
      }
      // The test run's own report passes through redaction like every artifact.
      writeFileSync(local, ctx.redactor.redact(readFileSync(local, 'utf8')));
      report = parseJUnitXml(readFileSync(local, 'utf8'));
      ctx.log.line(`read JUnit report ${results.junit} (copied to ${local.split('/').pop()})`);
    } catch (err) {
      ctx.log.line(`cannot read JUnit report ${results.junit}: ${errorMessage(err)}; falling back to the summary line`);
      if (existsSync(local) && report === null) ctx.log.line('(the copied file is kept for inspection)');
    }
  }
  // One source for the counts: the summary line when there is one (pytest's own), names from JUnit.
  report = combineTestReports(report, parseTestSummary(lines.join('\n')));
  if (!report) return { passed: false, detail: 'no test report: no JUnit file and no recognisable summary line', evidence: 0, deviations: [] };
  const verdict = judge('tests', { report, policy });
  // A stable, greppable line: `grep passed <log> | tail -1` shows the counts.
  const retried = report.retried ?? 0;
  const deselected = report.deselected ?? 0;
  ctx.log.line(
    `TESTS: ${report.passed} passed, ${report.failed + report.xpassed} failed, ${report.errors} errors, ${report.skipped} skipped, ${report.xfailed} xfailed, ${retried} retried, ${deselected} deselected (source: ${report.source})`,
  );
  if (retried > 0) ctx.log.line(`retried (passed only on a rerun): ${(report.retriedIds ?? []).join(', ') || '(not named in the output)'}${policy.allowRetries ? ` (accepted: ${policy.allowRetries})` : ''}`);
  ctx.counts['tests.retried'] = retried;
  ctx.counts['tests.deselected'] = deselected;
  ctx.counts['tests.passed'] = report.passed;
  ctx.counts['tests.failed'] = report.failed + report.xpassed;
  ctx.counts['tests.errors'] = report.errors;
  ctx.counts['tests.skipped'] = report.skipped + (policy.allowXfail ? 0 : report.xfailed);
  if (!verdict.passed) {
    const file = ctx.artifactPath(`${ctx.logName}_failing_tests.txt`);
    writeFileSync(file, ctx.redactor.redact(formatFailingTests(report, policy)));
    ctx.log.line(`failing tests written to ${file.split('/').pop()}`);
  }
  const deviations = [
    ...(retried > 0 && policy.allowRetries ? [`${ctx.logName}: ${retried} retried test${retried === 1 ? '' : 's'} accepted (${policy.allowRetries})`] : []),
    ...(deselected > 0 && policy.allowDeselected ? [`${ctx.logName}: ${deselected} deselected test${deselected === 1 ? '' : 's'} accepted (${policy.allowDeselected})`] : []),
  ];
  return {
    passed: verdict.passed,
    detail: verdict.detail,
    judgement: verdict,
    evidence: report.passed + report.failed + report.errors + report.skipped + report.xfailed + report.xpassed,
    deviations: verdict.passed ? deviations : [],
  };
}
