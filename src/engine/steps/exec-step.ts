import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { compareProbeOutputs } from '../../checks/idempotence-diff.js';
import { checkOutput } from '../../checks/output-expectation.js';
import { formatFailingTests, judgeTestReport, parseJUnitXml, parseTestSummary, type TestReport } from '../../checks/test-report-parser.js';
import { errorMessage } from '../../common/errors.js';
import { toArgv } from '../../drivers/process-group.js';
import type { StepContext, StepHandler, StepOf, StepOutcome } from '../step-context.js';

/** Lines of output kept for judging (expectations, test summaries); older lines are dropped. */
const MAX_KEPT_LINES = 50_000;

/**
 * Runs a command in a service and judges it: exit code, output expectations, a test
 * report (0 failed/errors/skipped), and idempotence (a probe's output before and after
 * the command must be equal).
 */
export const execStep: StepHandler<'exec'> = async (step, ctx) => {
  const probeService = step.idempotence?.service ?? step.service;
  const before = step.idempotence ? await runProbe(ctx, probeService, step.idempotence.probe, 'before') : null;

  const argv = toArgv(step.run);
  ctx.log.line(`$ [${step.service}] ${argv.join(' ')}`);
  const stopCapture = ctx.log.capture();
  const { exitCode } = await ctx.driver.exec(step.service, argv, { env: step.env, output: ctx.log, signal: ctx.signal });
  const lines = stopCapture().slice(-MAX_KEPT_LINES);
  ctx.log.line(`exit code ${exitCode}`);

  const failures: string[] = [];
  const details: string[] = [];
  if (exitCode !== step.exitCode) failures.push(`exit code ${exitCode} (expected ${step.exitCode})`);
  if (step.expect) {
    const result = checkOutput(lines, step.expect);
    for (const failure of result.failures) ctx.log.line(`✗ ${failure}`);
    (result.passed ? details : failures).push(result.detail);
  }
  if (step.results) {
    const judged = await judgeResults(step, ctx, lines);
    (judged.passed ? details : failures).push(judged.detail);
  }
  if (step.idempotence && before !== null) {
    const after = await runProbe(ctx, probeService, step.idempotence.probe, 'after');
    const broken = [before, after].find((p) => p.exitCode !== 0);
    const comparison = compareProbeOutputs(before.output, after.output, 'state');
    if (broken) {
      // Two identical failures (the same traceback twice) would compare equal: judge nothing.
      failures.push(`idempotence probe failed (exit ${broken.exitCode}): cannot judge the state`);
    } else if (comparison.same) {
      details.push('state unchanged by this run (probe output identical)');
    } else {
      ctx.log.line('✗ state changed by this run; probe diff:');
      ctx.log.line(comparison.diff);
      failures.push('not idempotent: probe output changed (diff in log)');
    }
  }
  const outcome: StepOutcome = {
    passed: failures.length === 0,
    exitCode,
    detail: failures.length > 0 ? failures.join('; ') : details.join('; ') || `exit code ${exitCode}`,
  };
  return outcome;
};

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

async function judgeResults(step: StepOf<'exec'>, ctx: StepContext, lines: string[]): Promise<{ passed: boolean; detail: string }> {
  const results = step.results as NonNullable<StepOf<'exec'>['results']>;
  const policy = { allowXfail: results.xfail === 'allow' };
  let report: TestReport | null = null;
  if (results.junit) {
    const local = ctx.artifactPath(`${ctx.logName}_junit.xml`);
    try {
      await ctx.driver.copyOut(step.service, results.junit, local);
      // The test run's own report passes through redaction like every artifact.
      writeFileSync(local, ctx.redactor.redact(readFileSync(local, 'utf8')));
      report = parseJUnitXml(readFileSync(local, 'utf8'));
      ctx.log.line(`read JUnit report ${results.junit} (copied to ${local.split('/').pop()})`);
    } catch (err) {
      ctx.log.line(`cannot read JUnit report ${results.junit}: ${errorMessage(err)}; falling back to the summary line`);
      if (existsSync(local) && report === null) ctx.log.line('(the copied file is kept for inspection)');
    }
  }
  report ??= parseTestSummary(lines.join('\n'));
  if (!report) return { passed: false, detail: 'no test report: no JUnit file and no recognisable summary line' };
  const verdict = judgeTestReport(report, policy);
  // A stable, greppable line: `grep passed <log> | tail -1` shows the counts.
  ctx.log.line(`TESTS: ${report.passed} passed, ${report.failed + report.xpassed} failed, ${report.errors} errors, ${report.skipped} skipped, ${report.xfailed} xfailed (source: ${report.source})`);
  ctx.counts['tests.passed'] = report.passed;
  ctx.counts['tests.failed'] = report.failed + report.xpassed;
  ctx.counts['tests.errors'] = report.errors;
  ctx.counts['tests.skipped'] = report.skipped + (policy.allowXfail ? 0 : report.xfailed);
  if (!verdict.passed) {
    const file = ctx.artifactPath(`${ctx.logName}_failing_tests.txt`);
    writeFileSync(file, ctx.redactor.redact(formatFailingTests(report, policy)));
    ctx.log.line(`failing tests written to ${file.split('/').pop()}`);
  }
  return verdict;
}
