import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RUN_LOCKS_DIR, RunLock } from '../src/common/run-lock.js';
import { bindStack } from '../src/drivers/bound-stack.js';
import { builtinDrivers } from '../src/drivers/driver-registry.js';
import { freePort, whenStepStarts } from './helpers.js';
import { createSandbox, processesMarked, runMarked, smallLocalConfig } from './hostile-harness.js';

/*
 * The run lock on real runs of the CLI (issue 26): two gates that share what one of them
 * removes cannot run at once. Each case runs in a sandbox with its own HOME (the runs remove
 * a data dir: never next to the real one).
 */

/** A small local gate on `port` whose data dir is `dataDir`, held 60 s in a host step. */
function heldGate(port: number, dataDir: string): string {
  return smallLocalConfig({
    port,
    service: `      dataDirs: [${dataDir}]`,
    steps: `      - { log: 03_hold, do: host, run: [node, -e, "setTimeout(() => {}, 60000)"] }`,
  });
}

describe('the run lock covers the data dirs a run removes', () => {
  it('refuses (exit 3) a second gate sharing a data dir with a running one, naming the first; a gate with its own data dir runs beside it', async () => {
    const sandbox = createSandbox();
    try {
      // Two configs of one project on other ports: each has its own local stack (state dir), only the data dir is shared.
      const first = sandbox.write('first.yml', heldGate(await freePort(), 'data'));
      const second = sandbox.write('second.yml', heldGate(await freePort(), 'data'));
      const own = sandbox.write('own.yml', heldGate(await freePort(), 'own-data'));
      const logs = (name: string) => join(sandbox.root, `logs-${name}`);
      const run = (config: string, name: string, more: string[] = [], during?: Parameters<typeof runMarked>[1]['during']) =>
        runMarked(['run', '--config', config, '--log-dir', logs(name), ...more], { cwd: sandbox.project, marker: sandbox.marker, home: sandbox.home, timeoutMs: 90_000, ...(during ? { during } : {}) });
      let refused: Awaited<ReturnType<typeof run>> | undefined;
      let beside: Awaited<ReturnType<typeof run>> | undefined;
      const held = await run(first, 'first', [], (child) => {
        whenStepStarts(logs('first'), '03_hold', () => {
          void (async () => {
            refused = await run(second, 'second');
            beside = await run(own, 'own', ['--skip', '03_hold']);
            child.kill('SIGINT');
          })();
        });
      });
      assert.equal(held.code, 130, held.output);
      assert.ok(refused && beside);
      assert.equal(refused.code, 3, refused.output);
      assert.match(refused.stderr, new RegExp(`Another gate is running on the data dir ${sandbox.project}/data: pid \\d+ since .*config ${first}, logs in ${logs('first')}`));
      assert.ok(!existsSync(logs('second')), 'the refused gate left a log dir');
      assert.equal(beside.code, 0, beside.output);
      // Released with the stack's lock: the refused gate now runs.
      const after = await run(second, 'second-after', ['--skip', '03_hold']);
      assert.equal(after.code, 0, after.output);
      const locks = existsSync(RUN_LOCKS_DIR) ? readdirSync(RUN_LOCKS_DIR) : [];
      assert.deepEqual(locks.filter((f) => readFileSync(join(RUN_LOCKS_DIR, f), 'utf8').includes(sandbox.project)), [], 'a lock was not released');
      assert.deepEqual(processesMarked(sandbox.marker), []);
    } finally {
      for (const pid of processesMarked(sandbox.marker)) process.kill(pid, 'SIGKILL');
      rmSync(sandbox.root, { recursive: true, force: true });
    }
  });
});

describe('the refusal names the stack as its driver kind does', () => {
  const cases = [
    { driver: 'compose', stack: 'stack: { driver: compose, file: docker-compose.yml, project: rg-lock-shop }', label: 'compose project "rg-lock-shop"' },
    { driver: 'swarm', stack: 'stack: { driver: swarm, file: docker-compose.yml, stack: rg-lock-shop }', label: 'swarm stack "rg-lock-shop"' },
  ];
  for (const c of cases) {
    it(`a ${c.driver} stack deployed under the same name from another project root is refused (exit 3) naming the ${c.driver} stack`, async () => {
      const sandbox = createSandbox();
      const config = `name: lock\nbaseUrl: http://127.0.0.1:1\ncriteria: { boot: Boot }\n${c.stack}\nphases:\n  - id: A\n    steps: [{ log: 01_ps, do: ps, criterion: boot }]\n`;
      const roots = ['checkout-a', 'checkout-b'].map((name) => join(sandbox.root, name));
      for (const root of roots) {
        mkdirSync(root);
        writeFileSync(join(root, 'docker-compose.yml'), 'services: {}\n');
        writeFileSync(join(root, 'release-gate.yml'), config);
      }
      // The first checkout's gate, as its run takes it (this test process is the live holder).
      const [rootA, rootB] = roots as [string, string];
      const stack = bindStack({ drivers: builtinDrivers }, { driver: c.driver, file: 'docker-compose.yml', project: 'rg-lock-shop', stack: 'rg-lock-shop' });
      const { key, label } = stack.lock({ root: rootA, configFile: join(rootA, 'release-gate.yml'), baseUrl: 'http://127.0.0.1:1' });
      const held = RunLock.acquire(key, { config: join(rootA, 'release-gate.yml'), logDir: join(sandbox.root, 'logs-a'), stack: label });
      try {
        const refused = await runMarked(['run', '--config', join(rootB, 'release-gate.yml'), '--log-dir', join(sandbox.root, 'logs-b')], { cwd: rootB, marker: sandbox.marker, home: sandbox.home, timeoutMs: 60_000 });
        assert.equal(refused.code, 3, refused.output);
        assert.match(refused.stderr, new RegExp(`Another gate is running on ${c.label}: pid ${process.pid} .*config ${rootA}/release-gate\\.yml, logs in ${sandbox.root}/logs-a`));
        assert.ok(!existsSync(join(sandbox.root, 'logs-b')), 'the refused gate left a log dir');
      } finally {
        held.release();
        rmSync(sandbox.root, { recursive: true, force: true });
      }
    });
  }
});
