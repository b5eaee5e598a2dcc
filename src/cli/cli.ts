import { Command, CommanderError, Option } from 'commander';
import { RgError } from '../common/errors.js';
import { maskUrlCredentials } from '../common/url-credentials.js';
import type { CliOptions, CompareOptions, VerifyOptions } from './cli-options.js';

const EXAMPLES = `
Examples:
  $ release-gate run                                  # release-gate.yml in the current folder
  $ release-gate run --preset korrigo                 # gate a Korrigo checkout (Docker Compose)
  $ release-gate run --config examples/korrigo-lite/release-gate.yml --stability 5s
  $ release-gate run --only B,C --keep-up             # some phases, leave the stack running
  $ release-gate run --from E                         # resume from a phase (stack already up)
  $ release-gate plan --preset korrigo                # print the resolved phases, run nothing
  $ release-gate verify /tmp/gate --key gate.pub      # every artifact untouched (and signed)
  $ release-gate verify /tmp/gate --key gate.pub --image shop-web:1.4  # the signed run PASSED for this image
  $ release-gate compare /tmp/gate-v1 /tmp/gate-v2 --max-slowdown 20% --markdown
  $ release-gate init -f compose.yml -f compose.prod.yml  # a commented release-gate.yml for your stack
  $ release-gate selftest --preset korrigo            # prove every criterion can fail, on your stack
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
    .option('--sign-key <file>', 'ed25519 private key (PEM): also write release-gate-attestation.json, a signed DSSE envelope of the manifest')
    .option('--baseline <dir>', "an earlier run's log dir: the images step judges each image's growth since it (maxGrowth)")
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      verbose = Boolean(opts.verbose);
      const { runCommand } = await import('./run-command.js');
      exitCode = await runCommand(opts, version);
    });
  addConfigOptions(program.command('selftest').description('run the gate once, then prove each criterion turns red on an injected defect (run after adopting or editing a config)'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      verbose = Boolean(opts.verbose);
      const { selftestCommand } = await import('./selftest-command.js');
      exitCode = await selftestCommand(opts, version);
    });
  addConfigOptions(program.command('plan').description('print the resolved phases, steps, logs and criteria; run nothing'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CliOptions) => {
      verbose = Boolean(opts.verbose);
      const { planCommand } = await import('./plan-command.js');
      exitCode = await planCommand(opts);
    });
  program
    .command('verify')
    .description('check that a log dir is the untouched output of a run: every hash of manifest.json (and the signature)')
    .argument('<dir>', 'the log dir of a run')
    .option('--key <file>', 'ed25519 public key (PEM): also check release-gate-attestation.json is signed by it')
    .option('--image <ref>', 'also require the signed test-result statement to be PASSED for this image (name:tag via the local Docker engine, or sha256:<hex>); needs --key')
    .option('-v, --verbose', 'show stack traces and debug details')
    .action(async (dir: string, opts: VerifyOptions & { verbose?: boolean }) => {
      verbose = Boolean(opts.verbose);
      const { verifyCommand } = await import('./evidence-commands.js');
      exitCode = await verifyCommand(dir, opts);
    });
  program
    .command('compare')
    .description('compare two runs: criteria, step durations, test counts, E2E latency, image digests; exit 1 on a regression')
    .argument('<a>', 'log dir of the baseline run')
    .argument('<b>', 'log dir of the run to judge')
    .option('--max-slowdown <percent>', 'flag a step or an E2E p95 slower than this as a regression, e.g. 20%')
    .option('--markdown', 'print Markdown (for a PR comment)')
    .option('-v, --verbose', 'show stack traces and debug details')
    .action(async (a: string, b: string, opts: CompareOptions & { verbose?: boolean }) => {
      verbose = Boolean(opts.verbose);
      const { compareCommand } = await import('./evidence-commands.js');
      exitCode = await compareCommand(a, b, opts);
    });
  program
    .command('init')
    .description('write a commented release-gate.yml for your compose file (clean, build, up, waits, stability, logs, summary; TODOs for the rest)')
    .option('-f, --compose <file>', 'compose file; repeat it for an override file, merged in order as `docker compose -f a -f b` (default: compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml here)', (file: string, files: string[] = []) => [...files, file])
    .option('--force', 'replace an existing release-gate.yml')
    .action(async (opts: { compose?: string[]; force?: boolean }) => {
      const { initCommand } = await import('./init-command.js');
      exitCode = initCommand(opts);
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

/** Prints an error with its code and hint; the stack only with --verbose. Returns the exit code. */
export function reportError(err: unknown, verbose: boolean): number {
  // Printed before (or without) the run's redactor: a config error quoting a URL keeps its credential hidden.
  const write = (text: string) => process.stderr.write(maskUrlCredentials(text));
  if (err instanceof RgError) {
    write(`release-gate: ${err.message}\n`);
    if (err.hint) write(`  hint: ${err.hint}\n`);
    write(`  (${err.code}, exit ${err.exitCode})\n`);
    if (verbose && err.stack) write(`${err.stack}\n`);
    return err.exitCode;
  }
  write(`release-gate: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  write(verbose && err instanceof Error && err.stack ? `${err.stack}\n` : '  (run with --verbose for the stack trace)\n');
  return 1;
}
