// The run lock on a real swarm (issue 26): a swarm stack name is one per engine, whatever
// checkout deploys it. Two configs deploying the same stack name from two project roots: while
// the first runs, the second is refused (exit 3) naming the first; the first's teardown removes
// the stack. Needs a Docker engine that is a swarm manager (`RG_SWARM=1 scripts/docker-engine.sh`).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, whenStepStarts, type CliRun } from './helpers.js';

/** Own stack (the rg-test- prefix is what scripts/run-docker-tests.mjs checks for leftovers). */
const STACK = `rg-test-lock-${randomBytes(4).toString('hex')}`;
/** An image the engine has (the korrigo-lite images' base): no registry is asked. */
const IMAGE = 'debian:trixie-slim';

function stackServices(): string[] {
  const r = spawnSync('docker', ['stack', 'services', STACK, '--format', '{{.Name}}'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/** A checkout deploying STACK: one sleeping service, held 120 s in a host step once it runs. */
function checkout(parent: string, name: string): string {
  const root = join(parent, name);
  mkdirSync(root);
  writeFileSync(join(root, 'docker-compose.yml'), `services:\n  idle:\n    image: ${IMAGE}\n    command: [sleep, "3600"]\n`);
  writeFileSync(
    join(root, 'release-gate.yml'),
    `name: lock-${name}
baseUrl: http://127.0.0.1:1
criteria: { boot: Boot }
stack: { driver: swarm, file: docker-compose.yml, stack: ${STACK} }
phases:
  - id: A
    steps:
      - { log: 00_down, do: down, volumes: true }
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 60s, criterion: boot }
      - { log: 03_hold, do: host, run: [node, -e, "setTimeout(() => {}, 120000)"] }
`,
  );
  return root;
}

describe('the run lock on a swarm stack', () => {
  it('refuses (exit 3) a second gate deploying the same stack name from another project root, naming the first', async () => {
    const state = spawnSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], { encoding: 'utf8' });
    assert.equal(state.stdout.trim(), 'active true', `the engine is not a swarm manager: run RG_SWARM=1 bash scripts/docker-engine.sh (${state.stderr})`);
    const parent = tempDir('rg-test-swarm-lock-');
    const [first, second] = [checkout(parent, 'checkout-a'), checkout(parent, 'checkout-b')];
    const logs = (name: string) => join(parent, `logs-${name}`);
    try {
      let refused: CliRun | undefined;
      const held = await runCli(['run', '--config', join(first, 'release-gate.yml'), '--log-dir', logs('a')], {
        cwd: first,
        onStdout: (_text, child) => {
          if (refused !== undefined) return;
          refused = { code: -1, stdout: '', stderr: '' };
          whenStepStarts(logs('a'), '03_hold', () => {
            void runCli(['run', '--config', join(second, 'release-gate.yml'), '--log-dir', logs('b')], { cwd: second }).then((r) => {
              refused = r;
              child.kill('SIGINT');
            });
          });
        },
      });
      assert.equal(held.code, 130, held.stdout + held.stderr);
      assert.ok(refused);
      assert.equal(refused.code, 3, refused.stdout + refused.stderr);
      assert.match(refused.stderr, new RegExp(`Another gate is running on swarm stack "${STACK}": pid \\d+ since .*config ${first}/release-gate\\.yml, logs in ${logs('a')}`));
      assert.ok(!existsSync(logs('b')), 'the refused gate left a log dir');
      assert.deepEqual(stackServices(), [], 'the first gate\'s teardown left the stack');
    } finally {
      spawnSync('docker', ['stack', 'rm', STACK], { encoding: 'utf8' });
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
