import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, writeConfig } from './helpers.js';

/*
 * The console is quiet by default: one line per step, the summary once, and on a failure the
 * lines that explain it. Service and command output go to the step logs; --verbose streams them.
 */
function gate(opts: { fail?: boolean } = {}): string {
  const chatty = `for i in 1 2 3 4 5; do echo SERVICE-SAYS-$i; done; exec sleep 600`;
  return `
name: quiet
stack:
  driver: local
  services:
    chatty: { command: [sh, -c, ${JSON.stringify(chatty)}] }
criteria: { ran: Ran }
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_host, do: host, run: [sh, -c, "echo COMMAND-SAYS-hello; echo COMMAND-SAYS-bye${opts.fail ? '; exit 3' : ''}"], criterion: ran }
  - id: logs
    always: true
    steps:
      - { log: 03_logs, do: logs }
      - { log: 04_summary, do: summary }
`;
}

async function run(yaml: string, flags: string[] = []) {
  const dir = tempDir();
  const file = writeConfig(dir, yaml);
  const logDir = join(dir, 'logs');
  const result = await runCli(['run', '--config', file, '--log-dir', logDir, ...flags], { cwd: dir });
  return { ...result, lines: result.stdout.trimEnd().split('\n'), read: (name: string) => readFileSync(join(logDir, name), 'utf8') };
}

describe('quiet console', () => {
  it('prints one line per step and the summary once; service and command output stay in the files', async () => {
    const r = await run(gate());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /SERVICE-SAYS|COMMAND-SAYS/);
    for (const log of ['01_up', '02_host', '03_logs']) {
      assert.equal(r.lines.filter((l) => l.includes(`${log}.log`)).length, 1, `one line for ${log}:\n${r.stdout}`);
      assert.match(r.stdout, new RegExp(`✓ ${log}\\.log \\d`));
    }
    assert.equal(r.lines.filter((l) => /Criteria: 1\/1 passed/.test(l)).length, 1, r.stdout);
    assert.equal(r.lines.filter((l) => /GATE PASSED/.test(l)).length, 1, r.stdout);
    assert.ok(r.lines.length <= 12, `${r.lines.length} lines:\n${r.stdout}`);
    // The files keep everything.
    assert.match(r.read('02_host.log'), /COMMAND-SAYS-hello/);
    assert.match(r.read('03_logs.log'), /chatty \| SERVICE-SAYS-5/);
  });

  it('streams service and command output with --verbose', async () => {
    const r = await run(gate(), ['--verbose']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /COMMAND-SAYS-hello/);
    assert.match(r.stdout, /SERVICE-SAYS-5/);
    // The summary log is not echoed on top of the console's own summary.
    assert.equal(r.lines.filter((l) => /GATE PASSED/.test(l)).length, 1, r.stdout);
  });

  it('shows the evidence of a failure: the end of the failed step log', async () => {
    const r = await run(gate({ fail: true }));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✗ 02_host\.log .*exit code 3/);
    assert.match(r.stdout, /last lines of 02_host\.log:\n(?:.*\n)*.*│ .*COMMAND-SAYS-bye/);
    assert.doesNotMatch(r.stdout, /SERVICE-SAYS/);
    assert.equal(r.lines.filter((l) => /GATE FAILED/.test(l)).length, 1, r.stdout);
  });
});
