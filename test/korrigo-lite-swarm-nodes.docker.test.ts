// The Korrigo gate on the bundled sample deployed on a swarm of two nodes (issue 29): two Docker
// engines in containers (test/two-node-swarm.ts), node A the manager the gate talks to through
// its DOCKER_HOST, node B a worker reached through its own engine, a registry both pull from.
// backend and worker run on node B only (docker-compose.swarm-nodes.yml): migrate, seed, the DB
// sanity and the tests exec into a task of the other machine. Then two node faults, each failing
// Stability naming the service and the node: a task killed on node B, node B's engine stopped
// during the window. Run through `npm run test:docker`; no skip.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli, tempDir, writeConfig } from './helpers.js';
import { CRITERIA, NO_FAULTS, SAMPLE, evidence, readGateRun, sampleWrapper, type GateRun } from './korrigo-lite-docker.js';
import { useTwoNodeSwarm, type TwoNodeSwarm } from './two-node-swarm.js';

const CONFIG = join(SAMPLE, 'release-gate.swarm-nodes.yml');
const STACK = `rg-test-nodes-${randomBytes(4).toString('hex')}`;
const LABEL = `com.docker.stack.namespace=${STACK}`;

const swarm = useTwoNodeSwarm({ publishedPorts: 1 });

/** The stack's services, containers, networks and volumes on both nodes: none after a run. */
function leftovers(s: TwoNodeSwarm): string[] {
  const found: string[] = [];
  for (const node of s.nodes) {
    const list = (args: string[]) => s.dockerOn(node, args).stdout.split('\n').filter((l) => l.trim() !== '');
    if (node.role === 'manager') found.push(...list(['service', 'ls', '--filter', `label=${LABEL}`, '--format', '{{.Name}}']).map((n) => `service ${n}`));
    found.push(...list(['ps', '-a', '--filter', `label=${LABEL}`, '--format', '{{.Names}}']).map((n) => `${node.hostname} container ${n}`));
    found.push(...list(['volume', 'ls', '--filter', `label=${LABEL}`, '--format', '{{.Name}}']).map((n) => `${node.hostname} volume ${n}`));
    if (node.role === 'manager') found.push(...list(['network', 'ls', '--filter', `label=${LABEL}`, '--format', '{{.Name}}']).map((n) => `network ${n}`));
  }
  return found;
}

const wrapperConfig = sampleWrapper(CONFIG, {
  dirPrefix: 'rg-kl-nodes-',
  // The build runs in node A's engine; the second and third runs reuse its cache.
  extra: ['phases:', '  - id: A', '    steps:', '      - { log: 01_build_nocache, noCache: false }'],
  // The fixture (before) checks its own engines; the host's only hosts the two nodes.
  engineCheck: () => undefined,
  // Only our stack, on the swarm the fixture removes anyway.
  cleanup: () => undefined,
});

interface GateOptions {
  /** The manager given as DOCKER_HOST (the environment), not as stack.manager (the config). */
  viaDockerHost?: boolean;
  /** Where the run writes its logs (known before it starts, for duringWindow). */
  logDir?: string;
  skip?: string;
  only?: string;
  stability?: string;
  env?: Record<string, string>;
  /** Called once the stability window has begun (its log exists). */
  duringWindow?: (s: TwoNodeSwarm) => Promise<void>;
}

async function gate(opts: GateOptions = {}): Promise<GateRun> {
  const s = swarm();
  const logDir = opts.logDir ?? join(tempDir('rg-kl-nodes-logs-'), 'logs');
  const window = opts.stability ?? '5s';
  const args = ['run', '--config', wrapperConfig(), '--stability', window, '--log-dir', logDir, ...(opts.skip ? ['--skip', opts.skip] : []), ...(opts.only ? ['--only', opts.only] : [])];
  const running = runCli(args, {
    cwd: ROOT,
    env: {
      KORRIGO_LITE_SWARM_STACK: STACK,
      ...(opts.viaDockerHost ? { DOCKER_HOST: s.managerHost } : { KORRIGO_LITE_SWARM_MANAGER: s.managerHost }),
      KORRIGO_LITE_SWARM_REGISTRY: s.registry,
      KORRIGO_LITE_SWARM_NODE_B: s.node('node-b').engine,
      KORRIGO_LITE_HTTP_PORT: String(s.publishedPorts[0]),
      ...NO_FAULTS,
      ...opts.env,
    },
  });
  let injected: Promise<void> = Promise.resolve();
  if (opts.duringWindow) {
    const during = opts.duringWindow;
    const windowLog = join(logDir, `06_stability_${window.replace(/s$/, '')}s.log`);
    let done = false;
    void running.finally(() => (done = true));
    injected = (async () => {
      while (!done && !existsSync(windowLog)) await new Promise((r) => setTimeout(r, 250));
      assert.ok(existsSync(windowLog), `the gate ended before its stability window (${windowLog})`);
      await during(s);
    })();
  }
  const run = await running;
  await injected;
  return readGateRun(logDir, run);
}

