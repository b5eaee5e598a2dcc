#!/usr/bin/env node
// Runs the unit and integration suite (`npm test`): every compiled *.test.js except the
// Docker ones (*.docker.test.js, `npm run test:docker`), which need a real engine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteTmpdir } from './suite-tmpdir.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['dist/src', 'dist/test', 'examples/korrigo-lite/dist'];

function* testFiles(dir) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.js') && !entry.name.endsWith('.docker.test.js')) yield path;
  }
}

// test/report-html.test.ts opens report.html in a real headless Chromium: the one the
// devDependency @sparticuz/chromium ships (or RG_CHROMIUM). Unpack it and start it now, so a
// browser that cannot run says so before five minutes of tests. Never a skip.
{
  const { testBrowser } = await import('../dist/test/bundled-chromium.js');
  let browser;
  try {
    browser = testBrowser();
  } catch (err) {
    console.error(`run-tests: ${err.message}`);
    process.exit(1);
  }
  const probe = spawnSync(browser.executablePath, ['--headless', '--no-sandbox', '--version'], { encoding: 'utf8', env: { ...process.env, ...browser.env }, timeout: 30_000 });
  if (probe.status !== 0 || !/chrom/i.test(probe.stdout)) {
    console.error(
      `run-tests: the report test's browser does not start: ${browser.source}: ${(probe.error?.message ?? probe.stderr ?? '').trim() || `exit ${probe.status}, version ${JSON.stringify(probe.stdout.trim())}`}\n` +
        '  elsewhere than x64 Linux: RG_CHROMIUM=/path/to/chromium-or-chrome npm test',
    );
    process.exit(1);
  }
  console.log(`run-tests: browser ${probe.stdout.trim()} from ${browser.source}`);
}

const files = roots.flatMap((dir) => [...testFiles(dir)]).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found; did `tsc -b` run?');
  process.exit(1);
}
// A temp dir of its own (TMPDIR for every test and the gates they run), removed at the end
// with whatever the tests left there, counted; and a parse cache of its own, empty at the
// start (src/config/parse-cache.ts): every run parses each config once for real, then reads
// it back, and writes nothing in the user's ~/.cache.
const tmp = suiteTmpdir('npm test');
const cache = mkdtempSync(join(tmp.dir, 'rg-test-parse-cache-'));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ...tmp.env, RELEASE_GATE_CACHE: cache },
});
rmSync(cache, { recursive: true, force: true });
tmp.finish();
process.exit(result.status ?? 1);
