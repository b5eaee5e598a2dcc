// A two-node Docker swarm on one machine, for the swarm driver's multi-node Docker tests (issue 29).
// Two Docker engines in containers (image: test/swarm-node-image.ts) on a bridge network of their
// own form a swarm of their own: node A (`node-a`) is the manager, node B (`node-b`) a worker. The
// host's engine and its one-node swarm are never touched; removing the two containers, their
// volumes, the network and stopping the registry removes everything.
//
// From the host, each inner engine answers on tcp://127.0.0.1:<port> (DOCKER_HOST); node A also
// publishes `publishedPorts` (127.0.0.1:P → P), so a service published in host mode on node A
// answers on the host's loopback. Images: debian:trixie-slim is loaded into node A (builds run
// there, e.g. `DOCKER_HOST=<managerHost> docker compose build`); node B pulls from `registry`.
// Services need `--endpoint-mode dnsrr` (this kernel has no IPVS: VIPs and the routing mesh do not
// answer). Recipe and measurements: docs/development.md, "A two-node swarm".
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { systemClock } from '../src/common/clock.js';
import { pickFreePort } from '../src/common/ports.js';
import { waitFor } from '../src/common/wait.js';
import { ensureNodeImage } from './swarm-node-image.js';
import { startTestRegistry, type TestRegistry } from './swarm-test-registry.js';

export type SwarmNodeRole = 'manager' | 'worker';

export interface SwarmNode {
  /** As `docker node ls` shows it: `node-a` (the manager), `node-b` (the worker). */
  hostname: string;
  /** The swarm's node ID. */
  id: string;
  /** Its engine from the host, `tcp://127.0.0.1:<port>`: a DOCKER_HOST, or a per-node engine endpoint. */
  engine: string;
  role: SwarmNodeRole;
  /** The node container on the host's engine (`rg-test-node-a-<rand>`). */
  container: string;
  /** Its address on the nodes' bridge: the swarm's advertise address. */
  address: string;
}

export interface DockerRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface TwoNodeSwarm {
  /** Node A's engine, `tcp://127.0.0.1:<port>`: the DOCKER_HOST of a gate on this swarm. */
  managerHost: string;
  /** The user-defined bridge the node containers share (`rg-test-nodes-<rand>`); its gateway serves the registry. */
  network: string;
  /** Node A (manager) first, then node B (worker). */
  nodes: SwarmNode[];
  /** `host:port` of the registry both nodes trust (plain HTTP): tag `<registry>/name:tag`, push from A, pull on B. */
  registry: string;
  /** The registry's process ID on the host (it is a child of the test process), for a check that teardown stopped it. */
  registryPid: number;
  /** Host ports that node A publishes as 127.0.0.1:P → P (a service's `mode=host` published port). */
  publishedPorts: number[];
  /** How long the node image build (0: cached) and the whole setup took. */
  timings: { imageBuildMs: number; setupMs: number };
  /** The node of that hostname (`node-a`, `node-b`); throws on another name. */
  node(hostname: string): SwarmNode;
  /** Runs the host's `docker` CLI against a node's engine (DOCKER_HOST); never throws on a failed command. */
  dockerOn(node: SwarmNode | string, args: string[], opts?: { input?: string; timeoutMs?: number }): DockerRun;
  /** Stops the node's container, its engine and its tasks with it (a machine going down). */
  stopNode(hostname: string): Promise<void>;
  /** Starts it again; resolves when its engine answers and the manager sees it Ready. */
  startNode(hostname: string): Promise<void>;
  /** Removes both nodes, their volumes and network, stops the registry. Idempotent; throws what it could not remove. */
  teardown(): Promise<void>;
}

export interface TwoNodeSwarmOptions {
  /** How many host ports node A publishes (chosen free at setup). Default 2. */
  publishedPorts?: number;
  /** Images of the host's engine loaded into node A. Default `['debian:trixie-slim']`. */
  images?: string[];
}

const ENGINE_PORT = 2375;
const ENGINE_BUDGET_MS = 60_000;
const READY_BUDGET_MS = 60_000;
const NODE_NAMES = [
  { letter: 'a', role: 'manager' },
  { letter: 'b', role: 'worker' },
] as const;