/** The only running container of a stack service on a node. */
function taskContainer(s: TwoNodeSwarm, node: string, service: string): string {
  const r = s.dockerOn(node, ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${STACK}_${service}`, '--filter', 'status=running']);
  const ids = r.stdout.split('\n').filter(Boolean);
  assert.equal(ids.length, 1, `one running ${service} task on ${node}: ${r.stdout}${r.stderr}`);
  return ids[0] as string;
}

describe('the korrigo gate on korrigo-lite on a two-node swarm', () => {
  it('passes in full: built on the manager, pushed to the registry, tasks on both nodes, exec into node B, nothing left', async () => {
    const s = swarm();
    const run = await gate();
    assert.equal(run.code, 0, evidence(run));
    for (const title of CRITERIA.filter((t) => t !== 'Shutdown' && t !== 'Upgrade')) assert.match(run.line(title), /✅/, `${title}: ${run.line(title)}\n${evidence(run)}`);
    const preflight = run.read('00_compose_down.log'); // the preflight writes in the first step's log
    assert.match(preflight, new RegExp(`swarm manager \\(active\\) at ${s.managerHost.replace(/[.]/g, '\\.')} \\(from stack\\.manager\\)`), preflight);
    assert.match(preflight, /2 nodes:\n\S+ {3}node-a \(manager, ready, active\): the manager the gate talks to\n\S+ {3}node-b \(worker, ready, active\): engine tcp:\/\/127\.0\.0\.1:\d+/, preflight);
    // Pushed with the build (not in the stability window), deployed pinned to the pushed digest.
    const reg = s.registry.replace(/[.]/g, '\\.');
    const build = run.read('01_build_nocache.log');
    assert.match(build, new RegExp(`push korrigo-lite-app:local → ${reg}/korrigo-lite-app:local`), build);
    const up = run.read('02_up.log');
    assert.match(up, new RegExp(`backend: runs image ${reg}/korrigo-lite-app:local@sha256:[0-9a-f]{64}`), up);
    // Tasks of at least one service on each node, as 16_ps_final shows them.
    const ps = run.read('16_ps_final.log');
    for (const [service, node] of [['backend', 'node-b'], ['worker', 'node-b'], ['db', 'node-a'], ['nginx', 'node-a']]) {
      assert.match(ps, new RegExp(`${STACK}_${service}\\.1 +${s.registry.replace(/[.]/g, '\\.')}/korrigo-lite-\\S+ +${node} +Running`), ps);
    }
    // The digests of what ran, pushed and pulled through the registry, in the manifest as on one node.
    assert.match(run.read('manifest.json'), new RegExp(`"${s.registry.replace(/[.]/g, '\\.')}/korrigo-lite-app@sha256:[0-9a-f]{64}"`));
    // Migrate, seed and the tests ran in backend, whose only task is on node B.
    assert.match(run.line('Migrations'), /✅/);
    assert.match(run.line('Tests'), /✅.*21 passed/, run.line('Tests'));
    assert.deepEqual(leftovers(s), []);
  });

  it('a task killed on node B fails Stability, naming the service and the node', async () => {
    const s = swarm();
    const run = await gate({
      // Built again (from node A's cache, seconds): each test stands on its own.
      viaDockerHost: true,
      stability: '20s',
      duringWindow: async (sw) => {
        const id = taskContainer(sw, 'node-b', 'worker');
        const killed = sw.dockerOn('node-b', ['kill', id]);
        assert.equal(killed.status, 0, killed.stderr);
      },
    });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Stability'), /❌ Stability: .*\(worker on node node-b\)/, evidence(run));
    assert.match(run.read('06_stability_20s.log'), /UNSTABLE worker at \S+: exited \(.*137.*\) on node node-b/);
    // The manager came from the environment this time: the preflight says so.
    assert.match(run.read('00_compose_down.log'), new RegExp(`swarm manager \\(active\\) at ${s.managerHost.replace(/[.]/g, '\\.')} \\(from DOCKER_HOST\\)`));
    assert.deepEqual(leftovers(s), []);
  });

  it("node B going down during the window (killed: no event from it) fails Stability, naming the node; its leftovers are removed once it is back", async () => {
    const s = swarm();
    const logDir = join(tempDir('rg-kl-nodes-logs-'), 'logs');
    const run = await gate({
      // Only the window: an exec into node B's task would fail first and stop the gate before the manager sees the node down.
      only: 'clean,A,B',
      stability: '90s',
      logDir,
      duringWindow: async (sw) => {
        // As a machine losing power: its engine and tasks die at once, nothing is sent.
        const killed = spawnSync('docker', ['kill', sw.node('node-b').container], { encoding: 'utf8' });
        assert.equal(killed.status, 0, killed.stderr);
        // Back only once the gate's teardown waits for it (as a machine rebooting): what the stack left there is then removed.
        const teardown = join(logDir, 'teardown.log');
        for (let i = 0; i < 240 && !(existsSync(teardown) && /waiting for the engine of node node-b/.test(readFileSync(teardown, 'utf8'))); i++) {
          await new Promise((r) => setTimeout(r, 500));
        }
        await sw.startNode('node-b');
      },
    });
    assert.equal(run.code, 1, `${evidence(run)}\n${run.read('06_stability_90s.log')}`);
    assert.match(run.line('Stability'), /❌ Stability: [1-9]\d* restarts?, .*\((backend|worker) on node node-b, (backend|worker) on node node-b\)/, evidence(run));
    assert.match(run.read('06_stability_90s.log'), /UNSTABLE (backend|worker) at \S+: restarted on node node-b \(the node went down: its task is rescheduled\)/);
    const teardown = run.read('teardown.log');
    assert.match(teardown, /waiting for the engine of node node-b \(down\) to answer/, teardown);
    assert.match(teardown, /removed volume \S+_media on node node-b/, teardown);
    assert.deepEqual(leftovers(s), []);
  });

  it('refuses up front (exit 3): no registry on two nodes, a node without an engine, an endpoint that is another node', async () => {
    const s = swarm();
    const dir = tempDir('rg-kl-nodes-refuse-');
    const manager = `manager: ${JSON.stringify(s.managerHost)}`;
    const registry = `registry: ${JSON.stringify(s.registry)}`;
    const cases: [string[], RegExp][] = [
      [[manager, `nodeEngines: { node-b: ${JSON.stringify(s.node('node-b').engine)} }`], /more than one node that takes tasks.*\n.*hint: Set stack\.registry.*\n.*\(RG_SWARM_NEEDS_REGISTRY, exit 3\)/],
      [[manager, registry], /Swarm node node-b \(worker, ready, active\) takes tasks, but the gate has no endpoint for its engine.*\n.*hint: Give it in the config: stack\.nodeEngines.*\n.*\(RG_SWARM_NODE_UNREACHABLE, exit 3\)/],
      [[manager, registry, `nodeEngines: { node-b: ${JSON.stringify(s.managerHost)} }`], /stack\.nodeEngines gives tcp:\/\/127\.0\.0\.1:\d+ for node node-b \(\w+\), but that engine is node node-a.*\n.*hint: .*\n.*\(RG_SWARM_NODE_UNREACHABLE, exit 3\)/],
    ];
    for (const [i, [stack, want]] of cases.entries()) {
      // The one-node config (no registry, no node engines) with the multi-node settings of each case.
      const file = writeConfig(dir, [`extends: ${JSON.stringify(join(SAMPLE, 'release-gate.swarm.yml'))}`, `cwd: ${JSON.stringify(SAMPLE)}`, 'stack:', ...stack.map((l) => `  ${l}`), ''].join('\n'));
      const run = await runCli(['run', '--config', file, '--only', 'clean', '--log-dir', join(dir, `logs-${i}`)], { cwd: ROOT, env: { KORRIGO_LITE_SWARM_STACK: STACK } });
      assert.equal(run.code, 3, run.stdout + run.stderr);
      assert.match(run.stdout + run.stderr, want, run.stdout + run.stderr);
    }
    assert.deepEqual(leftovers(s), []);
  });
});
