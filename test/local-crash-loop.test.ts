import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, marker, processesWith, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * A dependency that crashes at start and is restarted by its policy (`restart: on-failure`)
 * never stays "exited": `up` waiting for it to be healthy used to wait its whole 600 s. Real
 * processes: the gate fails at `up` within seconds, naming the service and its restarts.
 */
describe('a crash-looping dependency during up', () => {
  it('fails up at its first restart, naming the service, instead of waiting 600 s', async () => {
    const dir = tempDir();
    const mark = marker();
    const port = await freePort();
    const logDir = join(dir, 'logs');
    const config = writeConfig(
      dir,
      `
name: crash-loop
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot }
stack:
  driver: local
  services:
    db:
      command: [node, -e, "setTimeout(() => process.exit(3), 200)", --, --marker=${mark}]
      restart: on-failure
      healthcheck: { http: "http://127.0.0.1:${port}/", interval: 200ms, retries: 1000 }
    web:
      command: [node, -e, "setInterval(() => {}, 1000)", --, --marker=${mark}]
      dependsOn: { db: healthy }
phases:
  - id: A
    steps:
      - { log: 00_down, do: down, volumes: true }
      - { log: 01_up, do: up, criterion: boot }
`,
    );
    const started = Date.now();
    const run = await runCli(['run', '--config', config, '--log-dir', logDir, '--deadline', '75s'], { cwd: dir });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s: up waited for the crash loop`);
    assert.match(readFileSync(join(logDir, '01_up.log'), 'utf8'), /Service "db" is crash-looping \(restarted \d+× before it was healthy, last exit 3/);
    assert.deepEqual(processesWith(mark), [], 'processes left running');
  });
});
