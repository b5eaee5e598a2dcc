import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { RUN_LOCKS_DIR } from '../src/common/run-lock.js';
import { processStartTime } from '../src/common/process-group.js';
import { CLI, FIXTURES, freePort, marker, processesWith, runCli, tempDir, whenStepStarts, writeConfig } from './helpers.js';

/*
 * Signals and crashes on real processes (local driver): each signal in each phase stops the
 * step, captures the logs, writes an "interrupted" summary, tears down and exits 128+n, with
 * no process left; a gate killed with -9 is cleaned up by the next run's phase 0.
 */

type Phase = 'build' | 'window' | 'e2e' | 'tests';
const SLOW_STEP: Record<Phase, string> = { build: '01_build', window: '04_stability_60s', e2e: '06_e2e', tests: '07_tests' };

/** A small gate whose step of one phase blocks (60 s) until the signal comes; the others are quick. */
function signalGate(port: number, mark: string, slow: Phase | null): string {
  const sleeper = (phase: Phase) => (slow === phase ? `setTimeout(() => {}, 60000)` : '0');
  const env = { PORT: String(port), MARKER: mark };
  return `
name: signals
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot, stability: Stability, e2e: E2E, tests: Tests, logs: Logs }
stack:
  driver: local
  services:
    web:
      command: [node, ${JSON.stringify(join(FIXTURES, 'fixture-server.mjs'))}, --marker=${mark}]
      env: ${JSON.stringify(env)}
      healthcheck: { http: "http://127.0.0.1:${port}/", interval: 200ms, retries: 20 }
      restart: always
      ports: [${port}]
      build: { command: [node, -e, "${sleeper('build')}", --, --marker=${mark}] }
phases:
  - id: clean
    steps: [{ log: 00_down, do: down, volumes: true }]
  - id: A
    steps: [{ log: 01_build, do: build, noCache: true }]
  - id: boot
    steps:
      - { log: 02_up, do: up }
      - { log: 03_ps, do: ps, ready: true, timeout: 20s, criterion: boot }
      - { log: "04_stability_{window}s", do: stability, window: ${slow === 'window' ? '60s' : '1s'}, mode: exclusive, criterion: stability }
  - id: E
    steps:
      - log: 06_e2e
        do: scenario
        criterion: e2e
        scenario:
          each:
            - { name: ${slow === 'e2e' ? 'slow' : 'health'}, request: { url: ${slow === 'e2e' ? '/slow' : '/health'} }, timeout: 60s }
  - id: T
    steps:
      - { log: 07_tests, do: exec, service: web, run: [node, -e, "${sleeper('tests')}", --, --marker=${mark}], criterion: tests }
  - id: logs
    always: true
    steps: [{ log: 08_logs, do: logs, criterion: logs }]
  - id: summary
    always: true
    steps: [{ log: 09_summary, do: summary }]
`;
}

const SIGNALS: [NodeJS.Signals, number][] = [
  ['SIGHUP', 129],
  ['SIGINT', 130],
  ['SIGQUIT', 131],
  ['SIGTERM', 143],
];
const PHASES: Phase[] = ['build', 'window', 'e2e', 'tests'];

describe('signals on real processes: every signal in every phase', { concurrency: 2 }, () => {
  for (const [signal, code] of SIGNALS) {
    for (const phase of PHASES) {
      it(`${signal} during ${phase}: stops the step, captures logs, writes an interrupted summary, tears down, exits ${code}`, async () => {
        const dir = tempDir();
        const mark = marker();
        const logDir = join(dir, 'logs');
        const config = writeConfig(dir, signalGate(await freePort(), mark, phase));
        const step = SLOW_STEP[phase];
        let sent = false;
        let watching = false;
        const run = await runCli(['run', '--config', config, '--log-dir', logDir], {
          cwd: dir,
          onStdout: (_stdout, child) => {
            if (watching) return;
            watching = true;
            whenStepStarts(logDir, step, () => {
              sent = true;
              // Long enough for the step's child process to exist.
              setTimeout(() => child.kill(signal), 700);
            });
          },
        });
        assert.ok(sent, `never reached ${step}\n${run.stdout}${run.stderr}`);
        assert.equal(run.code, code, run.stdout + run.stderr);
        const summary = JSON.parse(readFileSync(join(logDir, 'summary.json'), 'utf8')) as { verdict: string; steps: { log: string; status: string }[] };
        assert.equal(summary.verdict, 'interrupted');
        assert.equal(summary.steps.find((s) => s.log === `${step}.log`)?.status, 'interrupted', `${step} not marked interrupted`);
        assert.ok(existsSync(join(logDir, '08_logs.log')), 'logs were not captured');
        assert.ok(existsSync(join(logDir, '09_summary.log')), 'no summary log');
        assert.match(readFileSync(join(logDir, 'teardown.log'), 'utf8'), /stack stopped/);
        assert.deepEqual(processesWith(mark), [], 'a process survived');
      });
    }
  }
});

