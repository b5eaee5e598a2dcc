// A container registry of the Docker suite's own, for the two-node swarm fixture
// (test/two-node-swarm.ts): Debian's `docker-registry` (scripts/docker-engine.sh --swarm installs
// it), run as a process of this test file with a generated config, its storage in a temp dir,
// listening only on the address the node containers reach the host by (their bridge's gateway).
// What real multi-node users do: build on one node, push, every node pulls.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { bindProbe } from '../src/common/ports.js';
import { systemClock } from '../src/common/clock.js';
import { waitFor } from '../src/common/wait.js';
import { testDir } from '../src/common/test-dir.fixture.js';

/** The marker in the registry's config path: scripts/run-docker-tests.mjs looks for a process holding it after the suite. */
export const REGISTRY_DIR_PREFIX = 'rg-test-registry-';
const REGISTRY_BIN = 'docker-registry';
const READY_BUDGET_MS = 15_000;

export interface TestRegistry {
  /** `host:port`, as image references and `insecure-registries` write it. */
  address: string;
  /** Its process ID, for a test that checks it stopped. */
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s); idempotent. */
  stop(): Promise<void>;
}

/** A free TCP port on `host` (not 127.0.0.1: the gateway of the nodes' bridge). */
async function freePortOn(host: string, from = 20000, to = 32000): Promise<number> {
  let lastReason = '';
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const reason = await bindProbe(port, host);
    if (reason === null) return port;
    lastReason = reason;
  }
  throw new Error(`no free port on ${host} in ${from}-${to} after 100 tries (last: ${lastReason})`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the registry on `host` (an address of this machine) and waits until `GET /v2/` answers.
 * Fails with the registry's own output when it exits or does not answer in 15 s.
 */
export async function startTestRegistry(host: string): Promise<TestRegistry> {
  if (spawnSync(REGISTRY_BIN, ['--version'], { encoding: 'utf8' }).status !== 0) {
    throw new Error(`${REGISTRY_BIN} not found: the two-node swarm fixture needs Debian's docker-registry. Install it with \`sudo bash scripts/docker-engine.sh --swarm\`.`);
  }
  const dir = testDir(REGISTRY_DIR_PREFIX);
  const port = await freePortOn(host);
  const address = `${host}:${port}`;
  const config = join(dir, 'config.yml');
  // JSON is YAML: no quoting rules to get wrong. No auth: it listens on the nodes' bridge only.
  writeFileSync(
    config,
    JSON.stringify({
      version: 0.1,
      log: { level: 'warn' },
      storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
      http: { addr: address },
    }),
  );
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  // A test process that ends without its after() (an uncaught error) must not leave it running.
  // Nor keep it alive: a registry never stopped would hold the test process (and the suite) forever.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited(child);
    clearTimeout(timer);
  };

  const ready = await waitFor(
    async () => {
      if (spawnError || child.exitCode !== null) return { done: false, stop: true, value: `exited (${spawnError?.message ?? `code ${child.exitCode}`})` };
      const res = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2000) });
      return { done: res.status === 200, value: `GET /v2/ → ${res.status}` };
    },
    { timeoutMs: READY_BUDGET_MS, intervalMs: 250, clock: systemClock },
  );
  if (!ready.ok) {
    await stop();
    const last = ready.last ?? String(ready.lastError);
    throw new Error(`registry on ${address} not ready after ${READY_BUDGET_MS} ms (last: ${last}); its output:\n${output.trim() || '(none)'}`);
  }
  return { address, pid: child.pid as number, stop };
}
