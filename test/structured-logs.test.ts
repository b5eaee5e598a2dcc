import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, marker, processesWith, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * The log scan that `init` suggests (`\bERROR\b`, `Traceback`) on a real process that logs
 * JSON, as most current web stacks do: the level field is read, not only the patterns.
 */

async function gate(structuredLevels?: boolean) {
  const dir = tempDir();
  const mark = marker();
  const port = await freePort();
  // A service that logs one info line and one error line as JSON (pino/zap-like), then answers
  // its healthcheck: the lines are out before the gate sees it healthy.
  writeFileSync(
    join(dir, 'service.js'),
    `console.log(JSON.stringify({ level: 'info', msg: 'starting' }));
console.log(JSON.stringify({ level: 'error', msg: 'db connection lost' }));
require('node:http').createServer((req, res) => res.end('ok')).listen(${port}, '127.0.0.1');
`,
  );
  const flag = structuredLevels === undefined ? '' : `, structuredLevels: ${structuredLevels}`;
  const config = writeConfig(
    dir,
    `
name: structured-logs
criteria: { logs: Logs }
stack:
  driver: local
  services:
    api:
      command: [node, service.js, --marker=${mark}]
      healthcheck: { http: "http://127.0.0.1:${port}/", interval: 100ms, retries: 50 }
      ports: [${port}]
phases:
  - id: boot
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s }
  - id: logs
    always: true
    steps:
      - { log: 03_logs, do: logs, scan: { patterns: ['\\bERROR\\b', 'Traceback'], allow: []${flag} }, criterion: logs }
  - id: summary
    always: true
    steps: [{ log: 99_summary, do: summary }]
`,
  );
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir], { cwd: dir });
  const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
  assert.deepEqual(processesWith(mark), [], 'processes left running');
  const logsLine = read('99_summary.log').split('\n').find((l) => l.includes(' Logs:')) ?? '';
  return { ...run, read, logsLine, out: run.stdout + run.stderr };
}

describe('structured logs', () => {
  it('fails Logs on a JSON line whose level is error, naming the line, with only the suggested text patterns', async () => {
    const run = await gate();
    assert.equal(run.code, 1, run.out);
    assert.match(run.logsLine, /❌ Logs: 1 unallowed error line \(first: .*\{"level":"error","msg":"db connection lost"\}\)/);
    assert.match(run.read('03_logs.log'), /unallowed line \d+ \(JSON "level":"error"\): .*db connection lost/);
  });

  it('reads the patterns only with structuredLevels: false', async () => {
    const run = await gate(false);
    assert.equal(run.code, 0, run.out);
    assert.match(run.logsLine, /✅ Logs: 0 unallowed error lines/);
  });
});
