// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/fresh-evidence.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Docker from 'dockerode';
import { PROJECT_LABEL } from '../src/drivers/compose/compose-project.js';
import { FIXTURES, buildAndTestComposeYaml, runCli, tempDir, writeConfig } from './helpers.js';

/*
 * Issue 24, "a report must be this step's", inside a container: the image holds an old
 * all-passing junit.xml. A tests step that writes none must fail with "stale report" (the mtime
 * `docker cp` keeps); the same step writing a fresh one passes.
 */

const docker = new Docker();
const fixtureDir = join(FIXTURES, 'stale-report');
const composeFile = join(fixtureDir, 'docker-compose.yml');
const projects: string[] = [];

async function leftovers(name: string): Promise<string[]> {
  const filters = { label: [`${PROJECT_LABEL}=${name}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => `container ${c.Names[0]}`), ...volumes.map((v) => `volume ${v.Name}`), ...networks.map((n) => `network ${n.Name}`)];
}

after(async () => {
  for (const name of projects) {
    spawnSync('docker', ['compose', '-p', name, '-f', composeFile, 'down', '-v', '--rmi', 'all', '--remove-orphans'], { stdio: 'ignore', env: { ...process.env, RG_IMAGE: name } });
    await docker.getImage(`${name}:local`).remove({ force: true }).catch(() => undefined);
    await docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${name}`] } }).catch(() => undefined);
  }
});

async function gate(tests: string) {
  const name = `rg-test-stale-${randomBytes(4).toString('hex')}`;
  projects.push(name);
  const dir = tempDir('rg-stale-');
  const testStep = `{ log: 13_tests, do: exec, service: app, run: [sh, -c, ${JSON.stringify(tests)}], results: { junit: /reports/junit.xml }, criterion: tests }`;
  const config = writeConfig(dir, buildAndTestComposeYaml({ name: 'stale-report', composeFile, project: name, testStep }));
  const logDir = join(dir, 'logs');
  const run = await runCli(['run', '--config', config, '--log-dir', logDir], { cwd: dir });
  const summary = existsSync(join(logDir, '17_summary.log')) ? readFileSync(join(logDir, '17_summary.log'), 'utf8') : '';
  const line = (title: string) => summary.split('\n').find((l) => l.includes(` ${title}:`)) ?? '';
  assert.deepEqual(await leftovers(name), [], 'the gate left something of its project');
  return { ...run, logDir, summary, line, out: run.stdout + run.stderr, read: (f: string) => readFileSync(join(logDir, f), 'utf8') };
}

describe('a report inside a container must be this step\'s', () => {
  it('fails Tests with "stale report" when the step writes no JUnit file and the image holds an old all-passing one', async () => {
    const run = await gate('echo "running the tests (writing no report)"');
    assert.equal(run.code, 1, run.out);
    assert.match(run.line('Tests'), /❌ Tests: .*stale report: \/reports\/junit\.xml last written 2024-01-01/, run.summary);
    assert.doesNotMatch(run.summary, /✅ Tests/);
    assert.match(run.read('13_tests.log'), /stale report: \/reports\/junit\.xml last written 2024-01-01.*before the step started at/);
  });

  it('passes when the same step writes a fresh report', async () => {
    const run = await gate('cat /reports/junit.xml > /reports/fresh.xml && mv /reports/fresh.xml /reports/junit.xml && echo "2 tests written"');
    assert.equal(run.code, 0, run.out);
    assert.match(run.line('Tests'), /✅ Tests: 2 passed/, run.summary);
  });
});
