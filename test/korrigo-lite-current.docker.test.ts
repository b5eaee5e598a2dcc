// The korrigo preset on korrigo-lite's *current* generation in Docker Compose
// (examples/korrigo-lite/release-gate.current.yml): what gating a current Korrigo checkout
// meets (docs/korrigo.md) — nginx answers /metrics with its SPA page, METRICS_TOKEN is
// required from the env file, no lock routes, the CSRF cookie only from /api/csrf/. Needs a
// Docker engine (scripts/docker-engine.sh); run through `npm run test:docker`. No skip.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir, writeConfig } from './helpers.js';

const SAMPLE = join(ROOT, 'examples/korrigo-lite');
const CONFIG = join(SAMPLE, 'release-gate.current.yml');
const COMPOSE_FILE = join(SAMPLE, 'docker-compose.current.yml');
const PROJECT = `rg-test-klc-${randomBytes(4).toString('hex')}`;
/** The token the example env file sets: what the app uses, and so what the gate must send. */
const ENV_TOKEN = /^METRICS_TOKEN=(.+)$/m.exec(readFileSync(join(SAMPLE, '.env.current.example'), 'utf8'))?.[1] ?? '';

let dir = '';
let envFile = '';
let wrapper = '';

before(() => {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  assert.equal(info.status, 0, `Docker engine not reachable (run bash scripts/docker-engine.sh): ${info.stderr ?? info.error}`);
  assert.ok(ENV_TOKEN.length >= 6, 'the example env file sets METRICS_TOKEN');
  dir = tempDir('rg-klc-');
  envFile = join(dir, 'current.env');
  copyFileSync(join(SAMPLE, '.env.current.example'), envFile);
  // Volumes removed at the end so the run leaves nothing behind (the preset keeps them).
  wrapper = writeConfig(dir, [`extends: ${JSON.stringify(CONFIG)}`, `cwd: ${JSON.stringify(SAMPLE)}`, 'teardown: { volumes: true }', ''].join('\n'));
});

after(() => {
  spawnSync('docker', ['compose', '-p', PROJECT, '-f', COMPOSE_FILE, '--env-file', envFile, 'down', '-v', '--remove-orphans', '--timeout', '5'], { cwd: SAMPLE, encoding: 'utf8' });
  rmSync(dir, { recursive: true, force: true });
});

function leftovers(): string[] {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  const list = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.trim() !== '');
  return [
    ...list(['ps', '-a', '--filter', label, '--format', 'container {{.Names}}']),
    ...list(['volume', 'ls', '--filter', label, '--format', 'volume {{.Name}}']),
    ...list(['network', 'ls', '--filter', label, '--format', 'network {{.Name}}']),
  ];
}

describe('the korrigo preset on a current Korrigo (korrigo-lite current, Docker Compose)', () => {
  it('passes with the one switch KORRIGO_LOCKS=off: the env file token, /metrics read inside the backend, no lock route', async () => {
    const logDir = join(dir, 'logs');
    // The v1 gate of this suite built the app images with no cache already; `up` builds the one
    // this file adds (nginx-current) from the context the stage step prepares.
    const run = await runCli(['run', '--config', wrapper, '--stability', '5s', '--log-dir', logDir, '--skip', '01_build_nocache'], {
      cwd: ROOT,
      env: {
        KORRIGO_LITE_COMPOSE_PROJECT: PROJECT,
        KORRIGO_LITE_HTTP_PORT: String(await freePort()),
        COMPOSE_ENV_FILE: envFile,
        KORRIGO_LOCKS: 'off',
        // Not set in the environment: the gate must take the env file's value, as the app does.
        METRICS_TOKEN: '',
        NGINX_BASE_URL: '',
      },
    });
    const read = (name: string) => readFileSync(join(logDir, name), 'utf8');
    const summary = existsSync(join(logDir, '17_validation_summary.log')) ? read('17_validation_summary.log') : '';
    assert.equal(run.code, 0, `${run.stdout.split('\n').slice(-30).join('\n')}\n${summary}`);
    assert.match(summary, /Switches: KORRIGO_LOCKS=off, KORRIGO_METRICS_VIA=auto/);
    // nginx's HTML page was seen, and refused; the exposition was read inside the backend.
    const metrics = read('05_wait_metrics.log');
    assert.match(metrics, /the proxy answers \/metrics with 200 text\/html.*probing inside backend at http:\/\/127\.0\.0\.1:8000\/metrics/);
    assert.match(metrics, /GET \/metrics → 200 text\/plain .*\(from inside backend: the proxy answers HTML\)/);
    // The app ran with the env file's token (it logs a WARNING when it has none).
    assert.doesNotMatch(read('14_compose_logs.log'), /METRICS_TOKEN not set/);
    const e2e = read('12_e2e_3runs.log');
    assert.match(e2e, /csrf → GET \/api\/csrf\/ 200/);
    assert.doesNotMatch(e2e, /lock → POST/);
    assert.match(e2e, /✅ E2E: 3\/3 RUNS PASSED/);
    // The token is a secret: in no artifact.
    for (const file of readdirSync(logDir)) assert.ok(!readFileSync(join(logDir, file), 'utf8').includes(ENV_TOKEN), `${file} contains the metrics token`);
    assert.deepEqual(leftovers(), []);
  });
});
