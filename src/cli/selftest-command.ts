import { formatSelftest, judgeSelftest, writeSelftest } from '../engine/selftest.js';
import type { CliOptions } from './cli.js';
import { runCommand } from './run-command.js';

/**
 * `release-gate selftest`: runs the gate once (a normal run, its own log dir), then re-judges its
 * evidence with one injected defect per check. Exit 0 only when every criterion was caught.
 */
export async function selftestCommand(opts: CliOptions, version: string): Promise<number> {
  return runCommand(opts, version, (outcome, run, redactor) => {
    const report = judgeSelftest({ config: run.config, result: outcome.result, evidence: outcome.evidence, partialSelection: Boolean(run.selected) });
    const text = formatSelftest(report);
    process.stdout.write(`\n${redactor.redact(text)}`);
    writeSelftest(run.logDir, report, redactor);
    process.stdout.write(`selftest: ${run.logDir}/selftest.json\n`);
    // Exit 3 (environment) and 130 (interrupted) say more than "vacuous".
    if (outcome.exitCode > 1) return outcome.exitCode;
    return report.passed ? 0 : 1;
  });
}
