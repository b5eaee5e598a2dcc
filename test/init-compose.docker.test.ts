// `release-gate init` on the korrigo-lite compose file, read through `docker compose config`,
// and the gate it wrote, run for real on Docker Compose to a pass. Two edits to the generated
// file: the sample's build context must be staged on the host first (`node docker/stage.mjs`,
// see examples/korrigo-lite/release-gate.compose.yml), which no compose file says; and the log
// scan allows the database errors of a worker polling before the migrations (a TODO here).
// Own project (rg-test-…) and a free port.
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
    // Second edit: the sample's worker polls its tables before the migrations ran (the generated
    // gate has no migrate step yet: a TODO); Postgres logs each poll as an ERROR the scan names.
    const scan = "allow: [] }, criterion: logs }";
    assert.ok(generated.includes(scan), generated);
    writeFileSync(file, generated.replace(buildLine, `${stage}\n${buildLine}`).replace(scan, `allow: ['ERROR:  relation "\\w+" does not exist'] }, criterion: logs }`));

    const logDir = join(dir, 'logs');
    const run = await runCli(['run', '--config', file, '--stability', '5s', '--log-dir', logDir], { cwd: dir, env });
    const summary = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as { verdict: string; criteria: { title: string; passed: boolean; detail: string }[]; steps: { log: string; status: string }[] };
    assert.equal(run.code, 0, `${run.stdout.split('\n').slice(-30).join('\n')}\n${run.stderr}`);
    assert.equal(summary.verdict, 'passed');
    assert.deepEqual(summary.criteria.map((c) => `${c.title}: ${c.passed}`), ['Build: true', 'Boot: true', 'Stability: true', 'Logs: true']);
    assert.deepEqual(
      summary.steps.map((s) => `${s.log} ${s.status}`),
      ['00_compose_down.log passed', '01_stage.log passed', '01_build_nocache.log passed', '02_up.log passed', '03_ps_initial.log passed', '04_wait_nginx_' + port + '.log passed', '05_stability_5s.log passed', '10_compose_logs.log passed', '11_ps_final.log passed'],
    );
    const left = spawnSync('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'the gate tore its stack down');
  });
});

/*
 * Issue 25, point 8: init on a small app of our own (test/fixtures/init-app: nginx in front of
 * two node services, redis; an override file publishes the port), read through
 * `docker compose -f compose.yml -f compose.override.yml config`. The generated gate passes with
 * no hand edit; each injected fault turns it red and is named. The one edit of the fault runs
 * (a 10 s wait instead of 120 s) only makes the red run short.
 */
const APP = join(ROOT, 'test/fixtures/init-app');
const APP_FILES = [join(APP, 'compose.yml'), join(APP, 'compose.override.yml')];
const APP_PROJECT = `rg-test-init-app-${randomBytes(4).toString('hex')}`;

describe('release-gate init on a multi-service app with an override file', () => {
  let appDir = '';
  before(() => {
    appDir = tempDir('rg-test-init-app-');
  });
  after(() => {
    spawnSync('docker', ['compose', '-p', APP_PROJECT, ...APP_FILES.flatMap((f) => ['-f', f]), 'down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: APP, encoding: 'utf8' });
    rmSync(appDir, { recursive: true, force: true });
  });

  type Summary = { verdict: string; criteria: { title: string; passed: boolean; detail: string; notJudged?: boolean }[] };
  const gate = async (file: string, env: Record<string, string>, name: string, more: string[] = []) => {
    const logDir = join(appDir, name);
    const run = await runCli(['run', '--config', file, '--stability', '5s', '--log-dir', logDir, ...more], { cwd: appDir, env });
    const summary = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as Summary;
    return { run, summary, out: `${run.stdout.split('\n').slice(-30).join('\n')}\n${run.stderr}` };
  };

  it('merges both files, names the app service in the TODOs, expects 2xx, scans JSON levels; the gate passes with no edit, and each fault is named', async () => {
    const port = await freePort();
    const env = { INIT_APP_PORT: String(port), COMPOSE_PROJECT_NAME: APP_PROJECT, BASE_URL: '', INIT_APP_FAULT: '' };
    const init = await runCli(['init', '-f', APP_FILES[0] as string, '-f', APP_FILES[1] as string], { cwd: appDir, env });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /\(docker compose config\): 4 services, 1 HTTP wait/);
    const file = join(appDir, 'release-gate.yml');
    const generated = readFileSync(file, 'utf8');
    // The port is the override's: the files were merged, in order.
    assert.match(generated, new RegExp(`baseUrl: \\$\\{BASE_URL:-http://127\\.0\\.0\\.1:${port}\\}`));
    assert.ok(generated.includes(`file: [${JSON.stringify(APP_FILES[0])}, ${JSON.stringify(APP_FILES[1])}]`), generated);
    // The $schema works from the user's folder: never a path into this checkout.
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(generated)?.[1] ?? '';
    assert.ok(!schema.startsWith(ROOT) && !schema.startsWith('/'), schema);
    // migrate/seed/tests examples in the store API (build + healthcheck), not in nginx (first by name).
    assert.deepEqual([...new Set([...generated.matchAll(/do: exec, service: (\w+)/g)].map((m) => m[1]))], ['store']);
    assert.doesNotMatch(generated, /404/);

    const green = await gate(file, env, 'logs-green');
    assert.equal(green.run.code, 0, green.out);
    assert.deepEqual(green.summary.criteria.map((c) => `${c.title}: ${c.passed}`), ['Build: true', 'Boot: true', 'Stability: true', 'Logs: true']);

    // Red runs on the built images (the build passed above): each fault named in its criterion.
    writeFileSync(file, generated.replace(/(do: wait-http, url: "\/", )timeout: 120s/, '$1timeout: 10s'));
    const skip = ['--skip', '01_build_nocache'];
    const jsonError = await gate(file, { ...env, INIT_APP_FAULT: 'json-error' }, 'logs-json-error', skip);
    assert.equal(jsonError.run.code, 1, jsonError.out);
    const logs = jsonError.summary.criteria.find((c) => c.title === 'Logs');
    assert.match(logs?.detail ?? '', /1 unallowed error line .*store-1 .*"level":50.*cannot reach redis/);
    assert.match(jsonError.run.stdout, /✗ 10_compose_logs\.log/);

    const web500 = await gate(file, { ...env, INIT_APP_FAULT: 'web-500' }, 'logs-web-500', skip);
    assert.equal(web500.run.code, 1, web500.out);
    const boot = web500.summary.criteria.find((c) => c.title === 'Boot');
    assert.match(boot?.detail ?? '', /GET \/ not 200 .*last: 500 text\/html/);
    assert.ok(web500.run.stdout.includes('500 template missing'), web500.out);

    const left = spawnSync('docker', ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${APP_PROJECT}`], { encoding: 'utf8' });
    assert.equal(left.stdout.trim(), '', 'the gate tore its stack down');
  });
});
