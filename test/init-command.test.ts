import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir } from './helpers.js';

const SAMPLE_COMPOSE = join(ROOT, 'examples/korrigo-lite/docker-compose.yml');
// No docker on PATH (an empty folder): init reads the YAML itself, as on a machine without an engine.
const NO_DOCKER = { PATH: tempDir('rg-test-empty-path-') };

describe('release-gate init (YAML path, no docker on PATH)', () => {
  it('writes a release-gate.yml that plan accepts, from the korrigo-lite compose file', async () => {
    const dir = tempDir();
    const init = await runCli(['init', '--compose', SAMPLE_COMPOSE], { cwd: dir, env: NO_DOCKER });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /wrote .*release-gate\.yml from .*docker-compose\.yml \(YAML\): 5 services, 1 HTTP wait/);
    const text = readFileSync(join(dir, 'release-gate.yml'), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=.*schema\/release-gate\.schema\.json$/m);
    const plan = await runCli(['plan', '--config', join(dir, 'release-gate.yml')], { cwd: dir, env: NO_DOCKER });
    assert.equal(plan.code, 0, plan.stderr);
    for (const log of ['00_compose_down.log', '01_build_nocache.log', '02_up.log', '03_ps_initial.log', '04_wait_nginx_8088.log', '05_stability_180s.log', '10_compose_logs.log', '11_ps_final.log', '12_validation_summary.log']) {
      assert.ok(plan.stdout.includes(log), `${log} not in the plan:\n${plan.stdout}`);
    }
  });

  it('merges several -f files in order without docker, and writes a $schema that is no path into this checkout', async () => {
    const dir = tempDir();
    const app = join(ROOT, 'test/fixtures/init-app');
    const init = await runCli(['init', '-f', join(app, 'compose.yml'), '--compose', join(app, 'compose.override.yml')], { cwd: dir, env: { ...NO_DOCKER, INIT_APP_PORT: '18123' } });
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /compose\.yml \+ .*compose\.override\.yml \(YAML\): 4 services, 1 HTTP wait/);
    const text = readFileSync(join(dir, 'release-gate.yml'), 'utf8');
    // The override's port, interpolated: the files were merged, in order.
    assert.match(text, /^baseUrl: \$\{BASE_URL:-http:\/\/127\.0\.0\.1:18123\}$/m);
    assert.match(text, /^  file: \[".*\/compose\.yml", ".*\/compose\.override\.yml"\]$/m);
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1] ?? '';
    assert.equal(schema, 'node_modules/release-gate/schema/release-gate.schema.json');
    assert.ok(!text.includes(ROOT + 'schema'), 'no path into the checkout');
    assert.match(text, /release-gate schema > release-gate\.schema\.json/);
    const plan = await runCli(['plan', '--config', join(dir, 'release-gate.yml')], { cwd: dir, env: NO_DOCKER });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /driver: +compose \(.*compose\.yml, .*compose\.override\.yml\)/);
  });

  it('refuses to overwrite an existing release-gate.yml (exit 2, says --force), and replaces it with --force', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'release-gate.yml'), 'mine: true\n');
    const refused = await runCli(['init', '--compose', SAMPLE_COMPOSE], { cwd: dir, env: NO_DOCKER });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /release-gate\.yml already exists; init does not overwrite it\.\n  hint: .*--force/);
    assert.equal(readFileSync(join(dir, 'release-gate.yml'), 'utf8'), 'mine: true\n');
    const forced = await runCli(['init', '--compose', SAMPLE_COMPOSE, '--force'], { cwd: dir, env: NO_DOCKER });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(readFileSync(join(dir, 'release-gate.yml'), 'utf8'), /do: stability/);
  });

  it('says where it looked when there is no compose file, and rejects one without services', async () => {
    const dir = tempDir();
    const none = await runCli(['init'], { cwd: dir, env: NO_DOCKER });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no compose file in .* \(looked for compose\.yaml, compose\.yml, docker-compose\.yaml, docker-compose\.yml\)/);
    writeFileSync(join(dir, 'compose.yaml'), 'volumes: {}\n');
    const empty = await runCli(['init'], { cwd: dir, env: NO_DOCKER });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /compose\.yaml declares no services/);
  });
});

describe('editor support', () => {
  it('every example config starts with a yaml-language-server line naming a schema file that exists', () => {
    for (const name of ['release-gate.yml', 'release-gate.compose.yml']) {
      const file = join(ROOT, 'examples/korrigo-lite', name);
      const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      assert.ok(m, `${name} starts with: ${first}`);
      assert.ok(existsSync(join(ROOT, 'examples/korrigo-lite', m[1] as string)), `${m[1]} does not exist`);
    }
  });
});
