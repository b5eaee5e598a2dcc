#!/usr/bin/env node
/*
 * Entry point. Kept tiny so `release-gate --version` answers before any heavy module loads:
 * the commands import the engine lazily.
 */
import { readFileSync } from 'node:fs';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

// `release-gate plan | head` closes the pipe early: that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./cli.js');
  process.exitCode = await main(argv, VERSION);
}
