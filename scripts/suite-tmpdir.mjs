// A test suite's own temp dir: TMPDIR (and TMP, TEMP) for every test and every gate they run,
// made empty at the start and removed at the end, so a suite leaves nothing in the machine's
// temp dir. What the tests left in it is counted and named first: a test that forgets its
// temp folders shows here (test/temp-dir.test.ts holds the gate itself to "leaves nothing").
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** @param {string} suite the suite's name, for the closing line */
export function suiteTmpdir(suite) {
  const dir = mkdtempSync(join(tmpdir(), 'rg-suite-'));
  return {
    dir,
    env: { TMPDIR: dir, TMP: dir, TEMP: dir },
    /** Counts what is left, says so, removes the folder. */
    finish() {
      let left = [];
      try {
        left = readdirSync(dir).filter((name) => !name.startsWith('rg-test-parse-cache-'));
      } catch (err) {
        console.error(`${suite}: cannot read its temp dir ${dir}: ${err.message}`);
      }
      const names = left.slice(0, 8).join(', ') + (left.length > 8 ? `, … ${left.length - 8} more` : '');
      console.log(`${suite}: the tests left ${left.length} item(s) in their temp dir${left.length > 0 ? ` (${names})` : ''}; removing ${dir}`);
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
