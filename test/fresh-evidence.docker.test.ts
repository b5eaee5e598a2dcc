// Needs a real Docker engine + compose v2 and the local debian:trixie-slim image
// (scripts/docker-engine.sh). Run alone: node --test dist/test/fresh-evidence.docker.test.js
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, runCli, tempDir, whenStepStarts, writeConfig } from './helpers.js';
import { evidence, labelledObjects, readGateRun } from './korrigo-lite-docker.js';

/*
 * Issue 24 on a real engine: JSON log lines read by their level, a pause seen by the watch,
 * the containers of every profile removed, the engine's own faults named as such.
 */

const COMPOSE = join(FIXTURES, 'fresh-evidence', 'docker-compose.yml');
const projects: string[] = [];
const project = () => {
  const name = `rg-test-fresh-${randomBytes(4).toString('hex')}`;
  projects.push(name);
  return name;
};
const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8' });
const leftovers = (name: string) => labelledObjects(`com.docker.compose.project=${name}`);

/** Containers a test started beside a project (never the gate's): removed first. */
const foreign: string[] = [];

after(() => {
  for (const id of foreign) docker('rm', '-f', id);
  for (const name of projects) {
    docker('compose', '-p', name, '-f', COMPOSE, '--profile', 'extra', 'down', '-v', '--remove-orphans', '--timeout', '2');
    assert.deepEqual(leftovers(name), [], `left on the engine by ${name}`);
  }
});

const SCAN = "{ log: 14_logs, do: logs, scan: { patterns: ['\\bERROR\\b', 'Traceback'], allow: [] }, criterion: logs }";

/** A gate on the fixture: clean, up, the `steps` of phase B after boot, logs (scanned by default), summary. */
function config(name: string, steps: string, criteria = '', logs = SCAN): string {
  return `
name: fresh-evidence
criteria: { boot: Boot${logs === SCAN ? ', logs: Logs' : ''}${criteria} }
stack:
  driver: compose
  file: ${COMPOSE}
  project: ${name}
  minFreeDiskMb: 256
teardown: { volumes: true }
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: B
    steps:
      - { log: 02_up, do: up }
      - { log: 03_ps, do: ps, ready: true, timeout: 60s, criterion: boot }
${steps}
  - id: logs
    always: true
    steps:
      - ${logs}
  - id: summary
    always: true
    steps: [{ log: 17_validation_summary, do: summary }]
`;
}

interface GateOptions {
  steps?: string;
  criteria?: string;
  logs?: string;
  args?: string[];
  /** Called with the log dir before the gate starts (to act when a step starts). */
  onStart?: (logDir: string) => void;
}

async function gate(name: string, o: GateOptions & { env?: Record<string, string> } = {}) {
  const dir = tempDir('rg-fresh-');
  const file = writeConfig(dir, config(name, o.steps ?? '', o.criteria ?? '', o.logs ?? SCAN));
  const logDir = join(dir, 'logs');
  o.onStart?.(logDir);
  const run = await runCli(['run', '--config', file, '--log-dir', logDir, ...(o.args ?? [])], { cwd: dir, env: o.env ?? {} });
  return readGateRun(logDir, run);
}

const container = (name: string, service = 'app') => `${name}-${service}-1`;
const STABILITY = '      - { log: "06_stability_{window}s", do: stability, window: 20s, mode: exclusive, criterion: stability }';