describe('a gate killed with -9', () => {
  it('leaves its services running, and the next run of the same config kills them in phase 0 (pid + start time)', async () => {
    const dir = tempDir();
    const mark = marker();
    const config = writeConfig(dir, signalGate(await freePort(), mark, 'window'));
    const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [CLI, 'run', '--config', config, '--log-dir', join(dir, 'logs-1')], { cwd: dir, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const stop = whenStepStarts(join(dir, 'logs-1'), '04_stability_60s', () => setTimeout(resolve, 300));
      child.once('close', () => {
        stop();
        reject(new Error(`the gate ended early:\n${out}`));
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));
    assert.ok(processesWith(mark).length > 0, 'the service should outlive a kill -9 of the gate');

    const again = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-2'), '--only', 'clean'], { cwd: dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(readFileSync(join(dir, 'logs-2', '00_down.log'), 'utf8'), /killing leftover process group \d+ from an earlier run/);
    assert.deepEqual(processesWith(mark), [], 'phase 0 left the crashed run\'s service running');
  });

  it('never kills a process whose pid was reused: the recorded start time differs', async () => {
    const dir = tempDir();
    const mark = marker();
    const config = writeConfig(dir, signalGate(await freePort(), mark, null));
    // A stranger in its own process group, recorded as if an earlier run had started it, but with another start time.
    const stranger = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', `--marker=${mark}`], { detached: true, stdio: 'ignore' });
    try {
      assert.ok(stranger.pid && processStartTime(stranger.pid));
      // A first run tells where the stack's state (and its pid file) lives.
      const first = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-1'), '--only', 'clean'], { cwd: dir });
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const stateDir = /state in (\S+)/.exec(readFileSync(join(dir, 'logs-1', '00_down.log'), 'utf8'))?.[1];
      assert.ok(stateDir, 'state dir not printed');
      // A clean run removes its (empty) state dir: an interrupted one leaves it with its pid file.
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, 'pids.json'), JSON.stringify([{ pgid: stranger.pid, start: 'not-its-start-time' }]));
      const second = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-2'), '--only', 'clean'], { cwd: dir });
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(readFileSync(join(dir, 'logs-2', '00_down.log'), 'utf8'), /not killing process group \d+: its pid now belongs to another process/);
      assert.equal(processesWith(mark).length, 1, 'the stranger was killed');
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

describe('the run lock', () => {
  it('makes a second gate on the same stack refuse with exit 3 naming the running one; released on exit; a stale lock is taken over', async () => {
    const dir = tempDir();
    const mark = marker();
    const config = writeConfig(dir, signalGate(await freePort(), mark, 'window'));
    let second: Awaited<ReturnType<typeof runCli>> | undefined;
    const first = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-1')], {
      cwd: dir,
      onStdout: (_stdout, child) => {
        if (second !== undefined) return;
        second = { code: -1, stdout: '', stderr: '' };
        whenStepStarts(join(dir, 'logs-1'), '04_stability_60s', () => {
          void runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-2')], { cwd: dir }).then((r) => {
            second = r;
            child.kill('SIGINT');
          });
        });
      },
    });
    assert.equal(first.code, 130, first.stdout + first.stderr);
    assert.ok(second);
    assert.equal(second.code, 3, second.stdout + second.stderr);
    assert.match(second.stderr, /Another gate is running on the local stack of .*release-gate\.yml: pid \d+ since .*logs in .*logs-1/);
    assert.ok(!existsSync(join(dir, 'logs-2')), 'the refused gate left a log dir');
    // The last lock out removes the folder (scripts/run-tests.mjs gives the suite its own temp dir).
    const locks = existsSync(RUN_LOCKS_DIR) ? readdirSync(RUN_LOCKS_DIR) : [];
    assert.deepEqual(locks.filter((f) => readFileSync(join(RUN_LOCKS_DIR, f), 'utf8').includes(config)), [], 'the lock was not released');

    // A lock left by a dead gate (kill -9) does not block the next run.
    const stateDir = /state in (\S+)/.exec(readFileSync(join(dir, 'logs-1', '00_down.log'), 'utf8'))?.[1] ?? '';
    const lockFile = join(RUN_LOCKS_DIR, `local-${basename(stateDir)}.lock`);
    mkdirSync(RUN_LOCKS_DIR, { recursive: true });
    writeFileSync(lockFile, JSON.stringify({ pid: 2 ** 22 + 1, start: 'gone', config, logDir: 'x', since: 'then' }));
    const third = await runCli(['run', '--config', config, '--log-dir', join(dir, 'logs-3'), '--only', 'clean'], { cwd: dir });
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.ok(!existsSync(lockFile), 'the stale lock was neither taken over nor released');
  });
});
