/*
 * A gate leaves nothing in the temp dir: the local driver's state folder
 * (`release-gate-local-<hash>`), its raw logs and the run lock's folders go at the end of a
 * run. Each run gets TMPDIR=<a fresh folder>, listed afterwards. A run that leaves its stack up
 * (--keep-up) keeps the pid file, so the next run can stop those processes, then leaves
 * nothing either.
 */
import { after, describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FIXTURES, freePort, processesWith, runCli, tempDir, writeConfig } from './helpers.js';

/** Every file and folder under dir, relative to it. */
function everything(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => relative(dir, join(dir, p))).sort();
}

async function project(marker: string, failing = false): Promise<{ dir: string; config: string }> {
  const dir = tempDir();
  const port = await freePort();
  const config = writeConfig(
    dir,
    `name: temp-dir
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot, stability: Stability, check: Check }
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}, ${marker}]
      env: { PORT: "${port}" }
      healthcheck: { http: "http://127.0.0.1:${port}/health", interval: 100ms, retries: 50 }
      ports: [${port}]
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: B
    steps:
      - { log: 01_up, do: up }
      - { log: 02_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: 03_stability, do: stability, window: 1s, criterion: stability }
      - { log: 04_check, do: host, run: [node, -e, "process.exit(${failing ? 1 : 0})"], criterion: check }
  - id: G
    always: true
    steps: [{ log: 05_logs, do: logs }]
  - id: H
    always: true
    steps: [{ log: 06_summary, do: summary }]
`,
  );
  return { dir, config };
}

describe('the temp dir after a gate', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const failing of [false, true]) {
    it(`a ${failing ? 'failing' : 'passing'} local gate leaves its temp dir empty`, async () => {
      const tmp = tempDir('rg-test-tmpdir-');
      const { dir, config } = await project(`rg-temp-${failing ? 'red' : 'green'}-${process.pid}`, failing);
      dirs.push(tmp, dir);
      const run = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs')], { cwd: dir, env: { TMPDIR: tmp } });
      assert.equal(run.code, failing ? 1 : 0, run.stdout + run.stderr);
      assert.match(readFileSync(join(dir, 'logs', '00_down.log'), 'utf8'), new RegExp(`state in ${tmp}/release-gate-local-[0-9a-f]{12}`), 'the run used the fresh temp dir');
      assert.deepEqual(everything(tmp), []);
    });
  }

  it('a --keep-up run keeps its pid file for the next run, which stops those services and leaves the temp dir empty', async () => {
    const tmp = tempDir('rg-test-tmpdir-');
    const marker = `rg-temp-keep-${process.pid}`;
    const { dir, config } = await project(marker);
    dirs.push(tmp, dir);
    try {
      const kept = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs1'), '--keep-up'], { cwd: dir, env: { TMPDIR: tmp } });
      assert.equal(kept.code, 0, kept.stdout + kept.stderr);
      assert.ok(processesWith(marker).length > 0, 'the service is still up');
      const left = everything(tmp);
      assert.ok(left.some((p) => /^release-gate-local-[0-9a-f]{12}\/pids\.json$/.test(p)), `pid file kept: ${left.join(', ')}`);

      const next = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs2')], { cwd: dir, env: { TMPDIR: tmp } });
      assert.equal(next.code, 0, next.stdout + next.stderr);
      assert.deepEqual(processesWith(marker), []);
      assert.deepEqual(everything(tmp), []);
    } finally {
      for (const line of processesWith(marker)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    }
  });
});