describe('structured logs on a compose stack', () => {
  it('fails Logs on the JSON error lines of a compose service, naming the first one', async () => {
    const name = project();
    const run = await gate(name);
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Boot'), /✅/, evidence(run));
    assert.match(run.line('Logs'), /❌ Logs: 2 unallowed error lines \(first: line \d+: app-1 +\| \{"level":"error".*db connection lost/, evidence(run));
    const log = run.read('14_logs.log');
    assert.match(log, /unallowed line \d+ \(JSON "level":"error"\)/);
    assert.match(log, /unallowed line \d+ \(JSON "severity":"CRITICAL"\)/);
    assert.deepEqual(leftovers(name), []);
  });
});

describe('the watch sees pauses', () => {
  it('fails Stability on a pause mid-window, naming the service, when and how long', async () => {
    const name = project();
    let pausedAt = 0;
    let unpausedAt = 0;
    const run = await gate(name, {
      steps: STABILITY,
      criteria: ', stability: Stability',
      logs: '{ log: 14_logs, do: logs }',
      onStart: (logDir) =>
        whenStepStarts(logDir, '06_stability_20s', () => {
          setTimeout(() => {
            pausedAt = Date.now();
            assert.equal(docker('pause', container(name)).status, 0);
            setTimeout(() => {
              unpausedAt = Date.now();
              assert.equal(docker('unpause', container(name)).status, 0);
            }, 4000);
          }, 1500);
        }),
    });
    assert.equal(run.code, 1, evidence(run));
    const line = run.line('Stability');
    assert.match(line, /❌ Stability: 0 restarts, 0 exits, 0 OOM, 0 unhealthy, 1 pause over \d+s \(app paused at \S+Z for (\d+\.\d)s\)/, evidence(run));
    const seconds = Number(/for (\d+\.\d)s\)/.exec(line)?.[1]);
    const measured = (unpausedAt - pausedAt) / 1000;
    assert.ok(Math.abs(seconds - measured) < 1, `pause length ${seconds}s, measured ${measured}s`);
    assert.match(run.read('06_stability_20s.log'), /event \S+ app pause/);
    assert.deepEqual(leftovers(name), []);
  });

  it('reports a service paused until the end as paused, not as an exit', async () => {
    const name = project();
    const run = await gate(name, {
      steps: STABILITY,
      criteria: ', stability: Stability',
      logs: '{ log: 14_logs, do: logs }',
      onStart: (logDir) => whenStepStarts(logDir, '06_stability_20s', () => setTimeout(() => docker('pause', container(name)), 1500)),
    });
    assert.equal(run.code, 1, evidence(run));
    const line = run.line('Stability');
    assert.match(line, /❌ Stability: 0 restarts, 0 exits, 0 OOM, 0 unhealthy, 1 pause over \d+s \(app paused at \S+Z, still paused at the verdict \(\d+\.\ds\)\)/, evidence(run));
    assert.doesNotMatch(line, /exits? \(|unknown/);
    assert.deepEqual(leftovers(name), []);
  });
});

describe('every container of the project goes', () => {
  const NO_SCAN = '{ log: 14_logs, do: logs }';

  it('removes, at the next run\'s clean, a container an earlier run started under a profile (--keep-up)', async () => {
    const name = project();
    const first = await gate(name, { logs: NO_SCAN, args: ['--keep-up'], env: { COMPOSE_PROFILES: 'extra' } });
    assert.equal(first.code, 0, evidence(first));
    assert.deepEqual(leftovers(name).filter((l) => l.startsWith('container')).sort(), [`container ${container(name, 'app')}`, `container ${container(name, 'extra')}`]);
    const next = await gate(name, { logs: NO_SCAN });
    assert.equal(next.code, 0, evidence(next));
    assert.match(next.read('00_down.log'), new RegExp(`Container ${container(name, 'extra')} +Removed|removed container ${container(name, 'extra')}`));
    assert.doesNotMatch(next.read('teardown.log'), /still in use/);
    assert.deepEqual(leftovers(name), []);
  });

  it('fails Teardown naming a leftover it cannot remove (its volume held by a container it does not own)', async () => {
    const name = project();
    const holder = `${name}-holder`;
    const run = await gate(name, {
      logs: NO_SCAN,
      onStart: (logDir) =>
        whenStepStarts(logDir, '03_ps', () => {
          const r = docker('run', '-d', '--name', holder, '-v', `${name}_data:/data`, 'debian:trixie-slim', 'sleep', '600');
          assert.equal(r.status, 0, r.stderr);
          foreign.push(holder);
        }),
    });
    assert.equal(run.code, 1, evidence(run));
    assert.match(run.line('Teardown'), new RegExp(`❌ Teardown: .*volume ${name}_data \\(.*in use`), evidence(run));
    assert.equal(docker('inspect', holder).status, 0, 'the foreign container is never removed');
    docker('rm', '-f', holder);
    docker('volume', 'rm', `${name}_data`);
    assert.deepEqual(leftovers(name), []);
  });
});

describe('the environment\'s faults are named as such', () => {
  it('detaches a container it does not own from the project\'s network ("active endpoints"), removes the network, never the container', async () => {
    const name = project();
    const holder = `${name}-foreign`;
    const run = await gate(name, {
      logs: '{ log: 14_logs, do: logs }',
      onStart: (logDir) =>
        whenStepStarts(logDir, '03_ps', () => {
          const r = docker('run', '-d', '--name', holder, '--network', `${name}_default`, 'debian:trixie-slim', 'sleep', '600');
          assert.equal(r.status, 0, r.stderr);
          foreign.push(holder);
        }),
    });
    assert.equal(run.code, 0, evidence(run));
    const teardown = run.read('teardown.log');
    assert.match(teardown, new RegExp(`disconnected ${holder} \\(container release-gate does not own: left running\\) from network ${name}_default`), teardown);
    assert.match(teardown, new RegExp(`removed, once its endpoints were detached, network ${name}_default`));
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', holder).stdout.trim(), 'true', 'the foreign container is never removed nor stopped');
    docker('rm', '-f', holder);
    assert.deepEqual(leftovers(name), []);
  });
});

