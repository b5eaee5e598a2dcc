#!/usr/bin/env node
// Runs the unit and integration suite (`npm test`): every compiled *.test.js except the
// Docker ones (*.docker.test.js, `npm run test:docker`), which need a real engine.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['dist/src', 'dist/test', 'examples/korrigo-lite/dist'];

function* testFiles(dir) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.js') && !entry.name.endsWith('.docker.test.js')) yield path;
  }
}

// test/report-html.test.ts opens report.html in a real headless Chromium (Debian's package):
// say so before five minutes of tests, not after. Never a skip (a missing browser is a failure).
const chromium = process.env.RG_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(
    `run-tests: ${chromium} not found. The suite opens report.html in a real headless browser.\n` +
      '  Debian/Ubuntu: sudo apt-get install -y chromium   (what .ci/run does)\n' +
      '  elsewhere:     RG_CHROMIUM=/path/to/chromium-or-chrome npm test',
  );
  process.exit(1);
}

const files = roots.flatMap((dir) => [...testFiles(dir)]).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found; did `tsc -b` run?');
  process.exit(1);
}
// A parse cache of its own, empty at the start (src/config/parse-cache.ts): every run parses
// each config once for real, then reads it back, and writes nothing in the user's ~/.cache.
const cache = mkdtempSync(join(tmpdir(), 'rg-test-parse-cache-'));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RELEASE_GATE_CACHE: cache },
});
rmSync(cache, { recursive: true, force: true });
process.exit(result.status ?? 1);
