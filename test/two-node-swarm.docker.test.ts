// The two-node swarm fixture itself (test/two-node-swarm.ts), on real engines: the swarm forms,
// node B gets its images from the registry, a dnsrr service spreads over both nodes and its tasks
// talk across the overlay network, a host-mode port on node A answers on the host's loopback,
// compose builds on node A through DOCKER_HOST, a stopped node comes back, and teardown leaves
// nothing. Run through `npm run test:docker` (needs `scripts/docker-engine.sh --swarm`).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemClock } from '../src/common/clock.js';
import { waitFor } from '../src/common/wait.js';
import { tempDir } from './helpers.js';
import { useTwoNodeSwarm, type DockerRun } from './two-node-swarm.js';

const RAND = randomBytes(3).toString('hex');
/** Each task answers one line, the hostname of the node it runs on, to whoever connects on 8080. */
const ECHO_NODE = 'use IO::Socket::INET; my $l = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!"; while (my $c = $l->accept) { print $c "$ENV{NODE}\\n"; close $c }';
/** Prints the line the server at $ARGV[0]:8080 answers. */
const ASK = '$s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => 8080, Timeout => 5) or die "connect $ARGV[0]: $@"; print scalar <$s>';

function ok(what: string, run: DockerRun): string {
  assert.equal(run.status, 0, `${what}: exit ${run.status}: ${run.stderr}`);
  return run.stdout.trim();
}

/** The line a TCP server on 127.0.0.1:port sends first. */
function readLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 3000 });
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString()));
    socket.once('end', () => resolve(data.trim()));
    socket.once('timeout', () => socket.destroy(new Error(`no answer from 127.0.0.1:${port} in 3 s`)));
    socket.once('error', reject);
  });
}

