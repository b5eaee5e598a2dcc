// `release-gate init` on the korrigo-lite compose file, read through `docker compose config`,
// and the gate it wrote, run for real on Docker Compose to a pass. One edit to the generated
// file: the sample's build context must be staged on the host first (`node docker/stage.mjs`,
// see examples/korrigo-lite/release-gate.compose.yml), which no compose file says; the test
// adds that one host step before the build. Own project (rg-test-…) and a free port.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const COMPOSE_FILE = join(SAMPLE, 'docker-compose.yml');
const PROJECT = `rg-test-init-${randomBytes(4).toString('hex')}`;
let dir = '';

before(() => {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  assert.equal(info.status, 0, `Docker engine not reachable (run bash scripts/docker-engine.sh): ${info.stderr ?? info.error}`);
  dir = tempDir('rg-test-init-');
});

after(() => {
  // Safety net for an aborted test: only our own project.
  spawnSync('docker', ['compose', '-p', PROJECT, '-f', COMPOSE_FILE, 'down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: SAMPLE, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
});

describe('release-gate init on Docker Compose', () => {
  it('inits the korrigo-lite compose file through docker compose config, and the gate it wrote passes', async () => {
    const port = await freePort();
    const env = { KORRIGO_LITE_HTTP_PORT: String(port), COMPOSE_PROJECT_NAME: PROJECT, BASE_URL: '', KORRIGO_LITE_FAULT: '', KORRIGO_LITE_BUILD_FAULT: '', KORRIGO_LITE_CRASH_AFTER_MS: '' };
    const init = await runCli(['init', '--compose', COMPOSE_FILE], { cwd: dir, env });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /\(docker compose config\): 5 services, 1 HTTP wait/);
    const file = join(dir, 'release-gate.yml');
    const generated = readFileSync(file, 'utf8');
    // compose resolved the published port from the environment, as `up` will.
    assert.match(generated, new RegExp(`baseUrl: \\$\\{BASE_URL:-http://127\\.0\\.0\\.1:${port}\\}`));

    const buildLine = '      - { log: 01_build_nocache, do: build, noCache: true, criterion: build }';
    assert.ok(generated.includes(buildLine), generated);
    const stage = `      - { log: 01_stage, do: host, run: [node, ${JSON.stringify(join(SAMPLE, 'docker/stage.mjs'))}], criterion: build }`;
    writeFileSync(file, generated.replace(buildLine, `${stage}\n${buildLine}`));

    const logDir = join(dir, 'logs');
    const run = await runCli(['run', '--config', file, '--stability', '5s', '--log-dir', logDir], { cwd: dir, env });
    const summary = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as { verdict: string; criteria: { title: string; passed: boolean; detail: string }[]; steps: { log: string; status: string }[] };
    assert.equal(run.code, 0, `${run.stdout.split('\n').slice(-30).join('\n')}\n${run.stderr}`);
    assert.equal(summary.verdict, 'passed');
    assert.deepEqual(summary.criteria.map((c) => `${c.title}: ${c.passed}`), ['Build: true', 'Boot: true', 'Stability: true']);
    assert.deepEqual(
      summary.steps.map((s) => `${s.log} ${s.status}`),
      ['00_compose_down.log passed', '01_stage.log passed', '01_build_nocache.log passed', '02_up.log passed', '03_ps_initial.log passed', '04_wait_nginx_' + port + '.log passed', '05_stability_5s.log passed', '10_compose_logs.log passed', '11_ps_final.log passed'],
    );
    const left = spawnSync('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'the gate tore its stack down');
  });
});
