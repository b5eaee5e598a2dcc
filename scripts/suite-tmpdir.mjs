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
      // Grouped by name without its random part (mkdtemp's 6 characters, a hash): which helper leaks.
      const groups = new Map();
      for (const name of left) {
        const kind = name.replace(/[-_]([A-Za-z0-9]{6}|[0-9a-f]{12})$/, '-*');
        groups.set(kind, (groups.get(kind) ?? 0) + 1);
      }
      const kinds = [...groups].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${n} ${kind}`).join(', ');
      console.log(`${suite}: the tests left ${left.length} item(s) in their temp dir${left.length > 0 ? ` (${kinds})` : ''}; removing ${dir}`);
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
