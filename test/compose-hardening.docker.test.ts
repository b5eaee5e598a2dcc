// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/compose-hardening.docker.test.js
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Docker from 'dockerode';
import { RgEnvironmentError } from '../src/common/errors.js';
import type { OutputSink } from '../src/common/output.js';
import { ComposeDriver } from '../src/drivers/compose/compose-driver.js';
import { PROJECT_LABEL } from '../src/drivers/compose/compose-project.js';
import { CLI, FIXTURES, freePort, processesWith, runCli, tempDir, whenStepStarts, writeConfig } from './helpers.js';

/*
 * The compose driver's last isolation holes and its signals, on a real engine: each of SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT in one of the phases (build --no-cache, window, E2E, tests) stops at
 * once and leaves nothing (the full 4×4 matrix runs on real processes, signals-local.test.ts);
 * a port taken after the preflight is exit 3, its hint naming the variable; a volume that only shares a name is refused; each rebuild's
 * dangling images of the project are removed, another project's never.
 */

const docker = new Docker();
const fixtureDir = join(FIXTURES, 'compose-hardening');
const projects: string[] = [];
const project = () => {
  const name = `rg-test-h12-${randomBytes(4).toString('hex')}`;
  projects.push(name);
  return name;
};
const sink = (): OutputSink & { text(): string } => {
  const parts: string[] = [];
  return { write: (c) => parts.push(c.toString()), line: (t) => parts.push(`${t}\n`), text: () => parts.join('') };
};

