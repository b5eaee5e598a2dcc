import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
// Each test file runs in a process of its own: its temp dirs go when it exits, whatever happened.
process.once('exit', () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // The suite's own temp dir (scripts/suite-tmpdir.mjs) goes anyway.
    }
  }
});

/** A temp dir of this test file's own (for unit tests), removed when the test process exits. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
