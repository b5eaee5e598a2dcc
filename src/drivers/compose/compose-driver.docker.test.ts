// Needs a real Docker engine + compose and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run through `npm run test:docker`.
import { after, afterEach, before, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { pickFreePort } from '../../common/ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { RgEnvironmentError } from '../../common/errors.js';
import type { OutputSink } from '../../common/output.js';
import { ComposeDriver, type ComposeDriverOptions } from './compose-driver.js';
import { MANAGED_LABEL, PROJECT_LABEL } from './compose-project.js';
import type { ServiceStatus, StackEvent } from '../../model/stack.js';

const fixtureDir = fileURLToPath(new URL('../../../../test/fixtures/compose-driver/', import.meta.url));
const docker = new Docker();

/** Sink that keeps everything, for assertions on streamed output. */
function memorySink(): OutputSink & { text(): string } {
  const parts: string[] = [];
  return {
    write: (chunk) => parts.push(chunk.toString()),
    line: (text) => parts.push(`${text}\n`),
    text: () => parts.join(''),
  };
}

function projectName(): string {
  return `rg-test-${randomBytes(4).toString('hex')}`;
}

const freePort = () => pickFreePort();

function driverFor(name: string, port: number, extra: Partial<ComposeDriverOptions> = {}): ComposeDriver {
  return new ComposeDriver({ projectDir: fixtureDir, files: ['docker-compose.yml'], projectName: name, env: { RG_FIXTURE_PORT: String(port) }, minFreeDiskMb: 256, ...extra });
}

/** Polls until check() returns a value, or fails naming what it waited for. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not reached after ${timeoutMs}ms${last ? ` (last error: ${String(last)})` : ''}`);
}

/** Everything the engine still holds for a project: must be empty after down -v. */
async function leftovers(name: string): Promise<string[]> {
  const filters = { label: [`${PROJECT_LABEL}=${name}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  const networks = await docker.listNetworks({ filters });
  return [...containers.map((c) => `container ${c.Names[0]}`), ...volumes.map((v) => `volume ${v.Name}`), ...networks.map((n) => `network ${n.Name}`)];
}

async function cleanUp(name: string, port: number): Promise<void> {
  const d = driverFor(name, port, { forceClean: true });
  try {
    await d.down({ volumes: true }, memorySink());
  } finally {
    await d.close();
  }
  assert.deepEqual(await leftovers(name), [], `down -v left objects of project ${name}`);
}

const byName = (list: ServiceStatus[], name: string) => list.find((s) => s.name === name);

describe('ComposeDriver on a real engine', () => {
  describe('a running fixture stack', () => {
    const name = projectName();
    let port = 0;
    let driver: ComposeDriver;
    const events: StackEvent[] = [];
    let stopWatching: () => void = () => undefined;
    const upLog = memorySink();

    before(async () => {
      port = await freePort();
      driver = driverFor(name, port, { env: { RG_FIXTURE_PORT: String(port), FIXTURE_SECRET: 's3cret-value' } });
      await driver.preflight(upLog);
      await driver.down({ volumes: true }, upLog);
      // Subscribed before up, so the first die/start of crash-once is seen.
      stopWatching = await driver.watch((e) => events.push(e));
      await driver.up(upLog);
    });

    after(async () => {
      stopWatching();
      await driver.close();
      await cleanUp(name, port);
    });

    it('preflight names the engine, the compose flavour and the free published port', () => {
      const text = upLog.text();
      assert.match(text, /^engine: Docker .* reachable$/m);
      assert.match(text, /^compose: docker compose v2 \(\d+\.\d+/m);
      assert.match(text, new RegExp(`^port 127\\.0\\.0\\.1:${port} \\(service "web"\\): free$`, 'm'));
      assert.match(text, /^disk: \d+ MB free/m);
    });

    it('reports restartCount >= 1 for a container that crashed once and runs again', async () => {
      const s = await until('crash-once running again after a restart', async () => {
        const st = byName(await driver.services(), 'crash-once');
        return st && st.state === 'running' && st.restartCount >= 1 ? st : undefined;
      });
      // Running again: the engine reset ExitCode on start; the crash's code is in the die event.
      assert.equal(s.exitCode, null);
      assert.ok(s.startedAt instanceof Date);
      assert.equal(s.oomKilled, false);
    });

    it('watch() delivers the die (exit 3) and the following start of the crash', async () => {
      const die = await until('die event of crash-once', async () => events.find((e) => e.service === 'crash-once' && e.kind === 'die'));
      assert.equal(die.exitCode, 3);
      await until('start event after the die', async () =>
        events.find((e) => e.service === 'crash-once' && e.kind === 'start' && e.at.getTime() >= die.at.getTime()),
      );
    });

    it("ignores a container that has the project's labels without being compose's (one started from an image compose built)", async () => {
      // What a swarm stack reusing `app:local` runs: the image's compose labels, no container-number.
      const foreign = await docker.createContainer({
        Image: 'debian:trixie-slim',
        Cmd: ['sh', '-c', 'sleep 1; exit 5'],
        Labels: { [PROJECT_LABEL]: name, 'com.docker.compose.service': 'web' },
      });
      const from = Date.now();
      try {
        await foreign.start();
        await foreign.wait();
        await new Promise((r) => setTimeout(r, 500));
        const webs = (await driver.services()).filter((s) => s.name === 'web' || s.name.startsWith('web-'));
        assert.deepEqual(webs.map((s) => [s.name, s.state]), [['web', 'running']]);
        assert.deepEqual(events.filter((e) => e.service === 'web' && e.kind === 'die' && e.at.getTime() >= from - 1000), []);
      } finally {
        await foreign.remove({ force: true });
      }
    });

    it('reports an unhealthy service, and watch() its health change', async () => {
      await until('sick reported unhealthy', async () => (byName(await driver.services(), 'sick')?.health === 'unhealthy' ? true : undefined));
      await until('health event for sick', async () => events.find((e) => e.service === 'sick' && e.kind === 'health' && e.health === 'unhealthy'));
      const web = byName(await driver.services(), 'web');
      assert.equal(web?.health, 'none');
      assert.equal(web?.state, 'running');
      assert.equal(web?.exitCode, null);
    });

    it('labels the containers it created as release-gate managed', async () => {
      const list = await docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${name}`] } });
      assert.equal(list.length, 3);
      for (const c of list) assert.equal(c.Labels[MANAGED_LABEL], 'true', c.Names[0]);
    });

    it('passes the extra env (secrets) to compose interpolation', async () => {
      const out = memorySink();
      const r = await driver.exec('web', ['sh', '-c', 'printf "%s" "$FIXTURE_SECRET"'], { output: out });
      assert.equal(r.exitCode, 0);
      assert.equal(out.text(), 's3cret-value');
    });

    it('exec streams stdout and stderr and returns the exit code', async () => {
      const out = memorySink();
      const r = await driver.exec('web', ['sh', '-c', 'echo "to stdout $EXTRA"; echo to stderr >&2; exit 7'], { output: out, env: { EXTRA: 'x1' } });
      assert.equal(r.exitCode, 7);
      assert.match(out.text(), /to stdout x1\n/);
      assert.match(out.text(), /to stderr\n/);
      const ok = await driver.exec('web', ['true'], { output: memorySink() });
      assert.equal(ok.exitCode, 0);
    });

    it('exec on a service without a running container fails naming it', async () => {
      await assert.rejects(driver.exec('nope', ['true'], { output: memorySink() }), /Service "nope" .* is not running/);
    });

    it('copyOut copies a file out of a service', async () => {
      const out = memorySink();
      assert.equal((await driver.exec('web', ['sh', '-c', 'printf "<testsuite/>" > /tmp/report.xml'], { output: out })).exitCode, 0);
      const dir = await mkdtemp(join(tmpdir(), 'rg-copyout-'));
      try {
        await driver.copyOut('web', '/tmp/report.xml', join(dir, 'report.xml'));
        assert.equal(await readFile(join(dir, 'report.xml'), 'utf8'), '<testsuite/>');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('logs streams a service log with tail, ps lists every service', async () => {
      await until('crash-once logged its restart', async () => {
        const out = memorySink();
        await driver.logs('crash-once', { output: out, tail: 50 });
        return /up again/.test(out.text()) ? true : undefined;
      });
      const out = memorySink();
      await driver.logs('crash-once', { output: out, tail: 1 });
      assert.equal(out.text().trim().split('\n').length, 1);
      assert.doesNotMatch(out.text(), /\x1b\[/, 'no ANSI escapes in logs');
      const table = await driver.ps();
      for (const svc of ['crash-once', 'sick', 'web']) assert.match(table, new RegExp(svc));
    });
    // Last of the block: the killed container stays down (the engine takes `docker kill` for a stop).
    it('killService SIGKILLs the running container: watch() delivers its die with exit 137 and the service is down', async () => {
      await until('crash-once running again', async () => (byName(await driver.services(), 'crash-once')?.state === 'running' ? true : undefined));
      const from = Date.now();
      await driver.killService('crash-once');
      const die = await until('die 137 of crash-once', async () => events.find((e) => e.service === 'crash-once' && e.kind === 'die' && e.exitCode === 137 && e.at.getTime() >= from - 1000));
      assert.ok(die);
      await until('crash-once down after the kill', async () => (byName(await driver.services(), 'crash-once')?.state === 'exited' ? true : undefined));
    });

  });

  describe('with the legacy docker-compose v1', () => {
    it('runs the same lifecycle: preflight, up, labelled containers, services, exec, copyOut, logs, ps, down -v', async () => {
      const name = projectName();
      const port = await freePort();
      const driver = driverFor(name, port, { compose: 'v1' });
      const log = memorySink();
      try {
        await driver.preflight(log);
        assert.match(log.text(), /^compose: docker-compose v1 \(1\.\d+/m);
        await driver.up(log);
        const list = await docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${name}`] } });
        assert.equal(list.length, 3);
        for (const c of list) assert.equal(c.Labels[MANAGED_LABEL], 'true', c.Names[0]);
        await until('crash-once restarted under v1', async () => {
          const st = byName(await driver.services(), 'crash-once');
          return st && st.state === 'running' && st.restartCount >= 1 ? st : undefined;
        });
        const out = memorySink();
        assert.equal((await driver.exec('web', ['sh', '-c', 'echo v1 > /tmp/v1.txt; cat /tmp/v1.txt; exit 5'], { output: out })).exitCode, 5);
        assert.match(out.text(), /^v1$/m);
        const dir = await mkdtemp(join(tmpdir(), 'rg-copyout-'));
        try {
          await driver.copyOut('web', '/tmp/v1.txt', join(dir, 'v1.txt'));
          assert.equal(await readFile(join(dir, 'v1.txt'), 'utf8'), 'v1\n');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
        const logs = memorySink();
        await driver.logs(undefined, { output: logs, tail: 20 });
        assert.match(logs.text(), /up again/);
        assert.match(await driver.ps(), /crash-once/);
        await driver.down({ volumes: true }, memorySink());
        assert.deepEqual(await leftovers(name), []);
      } finally {
        await driver.close();
        await cleanUp(name, port);
      }
    });
  });

  describe('preflight and down refusals', () => {
    const names: string[] = [];
    let port = 0;
    afterEach(async () => {
      for (const n of names.splice(0)) await cleanUp(n, port);
    });

    it('fails preflight with exit code 3 when a published port is taken', async () => {
      port = await freePort();
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
      const name = projectName();
      names.push(name);
      const driver = driverFor(name, port);
      try {
        await assert.rejects(driver.preflight(memorySink()), (err: unknown) => {
          assert.ok(err instanceof RgEnvironmentError);
          assert.equal(err.code, 'RG_PORT_TAKEN');
          assert.equal(err.exitCode, 3);
          assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} published by service "web"`));
          return true;
        });
      } finally {
        await driver.close();
        await new Promise<void>((r) => blocker.close(() => r()));
      }
    });

    it('refuses down -v on a project holding containers it did not create, removes it with forceClean', async () => {
      port = await freePort();
      const name = projectName();
      names.push(name);
      // A developer's stack under the same project name: plain compose, no release-gate labels.
      const r = spawnSync('docker', ['compose', '-p', name, '-f', join(fixtureDir, 'docker-compose.yml'), 'up', '-d', 'web'], {
        env: { ...process.env, RG_FIXTURE_PORT: String(port) },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      const driver = driverFor(name, port);
      try {
        await assert.rejects(driver.down({ volumes: true }, memorySink()), (err: unknown) => {
          assert.ok(err instanceof RgEnvironmentError);
          assert.equal(err.code, 'RG_FOREIGN_PROJECT');
          assert.equal(err.exitCode, 3);
          assert.match(err.message, new RegExp(`container ${name}-web-1`));
          assert.match(err.hint ?? '', /--force-clean/);
          return true;
        });
        assert.notDeepEqual(await leftovers(name), [], 'the foreign stack is still there');
      } finally {
        await driver.close();
      }
      const forced = driverFor(name, port, { forceClean: true });
      const out = memorySink();
      await forced.down({ volumes: true }, out);
      await forced.close();
      assert.match(out.text(), /--force-clean: removing/);
      assert.deepEqual(await leftovers(name), []);
    });

    it('fails preflight with exit code 3 when the engine is unreachable', async () => {
      const driver = driverFor(projectName(), 1, { docker: new Docker({ socketPath: join(tmpdir(), 'rg-no-such-engine.sock') }) });
      await assert.rejects(driver.preflight(memorySink()), (err: unknown) => {
        assert.ok(err instanceof RgEnvironmentError);
        assert.equal(err.code, 'RG_DRIVER_UNAVAILABLE');
        assert.equal(err.exitCode, 3);
        assert.match(err.hint ?? '', /scripts\/docker-engine\.sh/);
        return true;
      });
      await driver.close();
    });
  });
});