async function leftovers(name: string): Promise<string[]> {
  const filters = { label: [`${PROJECT_LABEL}=${name}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  const networks = await docker.listNetworks({ filters });
  const images = await docker.listImages({ filters: { label: [`${PROJECT_LABEL}=${name}`], dangling: ['true'] } });
  return [
    ...containers.map((c) => `container ${c.Names[0]}`),
    ...volumes.map((v) => `volume ${v.Name}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...images.map((i) => `dangling image ${i.Id}`),
    ...processesWith(name).map((p) => `process ${p.trim()}`),
  ];
}

/**
 * A gate with each phase of the issue: build, window, E2E (a scenario against \`e2eUrl\`, a
 * loopback server the test runs, that never answers /slow), tests (an exec in the container).
 */
function gateConfig(name: string, port: number, window: string, slow: 'e2e' | 'tests' | null = null, e2eUrl = `http://127.0.0.1:${port}`): string {
  return `
name: compose-signals
baseUrl: ${e2eUrl}
criteria: { build: Build, stability: Stability, e2e: E2E, tests: Tests, logs: Logs }
env: { RG_FIXTURE_PORT: "${port}", RG_IMAGE: "${name}" }
stack:
  driver: compose
  file: ${join(fixtureDir, 'docker-compose.yml')}
  project: ${name}
  minFreeDiskMb: 256
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: A
    steps: [{ log: 01_build_nocache, do: build, noCache: true, criterion: build }]
  - id: B
    steps:
      - { log: 02_up, do: up }
      - { log: "03_stability_{window}s", do: stability, window: ${window}, mode: exclusive, criterion: stability }
${
  slow === null
    ? ''
    : `  - id: E
    steps:
      - log: 05_e2e
        do: scenario
        criterion: e2e
        scenario: { each: [{ name: ${slow === 'e2e' ? 'slow' : 'health'}, request: { url: ${slow === 'e2e' ? '/slow' : '/health'} }, timeout: 120s }] }
  - id: T
    steps:
      - { log: 06_tests, do: exec, service: app, run: [sh, -c, "sleep ${slow === 'tests' ? 120 : 0}"], criterion: tests }
`
}  - id: logs
    always: true
    steps: [{ log: 04_logs, do: logs, criterion: logs }]
  - id: summary
    always: true
    steps: [{ log: 07_summary, do: summary }]
`;
}

after(async () => {
  for (const name of projects) {
    spawnSync('docker', ['compose', '-p', name, '-f', join(fixtureDir, 'docker-compose.yml'), 'down', '-v', '--rmi', 'all', '--remove-orphans'], { stdio: 'ignore' });
    await docker.pruneImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${name}`] } }).catch(() => undefined);
    await docker.getVolume(`${name}_data`).remove().catch(() => undefined);
  }
});

describe('compose: each signal and each phase (build, window, E2E, tests)', () => {
  // Loopback HTTP for the E2E phase: /health answers, /slow never does (the signal must end it).
  const e2eServer = createHttpServer((req, res) => {
    if (req.url === '/health') res.end('ok');
  });
  const e2eUrl = new Promise<string>((resolve) => e2eServer.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(e2eServer.address() as AddressInfo).port}`)));
  after(() => {
    e2eServer.closeAllConnections();
    e2eServer.close();
  });
  const cases: { what: string; step: string; signals: NodeJS.Signals[]; code: number; env: Record<string, string>; window: string; slow?: 'e2e' | 'tests' }[] = [
    { what: 'SIGINT during build --no-cache cancels the build at once', step: '01_build_nocache', signals: ['SIGINT'], code: 130, env: { SLOW_BUILD: '120' }, window: '1s' },
    { what: 'a second SIGINT during the build stops it too', step: '01_build_nocache', signals: ['SIGINT', 'SIGINT'], code: 130, env: { SLOW_BUILD: '120' }, window: '1s' },
    { what: 'SIGTERM during the window stops it, captures logs, tears down', step: '03_stability_120s', signals: ['SIGTERM'], code: 143, env: {}, window: '120s' },
    { what: 'SIGHUP (the terminal closed) during the E2E scenario stops its request', step: '05_e2e', signals: ['SIGHUP'], code: 129, env: {}, window: '1s', slow: 'e2e' },
    { what: 'SIGQUIT during the tests stops the exec in the container', step: '06_tests', signals: ['SIGQUIT'], code: 131, env: {}, window: '1s', slow: 'tests' },
  ];
  for (const c of cases) {
    it(`${c.what}: exit ${c.code}, nothing left (containers, networks, volumes, dangling images, processes)`, async (t) => {
      const name = project();
      const dir = tempDir();
      const logDir = join(dir, 'logs');
      const config = writeConfig(dir, gateConfig(name, await freePort(), c.window, c.slow ?? null, c.slow ? await e2eUrl : undefined));
      let sentAt = 0;
      const run = await runCli(['run', '--config', config, '--log-dir', logDir], {
        cwd: dir,
        env: c.env,
        onStdout: (_stdout, child) => {
          if (sentAt) return;
          sentAt = -1;
          whenStepStarts(logDir, c.step, () => {
            // Into the build's slow RUN (or the window) before the signal.
            setTimeout(() => {
              sentAt = Date.now();
              for (const [i, signal] of c.signals.entries()) setTimeout(() => child.kill(signal), i * 300);
            }, 6000);
          });
        },
      });
      const stopSeconds = (Date.now() - sentAt) / 1000;
      t.diagnostic(`stopped ${stopSeconds.toFixed(1)}s after the first signal`);
      assert.ok(sentAt > 0, `never reached ${c.step}\n${run.stdout}${run.stderr}`);
      assert.equal(run.code, c.code, run.stdout + run.stderr);
      // The build sleeps 120 s: done in well under that means it was cancelled, not waited out.
      assert.ok(stopSeconds < 45, `took ${stopSeconds.toFixed(1)}s to stop after the signal`);
      const summary = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as { verdict: string; steps: { log: string; status: string }[] };
      assert.equal(summary.verdict, 'interrupted');
      assert.equal(summary.steps.find((s) => s.log === `${c.step}.log`)?.status, 'interrupted', `the signal did not land in ${c.step}`);
      if (c.signals.length === 1) assert.ok(existsSync(join(logDir, '04_logs.log')), 'no log capture');
      assert.deepEqual(await leftovers(name), [], `project ${name} left objects behind`);
    });
  }
});

