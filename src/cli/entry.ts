import { readFileSync, writeSync } from 'node:fs';

/** What an entry point runs: cli.ts's main, from the modules or from the bundle. */
export interface CliModule {
  main(argv: string[], version: string): Promise<number>;
}

/**
 * The part both entry points share. Imports nothing but node:fs, so `release-gate --version`
 * answers before any heavy module loads: the commands come from `load` only after.
 */
export async function runEntry(load: () => Promise<CliModule>): Promise<void> {
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const argv = process.argv.slice(2);
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    // Straight to fd 1: creating process.stdout (a pipe stream and its modules) would double the cost of the answer.
    writeVersion(version);
    return;
  }
  // `release-gate plan | head` closes the pipe early: that is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const cli = await load();
  process.exitCode = await cli.main(argv, version);
}

function writeVersion(version: string): void {
  try {
    writeSync(1, `${version}\n`);
  } catch (err) {
    // A closed pipe (`release-gate --version | true`) is no failure; anything else is.
    if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
  }
}
