// The restore drill's throwaway copy never outlives the gate, even when the step's own timeout
// cuts its cleanup: the teardown runs the cleanup again. Real processes (local driver).
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runGateInProcess } from './gate-in-process.js';

const GATE = `
name: restore-cleanup
stack:
  driver: local
  services:
    app: { command: [node, -e, "setInterval(() => {}, 1000)"] }
criteria: { restore: Restore }
phases:
  - id: B
    steps: [{ log: 01_up, do: up }]
  - id: R
    steps:
      - log: 18_restore_drill
        do: restore-drill
        timeout: 3s
        criterion: restore
        probe: { service: app, run: [sh, -c, "echo rows 3"] }
        restoredProbe: { run: [sh, -c, "cat copy.txt"] }
        backup: { service: app, run: [sh, -c, "echo rows 3 > dump.txt"] }
        restore: { service: app, run: [sh, -c, "cp dump.txt copy.txt"] }
        # The first cleanup hangs past the step's timeout; the second (the teardown's) removes the copy.
        cleanup: { service: app, run: [sh, -c, "if [ -f cut ]; then rm -f copy.txt; else touch cut; sleep 30; fi"] }
  - id: summary
    always: true
    steps: [{ log: 17_summary, do: summary }]
`;

describe('restore drill cleanup', () => {
  it('runs the cleanup again at teardown when the step timed out during it: the copy is gone', async () => {
    const run = await runGateInProcess(GATE);
    assert.equal(run.exitCode, 1);
    assert.ok(existsSync(join(run.dir, 'cut')), 'the first cleanup did not start');
    assert.ok(!existsSync(join(run.dir, 'copy.txt')), 'the throwaway copy outlived the gate');
    assert.match(run.read('18_restore_drill.log'), /--- cleanup: \[app\] sh -c if \[ -f cut \]/);
  });
});
