import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Counts of one selftest run, as printed in the closing line. */
export interface SelftestSummary {
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  exitCode: number;
}

const SUMMARY_LINE = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/;

/**
 * Runs the backend's own suite (selftest/*.check.js) with node's test runner: spec output
 * streamed to stdout, JUnit XML to junitFile when given, then a pytest-like closing line.
 */
export async function runSelftest(junitFile: string | undefined, print: (line: string) => void): Promise<SelftestSummary> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'selftest');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.check.js')).sort().map((f) => join(dir, f));
  const args = ['--test', '--test-timeout=60000', '--test-reporter=spec', '--test-reporter-destination=stdout'];
  if (junitFile) args.push('--test-reporter=junit', `--test-reporter-destination=${junitFile}`);
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' };
  delete env['NO_COLOR'];
  const started = Date.now();
  const child = spawn(process.execPath, [...args, ...files], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const counts = new Map<string, number>();
  for await (const line of createInterface({ input: child.stdout })) {
    print(line);
    const match = SUMMARY_LINE.exec(line.trim());
    if (match) counts.set(match[1]!, Number(match[2]));
  }
  const code = await new Promise<number>((resolveCode) => {
    if (child.exitCode !== null) resolveCode(child.exitCode);
    else child.on('close', (c) => resolveCode(c ?? 1));
  });
  const get = (k: string): number => counts.get(k) ?? 0;
  const summary: SelftestSummary = {
    passed: get('pass'),
    failed: get('fail') + get('cancelled'),
    skipped: get('skipped') + get('todo'),
    seconds: (Date.now() - started) / 1000,
    // No summary means the runner itself broke: never report that as a pass.
    exitCode: code !== 0 || !counts.has('pass') ? 1 : 0,
  };
  print(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped in ${summary.seconds.toFixed(2)}s`);
  return summary;
}
