// The Korrigo gate on the bundled sample deployed on a Docker swarm (examples/korrigo-lite/
// release-gate.swarm.yml): the same compose file, built by compose, deployed with `docker stack
// deploy`, observed through tasks. A healthy run, one restart fault (a task replaced after a crash),
// and the refusal to touch a stack release-gate did not create. Needs a Docker engine that is a
// swarm manager (`RG_SWARM=1 scripts/docker-engine.sh`); run through `npm run test:docker`. No
// skip: without a swarm these tests fail.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, ROOT, runCli, tempDir } from './helpers.js';
import { CRITERIA, NO_FAULTS, SAMPLE, evidence, labelledObjects, readGateRun, sampleWrapper, type GateRun } from './korrigo-lite-docker.js';

const CONFIG = join(SAMPLE, 'release-gate.swarm.yml');
/** Own stack (the rg-test- prefix is what scripts/run-docker-tests.mjs checks for leftovers). */
const STACK = `rg-test-swarm-${randomBytes(4).toString('hex')}`;


function docker(args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const wrapperConfig = sampleWrapper(CONFIG, {
  dirPrefix: 'rg-kl-swarm-',
  // The compose suite proves the no-cache build; here the build goes through the swarm driver with its cache (seconds, not minutes).
  extra: ['phases:', '  - id: A', '    steps:', '      - { log: 01_build_nocache, noCache: false }'],
  engineCheck: () => {
    const state = spawnSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], { encoding: 'utf8' });
    assert.equal(state.status, 0, `Docker engine not reachable (run RG_SWARM=1 bash scripts/docker-engine.sh): ${state.stderr ?? state.error}`);
    assert.equal(state.stdout.trim(), 'active true', 'the engine is not a swarm manager: run RG_SWARM=1 bash scripts/docker-engine.sh');
  },
  cleanup: () => {
    // Only our own stack and its volumes.
    spawnSync('docker', ['stack', 'rm', STACK], { encoding: 'utf8' });
    for (let i = 0; i < 60 && leftovers().some((l) => !l.startsWith('volume ')); i++) spawnSync('sleep', ['0.5']);
    for (const v of docker(['volume', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${STACK}`]).split('\n').filter(Boolean)) spawnSync('docker', ['volume', 'rm', v]);
  },
});

async function gate(opts: { skip?: string; only?: string; stability?: string; env?: Record<string, string> } = {}): Promise<GateRun> {
  const logDir = join(tempDir('rg-kl-swarm-logs-'), 'logs');
  const args = [
    'run', '--config', wrapperConfig(), '--stability', opts.stability ?? '5s', '--log-dir', logDir,
    ...(opts.skip ? ['--skip', opts.skip] : []), ...(opts.only ? ['--only', opts.only] : []),
  ];
  const run = await runCli(args, {
    cwd: ROOT,
    env: {
      KORRIGO_LITE_SWARM_STACK: STACK,
      KORRIGO_LITE_HTTP_PORT: String(await freePort()),
      ...NO_FAULTS,
      ...opts.env,
    },
  });
  return readGateRun(logDir, run);
}

/** Services, task containers, networks and volumes of our stack still in the engine: none after a run. */
const leftovers = (): string[] => labelledObjects(`com.docker.stack.namespace=${STACK}`, ['service', 'container', 'network', 'volume']);

describe('the korrigo gate on korrigo-lite on a Docker swarm', () => {
  it('passes in full: built by compose, deployed as a stack in depends_on order, 5/5 healthy tasks, every criterion ✅, nothing left', async () => {
    const run = await gate();
    assert.equal(run.code, 0, evidence(run));
    for (const title of CRITERIA.filter((t) => t !== 'Shutdown' && t !== 'Upgrade')) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}\n${evidence(run)}`);
    // A swarm stops a service by removing it: the Shutdown check is n/a there, never ✅.
    assert.match(run.summary, / n\/a Shutdown: n\/a: a swarm service is stopped by removing it/m, evidence(run));
    // The upgrade drill is not offered on a swarm: said, never ✅.
    assert.match(run.summary, /n\/a Upgrade: n\/a: the swarm driver does not start a previous release on the stack's data/, evidence(run));
    assert.match(run.line('Boot'), /5\/5 running\+healthy/);
    const up = run.read('02_up.log');
    // Swarm has no start order: compose's depends_on conditions became deploy waves.
    assert.match(up, /deploy 1\/3: db, redis/, up);
    assert.match(up, /backend waits for db: running and healthy/, up);
    assert.match(up, /restart: unless-stopped → deploy\.restart_policy\.condition: any/, up);
    assert.match(up, new RegExp(`Creating service ${STACK}_backend`), up);
    // The service logs API fed the log capture.
    assert.match(run.read('14_compose_logs.log'), /backend \| .*korrigo-lite backend listening/);
    assert.match(run.read('16_ps_final.log'), new RegExp(`${STACK}_nginx +replicated +1/1`));
    assert.match(run.read('teardown.log'), /removed volume/);
    assert.deepEqual(leftovers(), []);
  });

  it('crash-once: the backend task fails after boot, swarm replaces it and it runs again, yet the gate fails naming the backend', async () => {
    // The crash comes 6 s after the backend starts; where it lands (during the wait in `up` for
    // nginx's turn, the Boot check, or migrate) is the machine's timing. What the gate decides is
    // asserted: a failing Stability (or Boot) naming the backend, with the task replacement as the
    // restart, never a green.
    const run = await gate({ skip: 'A', stability: '30s', env: { KORRIGO_LITE_FAULT: 'crash-once', KORRIGO_LITE_CRASH_AFTER_MS: '6000' } });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Stability'), /❌ Stability: [1-9]\d* restarts?, .*\(backend\)/, evidence(run));
    const stability = run.read('06_stability_30s.log');
    assert.match(stability, /UNSTABLE backend .*restart count rose by 1 \(0 → 1\)/, stability);
    assert.match(stability, /UNSTABLE backend at \S+: exited \(exit 1\)/, stability);
    // A crash before the Boot check (or during up's wait for the backend) fails Boot too, never a green with a restart in it.
    assert.match(run.line('Boot'), /✅.*5\/5 running\+healthy|❌ Boot:.*backend/, evidence(run));
    assert.ok((run.json?.counts['stability.restarts'] ?? 0) >= 1, JSON.stringify(run.json?.counts));
    assert.deepEqual(leftovers(), []);
  });

  it('refuses to remove a stack it did not create (exit 3), and leaves it running', async () => {
    // A service of "our" stack name that release-gate did not deploy (no managed label).
    docker(['service', 'create', '--detach', '--name', `${STACK}_intruder`, '--label', `com.docker.stack.namespace=${STACK}`, '--container-label', `com.docker.stack.namespace=${STACK}`, 'korrigo-lite-redis:local']);
    try {
      const run = await gate({ only: 'clean' });
      assert.equal(run.code, 3, evidence(run));
      assert.match(run.output, new RegExp(`Swarm stack "${STACK}" holds 1 object\\(s\\) release-gate did not create \\(service ${STACK}_intruder\\)`), run.output);
      assert.deepEqual(leftovers().filter((l) => l.startsWith('service ')), [`service ${STACK}_intruder`]);
    } finally {
      docker(['service', 'rm', `${STACK}_intruder`]);
    }
    for (let i = 0; i < 60 && leftovers().length > 0; i++) spawnSync('sleep', ['0.5']);
    assert.deepEqual(leftovers(), []);
  });
});
