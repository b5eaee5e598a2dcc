import { Command, CommanderError, Option } from 'commander';
import { RgError, RgUsageError } from '../common/errors.js';
import { MAX_BUDGET_MS, MAX_STABILITY_WINDOW_MS as MAX_WINDOW_MS, formatDuration, parseDuration } from '../common/duration.js';

export interface CliOptions {
  config?: string;
  preset?: string;
  only?: string;
  skip?: string;
  from?: string;
  logDir?: string;
  stability?: string;
  deadline?: string;
  keepUp?: boolean;
  forceClean?: boolean;
  verbose?: boolean;
}

const EXAMPLES = `
Examples:
  $ release-gate run                                  # release-gate.yml in the current folder
  $ release-gate run --preset korrigo                 # gate a Korrigo checkout (Docker Compose)
  $ release-gate run --config examples/korrigo-lite/release-gate.yml --stability 5s
  $ release-gate run --only B,C --keep-up             # some phases, leave the stack running
  $ release-gate run --from E                         # resume from a phase (stack already up)
  $ release-gate plan --preset korrigo                # print the resolved phases, run nothing
  $ LOG_DIR=/tmp/gate METRICS_TOKEN=s3cret release-gate run

Exit codes: 0 gate passed · 1 gate failed (or its deadline passed) · 2 bad usage/config (nothing run)
            3 environment unavailable (no Docker, port taken, disk full)
            128+n interrupted by signal n (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT)`;

function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default: release-gate.yml in the current folder)')
    .option('-p, --preset <name>', 'preset to use or extend (e.g. korrigo)')
    .option('--only <ids>', 'run only these phases/steps (comma-separated ids)')
    .option('--skip <ids>', 'skip these phases/steps (comma-separated ids)')
    .option('--from <phase>', 'start at this phase (or step) id')
    .option('--log-dir <dir>', 'artifacts folder (env LOG_DIR; default /tmp/release_gate_<UTC timestamp>)')
    .option('--stability <duration>', 'stability window for every stability step, e.g. 180s, 3m, 500ms')
    .option('--deadline <duration>', 'budget of the whole gate (config `deadline:`); past it the running step stops, logs and summary are still written')
    .option('--force-clean', 'compose: allow `down -v` on a project holding containers release-gate did not create')
    .option('-v, --verbose', 'show stack traces and debug details');
}

/** Parses argv and runs a command; returns the process exit code. The only place that decides exits. */
export async function main(argv: string[], version: string): Promise<number> {
  const program = new Command('release-gate')
    .description('Validate a release of a multi-service web application in one command, with zero tolerance.')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run release-gate --help for usage)');
  let exitCode = 0;
  let verbose = argv.includes('--verbose') || argv.includes('-v');

  addConfigOptions(program.command('run').description('run the gate: every phase, logs and summary, then teardown'))
    .addOption(new Option('--keep-up', 'leave the stack running at the end'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      verbose = Boolean(opts.verbose);
      validateFlags(opts);
      const { runCommand } = await import('./run-command.js');
      exitCode = await runCommand(opts, version);
    });
  addConfigOptions(program.command('plan').description('print the resolved phases, steps, logs and criteria; run nothing'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      verbose = Boolean(opts.verbose);
      validateFlags(opts);
      const { planCommand } = await import('./plan-command.js');
      exitCode = await planCommand(opts);
    });
  program
    .command('schema')
    .description('print the JSON Schema of the config file')
    .action(async () => {
      const { schemaCommand } = await import('./plan-command.js');
      exitCode = schemaCommand();
    });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not errors.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    return reportError(err, verbose);
  }
}

function validateFlags(opts: CliOptions): void {
  if (opts.stability !== undefined) {
    const ms = parseDuration(opts.stability);
    if (ms === null) throw new RgUsageError(`--stability: "${opts.stability}" is not a duration.`, 'Use e.g. 180s, 3m or 500ms.');
    if (ms <= 0 || ms > MAX_WINDOW_MS) {
      throw new RgUsageError(`--stability: ${opts.stability} is out of range.`, `A window watches the stack: give more than 0s and at most ${formatDuration(MAX_WINDOW_MS)} (e.g. 180s).`);
    }
  }
  if (opts.deadline !== undefined) {
    const ms = parseDuration(opts.deadline);
    if (ms === null || ms <= 0) throw new RgUsageError(`--deadline: "${opts.deadline}" is not a positive duration.`, 'Use e.g. 30m or 1h.');
    if (ms > MAX_BUDGET_MS) throw new RgUsageError(`--deadline: ${opts.deadline} is out of range.`, `Give at most ${formatDuration(MAX_BUDGET_MS)} (e.g. 30m or 1h).`);
  }
}

/** Prints an error with its code and hint; the stack only with --verbose. Returns the exit code. */
export function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof RgError) {
    process.stderr.write(`release-gate: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
    process.stderr.write(`  (${err.code}, exit ${err.exitCode})\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  process.stderr.write(`release-gate: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.stderr.write(verbose && err instanceof Error && err.stack ? `${err.stack}\n` : '  (run with --verbose for the stack trace)\n');
  return 1;
}