/** Whether a process of that ID still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, budgetMs: number, attempt: () => { done: boolean; value: T }): Promise<T> {
  const r = await waitFor(async () => attempt(), { timeoutMs: budgetMs, intervalMs: 250, clock: systemClock });
  if (!r.ok) assert.fail(`${what} not reached after ${budgetMs} ms (last: ${JSON.stringify(r.last ?? String(r.lastError))})`);
  return r.value;
}

describe('two-node swarm fixture', () => {
  const swarm = useTwoNodeSwarm({ publishedPorts: 2 });
  const image = () => `${swarm().registry}/rg-test-echo:${RAND}`;

  it('forms a swarm of two Ready/Active nodes, one manager, each engine on its own loopback port', (t) => {
    const s = swarm();
    t.diagnostic(`setup ${s.timings.setupMs} ms (node image build ${s.timings.imageBuildMs} ms, 0 = cached)`);
    const list = ok('node ls', s.dockerOn('node-a', ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}} {{.ID}}']));
    const rows = list.split('\n').sort();
    assert.equal(rows.length, 2, list);
    assert.match(rows[0] as string, /^node-a Ready Active Leader \S+$/);
    assert.match(rows[1] as string, /^node-b Ready Active  \S+$/);
    assert.deepEqual(s.nodes.map((n) => [n.hostname, n.role]), [['node-a', 'manager'], ['node-b', 'worker']]);
    assert.equal(s.managerHost, s.nodes[0]?.engine);
    for (const n of s.nodes) {
      assert.match(n.engine, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(rows.some((r) => r.startsWith(`${n.hostname} `) && r.endsWith(` ${n.id}`)), `${n.id} of ${n.hostname} in:\n${list}`);
      assert.equal(ok(`info on ${n.hostname}`, s.dockerOn(n, ['info', '--format', '{{.Name}} {{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}'])), `${n.hostname} active ${n.id}`);
      assert.equal(ok('label', s.dockerOn('node-a', ['node', 'inspect', '--format', '{{index .Spec.Labels "rg.node"}}', n.id])), n.hostname.slice(-1));
    }
    assert.equal(s.publishedPorts.length, 2);
  });

  it('builds with compose on node A through DOCKER_HOST, pushes to the registry, and node B pulls it', (t) => {
    const s = swarm();
    const dir = tempDir('rg-test-swarm-build-');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:trixie-slim\nRUN echo built-on-node-a > /built\n');
    writeFileSync(join(dir, 'compose.yml'), `services:\n  echo:\n    build: .\n    image: ${image()}\n`);
    const t0 = Date.now();
    const build = spawnSync('docker', ['compose', '-p', `rg-test-swarm-build-${RAND}`, 'build'], { cwd: dir, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: s.managerHost }, timeout: 300_000 });
    assert.equal(build.status, 0, `compose build against node A: ${build.stderr}`);
    t.diagnostic(`compose build on node A ${Date.now() - t0} ms`);
    // Built in node A's engine, not in the host's.
    ok('image on node A', s.dockerOn('node-a', ['image', 'inspect', image()]));
    assert.notEqual(spawnSync('docker', ['image', 'inspect', image()]).status, 0, 'the image must not be in the host engine');
    assert.notEqual(s.dockerOn('node-b', ['image', 'inspect', image()]).status, 0, 'node B has it before the pull');
    const t1 = Date.now();
    ok('push from node A', s.dockerOn('node-a', ['push', image()]));
    ok('pull on node B', s.dockerOn('node-b', ['pull', image()]));
    t.diagnostic(`push + pull ${Date.now() - t1} ms`);
    assert.equal(ok('file in the image on node B', s.dockerOn('node-b', ['run', '--rm', image(), 'cat', '/built'])), 'built-on-node-a');
    ok('rm the pulled image on node B', s.dockerOn('node-b', ['image', 'rm', image()]));
  });

  it('spreads a dnsrr service over both nodes, and a task on A reaches the task on B by name over the overlay', async (t) => {
    const s = swarm();
    const service = `rg-test-echo-${RAND}`;
    ok('overlay', s.dockerOn('node-a', ['network', 'create', '--driver', 'overlay', '--attachable', `rg-test-ovl-${RAND}`]));
    const t0 = Date.now();
    ok('service create', s.dockerOn('node-a', [
      'service', 'create', '--detach', '--name', service, '--mode', 'replicated', '--replicas', '2',
      '--placement-pref', 'spread=node.id', '--endpoint-mode', 'dnsrr', '--network', `rg-test-ovl-${RAND}`,
      '--env', 'NODE={{.Node.Hostname}}', image(), 'perl', '-e', ECHO_NODE,
    ]));
    const placed = await until('two running tasks', 90_000, () => {
      const r = s.dockerOn('node-a', ['service', 'ps', service, '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}} {{.Error}}']);
      const lines = r.stdout.trim().split('\n').filter((l) => l.includes(' Running '));
      return { done: lines.length === 2, value: r.stdout.trim() || r.stderr.trim() };
    });
    t.diagnostic(`service 2/2 running in ${Date.now() - t0} ms (node B pulled from the registry)`);
    const nodesOfTasks = placed.split('\n').map((l) => l.split(' ')[0]).sort();
    assert.deepEqual(nodesOfTasks, ['node-a', 'node-b'], placed);
    const taskOn = (hostname: string) => ok(`task container on ${hostname}`, s.dockerOn(hostname, ['ps', '--filter', `label=com.docker.swarm.service.name=${service}`, '--format', '{{.Names}}']));
    const onA = taskOn('node-a');
    const onB = taskOn('node-b');
    assert.equal(ok('A asks B', s.dockerOn('node-a', ['exec', onA, 'perl', '-MIO::Socket::INET', '-e', ASK, onB])), 'node-b');
    assert.equal(ok('B asks A', s.dockerOn('node-b', ['exec', onB, 'perl', '-MIO::Socket::INET', '-e', ASK, onA])), 'node-a');
    // dnsrr: the service's name resolves to both tasks' addresses.
    const resolved = ok('getent', s.dockerOn('node-a', ['exec', onA, 'getent', 'ahostsv4', service]));
    assert.equal(new Set(resolved.split('\n').map((l) => l.split(/\s+/)[0])).size, 2, resolved);
    ok('service rm', s.dockerOn('node-a', ['service', 'rm', service]));
  });

  it('answers on the host loopback through a port node A publishes, for a service published in host mode there', async () => {
    const s = swarm();
    const service = `rg-test-hostport-${RAND}`;
    const port = s.publishedPorts[0] as number;
    ok('service create', s.dockerOn('node-a', [
      'service', 'create', '--detach', '--name', service, '--endpoint-mode', 'dnsrr', '--constraint', 'node.labels.rg.node==a',
      '--publish', `mode=host,target=8080,published=${port}`, '--env', 'NODE={{.Node.Hostname}}', image(), 'perl', '-e', ECHO_NODE,
    ]));
    let last = '';
    const answer = await waitFor(
      async () => {
        last = await readLine(port).catch((err: Error) => err.message);
        return { done: last === 'node-a', value: last };
      },
      { timeoutMs: 60_000, intervalMs: 500, clock: systemClock },
    );
    assert.ok(answer.ok, `127.0.0.1:${port} never answered node-a (last: ${last})`);
    ok('service rm', s.dockerOn('node-a', ['service', 'rm', service]));
  });

  it('stops node B (its engine refuses, the manager marks it Down) and starts it again (Ready)', async (t) => {
    const s = swarm();
    const t0 = Date.now();
    await s.stopNode('node-b');
    assert.notEqual(s.dockerOn('node-b', ['info'], { timeoutMs: 5000 }).status, 0, 'the stopped engine still answers');
    await until('node-b Down on the manager', 60_000, () => {
      const status = s.dockerOn('node-a', ['node', 'inspect', '--format', '{{.Status.State}}', 'node-b']).stdout.trim();
      return { done: status === 'down', value: status };
    });
    t.diagnostic(`node B stopped and seen down in ${Date.now() - t0} ms`);
    const t1 = Date.now();
    await s.startNode('node-b');
    t.diagnostic(`node B back Ready in ${Date.now() - t1} ms`);
    assert.equal(ok('info', s.dockerOn('node-b', ['info', '--format', '{{.Swarm.LocalNodeState}}'])), 'active');
  });

  it('tears down to nothing: no node container, volume or network, the registry port closed', async (t) => {
    const s = swarm();
    const port = s.registry.split(':')[1] as string;
    const names = new Set([...s.nodes.map((n) => n.container), s.network]);
    const t0 = Date.now();
    await s.teardown();
    t.diagnostic(`teardown ${Date.now() - t0} ms`);
    const left = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.split('\n').filter((l) => names.has(l.trim()));
    assert.deepEqual(left(['ps', '-a', '--format', '{{.Names}}']), []);
    assert.deepEqual(left(['volume', 'ls', '--format', '{{.Name}}']), []);
    assert.deepEqual(left(['network', 'ls', '--format', '{{.Name}}']), []);
    // Read from the host's socket table, never by connecting: once the bridge is gone its gateway
    // address is no longer this machine's, and a connection would leave it.
    const listening = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
    assert.equal(listening.status, 0, `ss: ${listening.stderr}`);
    assert.equal(listening.stdout.trim(), '', `something still listens on port ${port} (the registry was ${s.registry})`);
    assert.equal(alive(s.registryPid), false, `the registry process ${s.registryPid} is still running`);
    await s.teardown(); // idempotent
  });
});