function docker(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): DockerRun {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

function must(what: string, run: DockerRun): string {
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}): ${run.stderr.trim() || run.stdout.trim()}`);
  return run.stdout.trim();
}

/** Whether a failed removal only says the object is already gone (teardown is idempotent). */
const alreadyGone = (run: DockerRun) => /no such (container|volume|network)|not found/i.test(run.stderr);

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await pickFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** Sets the swarm up; on any failure, removes what it made and rethrows. */
export async function startTwoNodeSwarm(opts: TwoNodeSwarmOptions = {}): Promise<TwoNodeSwarm> {
  const t0 = Date.now();
  const rand = randomBytes(3).toString('hex');
  const network = `rg-test-nodes-${rand}`;
  const nodes: SwarmNode[] = NODE_NAMES.map(({ letter, role }) => ({ hostname: `node-${letter}`, id: '', engine: '', role, container: `rg-test-node-${letter}-${rand}`, address: '' }));
  let registry: TestRegistry | undefined;

  const node = (hostname: string): SwarmNode => {
    const found = nodes.find((n) => n.hostname === hostname || n.container === hostname);
    if (!found) throw new Error(`no swarm node "${hostname}" (allowed: ${nodes.map((n) => n.hostname).join(', ')})`);
    return found;
  };
  const dockerOn: TwoNodeSwarm['dockerOn'] = (target, args, runOpts = {}) => {
    const { engine, hostname } = typeof target === 'string' ? node(target) : target;
    if (!engine) throw new Error(`swarm node ${hostname} has no engine endpoint yet (setup not finished)`);
    return docker(args, { ...runOpts, env: { ...process.env, DOCKER_HOST: engine } });
  };

  let torn = false;
  const teardown = async () => {
    const problems: string[] = [];
    const remove = (what: string, args: string[]) => {
      const r = docker(args);
      if (r.status !== 0 && !alreadyGone(r)) problems.push(`${what}: ${r.stderr.trim()}`);
    };
    for (const n of nodes) remove(`container ${n.container}`, ['rm', '-f', n.container]);
    for (const n of nodes) remove(`volume ${n.container}`, ['volume', 'rm', '-f', n.container]);
    remove(`network ${network}`, ['network', 'rm', network]);
    await registry?.stop();
    torn = true;
    if (problems.length > 0) throw new Error(`two-node swarm teardown left ${problems.length} object(s) (remove them by hand):\n  ${problems.join('\n  ')}`);
  };

  /** Waits until the node's engine answers on its TCP endpoint. */
  const engineUp = async (n: SwarmNode) => {
    const up = await waitFor(
      async () => {
        const r = dockerOn(n, ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 5000 });
        if (r.status === 0) return { done: true, value: r.stdout.trim() };
        // An engine that exited (a bad flag, a missing capability) will not answer: stop at once.
        const state = docker(['inspect', '--format', '{{.State.Status}}', n.container]).stdout.trim();
        return { done: false, stop: state !== 'running', value: `${r.stderr.trim()} (container ${state || 'gone'})` };
      },
      { timeoutMs: ENGINE_BUDGET_MS, intervalMs: 250, clock: systemClock },
    );
    if (!up.ok) {
      const logs = docker(['logs', '--tail', '30', n.container]);
      throw new Error(`engine of swarm node ${n.hostname} (${n.engine}) not answering after ${ENGINE_BUDGET_MS} ms (last: ${up.last ?? String(up.lastError)}); container logs:\n${logs.stdout}${logs.stderr}`);
    }
  };

  /** Waits until the manager lists every node Ready/Active. */
  const allReady = async () => {
    const ready = await waitFor(
      async () => {
        const r = dockerOn(nodes[0] as SwarmNode, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}}'], { timeoutMs: 5000 });
        const lines = r.stdout.trim().split('\n').filter(Boolean);
        return { done: r.status === 0 && lines.length === nodes.length && lines.every((l) => l.endsWith(' Ready Active')), value: r.status === 0 ? lines.join('; ') : r.stderr.trim() };
      },
      { timeoutMs: READY_BUDGET_MS, intervalMs: 250, clock: systemClock },
    );
    if (!ready.ok) throw new Error(`swarm nodes not all Ready/Active after ${READY_BUDGET_MS} ms (last: ${ready.last ?? String(ready.lastError)})`);
  };

  const addressOf = (n: SwarmNode) => must(`docker inspect ${n.container}`, docker(['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, n.container]));

  try {
    const { image, buildMs } = ensureNodeImage();
    must(`docker network create ${network}`, docker(['network', 'create', '--driver', 'bridge', network]));
    const gateway = must(`gateway of ${network}`, docker(['network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', network]));
    registry = await startTestRegistry(gateway);
    const ports = await distinctFreePorts(nodes.length + (opts.publishedPorts ?? 2));
    const publishedPorts = ports.slice(nodes.length);
    for (const [i, n] of nodes.entries()) {
      const port = ports[i] as number;
      n.engine = `tcp://127.0.0.1:${port}`;
      const publish = [`127.0.0.1:${port}:${ENGINE_PORT}`, ...(n.role === 'manager' ? publishedPorts.map((p) => `127.0.0.1:${p}:${p}`) : [])];
      // No --privileged: this host's capability bounding set lacks CAP_SYS_RESOURCE. A named volume
      // at /var/lib/docker: on the container's own overlay root the inner engine falls back to vfs.
      must(
        `docker run ${n.container}`,
        docker([
          'run', '-d', '--name', n.container, '--hostname', n.hostname, '--network', network,
          '--cap-add', 'ALL', '--cap-drop', 'SYS_RESOURCE',
          '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined', '--security-opt', 'systempaths=unconfined',
          '--volume', `${n.container}:/var/lib/docker`,
          '--env', `RG_INSECURE_REGISTRY=${registry.address}`,
          ...publish.flatMap((p) => ['--publish', p]),
          image,
        ]),
      );
      n.address = addressOf(n);
    }
    await Promise.all(nodes.map(engineUp));
    const [manager, ...workers] = nodes as [SwarmNode, ...SwarmNode[]];
    must('docker swarm init on node A', dockerOn(manager, ['swarm', 'init', '--advertise-addr', manager.address]));
    const token = must('worker join token', dockerOn(manager, ['swarm', 'join-token', '-q', 'worker']));
    for (const w of workers) must(`docker swarm join of ${w.hostname}`, dockerOn(w, ['swarm', 'join', '--advertise-addr', w.address, '--token', token, `${manager.address}:2377`]));
    await allReady();
    for (const n of nodes) {
      n.id = must(`node ID of ${n.hostname}`, dockerOn(manager, ['node', 'inspect', '--format', '{{.ID}}', n.hostname]));
      must(`label of ${n.hostname}`, dockerOn(manager, ['node', 'update', '--label-add', `rg.node=${n.hostname.slice(-1)}`, n.id]));
    }
    for (const img of opts.images ?? ['debian:trixie-slim']) {
      // Values through env, never spliced into the script text; pipefail: a failed save fails the load.
      const load = spawnSync('bash', ['-o', 'pipefail', '-c', 'docker save "$RG_IMAGE" | docker exec -i "$RG_NODE" docker load'], {
        encoding: 'utf8', env: { ...process.env, RG_IMAGE: img, RG_NODE: manager.container }, timeout: 300_000,
      });
      must(`loading ${img} into node A`, { status: load.status, stdout: load.stdout, stderr: load.stderr });
    }
    const stopNode = async (hostname: string) => {
      must(`docker stop ${hostname}`, docker(['stop', '--time', '10', node(hostname).container]));
    };
    const startNode = async (hostname: string) => {
      const n = node(hostname);
      const before = n.address;
      must(`docker start ${hostname}`, docker(['start', n.container]));
      // The swarm knows a node by its advertise address: a restart that moved it would break it.
      const now = addressOf(n);
      if (now !== before) throw new Error(`swarm node ${hostname} came back at ${now}, not ${before}: the swarm cannot reach it (restart the whole fixture)`);
      await engineUp(n);
      await allReady();
    };
    return { managerHost: manager.engine, network, nodes, registry: registry.address, registryPid: registry.pid, publishedPorts, timings: { imageBuildMs: buildMs, setupMs: Date.now() - t0 }, node, dockerOn, stopNode, startNode, teardown: () => (torn ? Promise.resolve() : teardown()) };
  } catch (err) {
    await teardown().catch((cleanup: unknown) => {
      throw new AggregateError([err, cleanup], `two-node swarm setup failed, and so did its cleanup: ${(err as Error).message}`);
    });
    throw err;
  }
}

/**
 * The fixture for one test file: set up in `before`, removed in `after` (also when a test failed).
 * Call at the top of a `describe`; the returned getter gives the swarm inside tests.
 */
export function useTwoNodeSwarm(opts: TwoNodeSwarmOptions = {}): () => TwoNodeSwarm {
  let swarm: TwoNodeSwarm | undefined;
  before(async () => {
    swarm = await startTwoNodeSwarm(opts);
  }, { timeout: 600_000 });
  after(async () => {
    await swarm?.teardown();
  }, { timeout: 120_000 });
  return () => {
    if (!swarm) throw new Error('the two-node swarm is not set up (its before() failed: see above)');
    return swarm;
  };
}