describe('compose: a gate killed with -9', () => {
  it('leaves its containers, and the next run\'s phase 0 removes them by project label (its stale run lock taken over)', async () => {
    const name = project();
    const dir = tempDir();
    const config = writeConfig(dir, gateConfig(name, await freePort(), '120s'));
    const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, 'run', '--config', config, '--log-dir', join(dir, 'logs-1')], { cwd: dir, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const stop = whenStepStarts(join(dir, 'logs-1'), '03_stability_120s', () => setTimeout(resolve, 1000));
      child.once('close', () => {
        stop();
        reject(new Error(`the gate ended early:\n${out}`));
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    assert.ok((await leftovers(name)).some((l) => l.startsWith('container')), 'the containers should outlive a kill -9 of the gate');
    const again = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-2'), '--only', 'clean'], { cwd: dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual(await leftovers(name), [], `project ${name} left objects behind`);
  });
});

describe('compose isolation', () => {
  it('a port taken between the preflight and up fails with RG_PORT_TAKEN (exit 3), naming it and the variable that moves it', async () => {
    const name = project();
    const port = await freePort();
    const driver = new ComposeDriver({ projectDir: fixtureDir, files: ['docker-compose.yml'], projectName: name, env: { RG_FIXTURE_PORT: String(port), RG_IMAGE: name }, minFreeDiskMb: 256 });
    const out = sink();
    const blocker = createServer();
    try {
      await driver.preflight(out);
      assert.match(out.text(), new RegExp(`port 127.0.0.1:${port} \\(service "app"\\): free`));
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      // The image exists already: `up` does not build.
      spawnSync('docker', ['tag', 'debian:trixie-slim', `${name}:local`]);
      const err = await driver.up(out).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof RgEnvironmentError, `expected RgEnvironmentError, got ${String(err)}`);
      assert.equal(err.code, 'RG_PORT_TAKEN');
      assert.equal(err.exitCode, 3);
      assert.match(err.message, /taken between the preflight and `up`/);
      // The compose file publishes `${RG_FIXTURE_PORT:-18090}`: the hint says which variable to set.
      assert.match(err.hint ?? '', new RegExp(`sport = :${port}.*set RG_FIXTURE_PORT to a free port`));
      // Taken before the preflight: the same hint there.
      const again = await driver.preflight(sink()).then(() => null, (e: unknown) => e);
      assert.ok(again instanceof RgEnvironmentError && again.code === 'RG_PORT_TAKEN', `expected RG_PORT_TAKEN, got ${String(again)}`);
      assert.match(again.hint ?? '', /set RG_FIXTURE_PORT to a free port/);
    } finally {
      blocker.close();
      await driver.down({ volumes: true }, out);
      await driver.close();
      spawnSync('docker', ['rmi', `${name}:local`]);
    }
    assert.deepEqual(await leftovers(name), []);
  });

  it('refuses to remove a volume that merely has the name of one of the gate\'s (no project label), naming it', async () => {
    const name = project();
    await docker.createVolume({ Name: `${name}_data` });
    const driver = new ComposeDriver({ projectDir: fixtureDir, files: ['docker-compose.yml'], projectName: name, env: { RG_IMAGE: name }, minFreeDiskMb: 256 });
    try {
      const err = await driver.down({ volumes: true }, sink()).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof RgEnvironmentError, String(err));
      assert.equal(err.code, 'RG_FOREIGN_PROJECT');
      assert.match(err.message, new RegExp(`volume ${name}_data \\(not created by compose for this project\\)`));
      assert.match(err.hint ?? '', /stack\.project/);
      assert.ok(await docker.getVolume(`${name}_data`).inspect(), 'the volume was removed');
    } finally {
      await driver.close();
      await docker.getVolume(`${name}_data`).remove();
    }
  });

  it('removes the dangling images of its own no-cache rebuilds, never another project\'s', async () => {
    const name = project();
    const other = project();
    // Another project's dangling image: built twice under the same tag, the first becomes <none>.
    for (let i = 0; i < 2; i++) {
      const r = spawnSync('docker', ['build', '-q', '--no-cache', '--label', `${PROJECT_LABEL}=${other}`, '-t', `${other}:local`, fixtureDir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const otherDangling = await docker.listImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${other}`] } });
    assert.equal(otherDangling.length, 1, 'fixture: the other project has one dangling image');
    const driver = new ComposeDriver({ projectDir: fixtureDir, files: ['docker-compose.yml'], projectName: name, env: { RG_IMAGE: name }, minFreeDiskMb: 256 });
    const out = sink();
    try {
      await driver.build({ noCache: true }, out);
      await driver.build({ noCache: true }, out);
      assert.match(out.text(), new RegExp(`removed \\d+ dangling image layer\\(s\\) of project ${name}`));
      assert.deepEqual(await docker.listImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${name}`] } }), []);
      assert.equal((await docker.listImages({ filters: { dangling: ['true'], label: [`${PROJECT_LABEL}=${other}`] } })).length, 1, 'another project\'s image was removed');
    } finally {
      await driver.close();
      spawnSync('docker', ['rmi', '-f', `${name}:local`, `${other}:local`, ...otherDangling.map((i) => i.Id)]);
    }
  });
});
