// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/fresh-evidence.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir, writeConfig } from './helpers.js';
import { evidence, labelledObjects, readGateRun } from './korrigo-lite-docker.js';

/*
 * Issue 24 on a real engine: JSON log lines read by their level, a pause seen by the watch,
 * the containers of every profile removed, the engine's own faults named as such.
 */

const COMPOSE = join(FIXTURES, 'fresh-evidence', 'docker-compose.yml');
const projects: string[] = [];
const project = () => {
  const name = `rg-test-fresh-${randomBytes(4).toString('hex')}`;
  projects.push(name);
  return name;
};
const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const leftovers = (name: string) => labelledObjects(`com.docker.compose.project=${name}`);

after(() => {
  for (const name of projects) {
    docker('compose', '-p', name, '-f', COMPOSE, '--profile', 'extra', 'down', '-v', '--remove-orphans', '--timeout', '2');
    assert.deepEqual(leftovers(name), [], `left on the engine by ${name}`);
  }
});

/** A gate on the fixture: clean, up, the `steps` of phase `check`, logs, summary. */
function config(name: string, steps: string, criteria = ''): string {
  return `
name: fresh-evidence
criteria: { boot: Boot, logs: Logs${criteria} }
stack:
  driver: compose
  file: ${COMPOSE}
  project: ${name}
  minFreeDiskMb: 256
teardown: { volumes: true }
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: B
    steps:
      - { log: 02_up, do: up }
      - { log: 03_ps, do: ps, ready: true, timeout: 60s, criterion: boot }
${steps}
  - id: logs
    always: true
    steps:
      - { log: 14_logs, do: logs, scan: { patterns: ['\\bERROR\\b', 'Traceback'], allow: [] }, criterion: logs }
  - id: summary
    always: true
    steps: [{ log: 17_validation_summary, do: summary }]
`;
}

async function gate(name: string, steps = '', criteria = '', args: string[] = []) {
  const dir = tempDir('rg-fresh-');
  const file = writeConfig(dir, config(name, steps, criteria));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', file, '--log-dir', logDir, ...args], { cwd: dir });
  return readGateRun(logDir, run);
}

describe('structured logs on a compose stack', () => {
  it('fails Logs on the JSON error lines of a compose service, naming the first one', async () => {
    const name = project();
    const run = await gate(name);
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Boot'), /✅/, evidence(run));
    assert.match(run.line('Logs'), /❌ Logs: 2 unallowed error lines \(first: line \d+: app-1 +\| \{"level":"error".*db connection lost/, evidence(run));
    const log = run.read('14_logs.log');
    assert.match(log, /unallowed line \d+ \(JSON "level":"error"\)/);
    assert.match(log, /unallowed line \d+ \(JSON "severity":"CRITICAL"\)/);
    assert.deepEqual(leftovers(name), []);
  });
});
