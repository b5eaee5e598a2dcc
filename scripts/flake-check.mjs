#!/usr/bin/env node
// Flake check (not part of `npm test`): runs N healthy sample gates in a row with a short
// stability window and counts the false reds (any exit but 0 on a stack that is healthy).
//
//   node scripts/flake-check.mjs [N=50] [--stability 2s]
//
// Each run goes through scripts/start.mjs (free ports when the defaults are taken) with its
// own log dir; a red run's stoppedAt and the log dir are printed so it can be read afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const windowAt = args.indexOf('--stability');
const window = windowAt >= 0 ? args[windowAt + 1] : '2s';
const n = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--stability') ?? 50);
const base = mkdtempSync(join(tmpdir(), 'rg-flake-'));
const reds = [];
const durations = [];
console.log(`flake-check: ${n} healthy sample gates, window ${window}, logs under ${base}`);
for (let i = 1; i <= n; i++) {
  const logDir = join(base, `run-${String(i).padStart(3, '0')}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'scripts/start.mjs'), '--stability', window, '--log-dir', logDir], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const seconds = (Date.now() - started) / 1000;
  durations.push(seconds);
  const summaryFile = join(logDir, 'summary.json');
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : null;
  const ok = r.status === 0 && summary?.verdict === 'passed';
  if (!ok) reds.push({ i, code: r.status, stoppedAt: summary?.stoppedAt ?? '(no summary)', logDir, tail: (r.stdout + r.stderr).trim().split('\n').slice(-5).join('\n    ') });
  console.log(`run ${i}/${n}: ${ok ? 'green' : `RED (exit ${r.status}, stopped at ${summary?.stoppedAt ?? '?'})`} in ${seconds.toFixed(1)}s`);
}
const mean = durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length);
console.log(`\nflake-check: ${n - reds.length}/${n} green, ${reds.length} false red(s); mean ${mean.toFixed(1)}s per gate`);
for (const red of reds) console.log(`  run ${red.i}: exit ${red.code}, stopped at ${red.stoppedAt}, logs ${red.logDir}\n    ${red.tail}`);
process.exit(reds.length === 0 ? 0 : 1);
