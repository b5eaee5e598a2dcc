// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/resources.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RunResult } from '../src/model/run-result.js';
import { FIXTURES, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * Issue 28, resource budgets on Docker: the Engine's stats of each container. A service that
 * holds 150 MiB fails a 100 MiB budget with its peak, and, at more than 90 % of its 160 MiB
 * mem_limit, is also named in a warning; the idle one passes.
 */

const composeFile = join(FIXTURES, 'resources', 'docker-compose.yml');
const project = `rg-test-res-${randomBytes(4).toString('hex')}`;

after(() => {
  spawnSync('docker', ['compose', '-p', project, '-f', composeFile, 'down', '-v', '--remove-orphans'], { stdio: 'ignore' });
});

describe('resource budgets on compose containers (Engine stats)', () => {
  it('fails Resources for the container over its memory budget, with its peak and a warning near its mem_limit', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      `
name: resources-docker
stack: { driver: compose, file: ${composeFile}, project: ${project}, minFreeDiskMb: 256 }
criteria: { resources: Resources }
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: B
    steps:
      - { log: 02_up, do: up }
      - { log: 03_resources, do: resources, interval: 1s, budgets: { hog: { memory: 100MiB }, idle: { memory: 50MiB, cpu: 50% } }, criterion: resources }
      - { log: 04_watch, do: stability, window: 6s }
  - id: summary
    always: true
    steps: [{ log: 17_summary, do: summary }]
`,
    );
    const logDir = join(dir, 'logs');
    const run = await runCli(['run', '--config', config, '--log-dir', logDir], { cwd: dir });
    const out = run.stdout + run.stderr;
    assert.equal(run.code, 1, out);
    const summary = readFileSync(join(logDir, '17_summary.log'), 'utf8');
    const line = summary.split('\n').find((l) => l.includes('Resources:')) ?? '';
    assert.match(line, /❌ Resources: hog peaked at 1[45]\d(\.\d)? MiB of memory, over its 100 MiB budget; warning: hog peaked at 9\d% of its 160 MiB memory limit/, summary);
    assert.doesNotMatch(line, /idle (peaked|used)/);
    const result = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as RunResult;
    const resources = result.steps.find((s) => s.log === '03_resources.log')?.resources ?? [];
    const hog = resources.find((r) => r.service === 'hog');
    assert.equal(hog?.memory.limitBytes, 160 * 1024 ** 2);
    assert.ok(hog.cpu !== null && hog.samples >= 1, JSON.stringify(hog));
    assert.ok((resources.find((r) => r.service === 'idle')?.memory.peakBytes ?? Infinity) < 50 * 1024 ** 2);
  });
});
