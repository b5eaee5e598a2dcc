import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runHostileCase, type HostileCase, type Sandbox } from './hostile-harness.js';
import { freePort } from './helpers.js';

/*
 * The last signal (issue 23, point 7): three SIGINTs 10 ms apart quit at once, as documented,
 * but first kill the local driver's process groups (SIGKILL, synchronously) and print what was
 * left. The services ignore SIGTERM, so only that last SIGKILL can end them in time: the
 * harness then finds no process carrying the run's marker (grandchildren included).
 */

/**
 * db: a shell that ignores SIGTERM, with a detached-in-the-group grandchild `(sleep &)`, a
 * background sleep and a node server answering after `delayMs`; web waits for db to be healthy.
 */
function gate(port: number, delayMs: number): string {
  const server = `process.on('SIGTERM', () => {}); setTimeout(() => require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), ${delayMs})`;
  return `name: hostile-signals
baseUrl: http://127.0.0.1:${port}
criteria: { boot: Boot, stability: Stability }
stack:
  driver: local
  services:
    db:
      command: [sh, -c, ${JSON.stringify(`trap '' TERM; mkdir -p .data && touch .data/started && (sleep 600 &) ; sleep 600 & exec node -e "${server.replaceAll('"', '\\"')}"`)}]
      healthcheck: { http: "http://127.0.0.1:${port}/", interval: 100ms }
      dataDirs: [.data]
    web:
      command: [node, -e, "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"]
      dependsOn: { db: healthy }
phases:
  - id: A
    steps:
      - { log: 00_down, do: down, volumes: true }
      - { log: 01_up, do: up, criterion: boot }
  - id: B
    steps:
      - { log: 02_stability, do: stability, window: 60s, criterion: stability }
`;
}

/** Calls send once ready() holds (polled every 20 ms), at most after limitMs. */
function when(ready: () => boolean, send: () => void, limitMs = 30_000): void {
  const started = Date.now();
  const timer = setInterval(() => {
    if (ready()) {
      clearInterval(timer);
      send();
    } else if (Date.now() - started > limitMs) clearInterval(timer);
  }, 20);
}

/**
 * Three SIGINTs 10 ms apart. Two of them can reach the gate as one: libuv blocks signals around
 * each fork, and the kernel keeps one pending SIGINT, not two (seen once in ten runs during the
 * stability window, where `ps` is spawned). A user would press Ctrl-C again: so does this, every
 * 500 ms while the gate still runs, at most 5 times.
 */
function threeSignals(child: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null; signalCode: string | null }): void {
  const send = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  send();
  setTimeout(send, 10);
  setTimeout(send, 20);
  for (let i = 1; i <= 5; i++) setTimeout(send, 20 + i * 500);
}

function signalCase(name: string, delayMs: number, ready: (s: Sandbox) => boolean): HostileCase {
  let port = 0;
  return {
    name,
    setup(s) {
      s.write('release-gate.yml', gate(port, delayMs));
      return { args: ['run', '--config', 'release-gate.yml'] };
    },
    code: 130,
    names: [/SIGINT: quitting at once/, /killed service db \(process group \d+\)/, /left the data dir of db: .*\.data/, /rm -rf/],
    // The data dir is the project's: named, not removed by the last signal.
    // `logs`: the log dir's parent, which the run creates for it.
    mayChange: ['project/.data', 'logs'],
    timeoutMs: 60_000,
    during(child, s) {
      when(() => ready(s), () => threeSignals(child));
    },
    after(run, s) {
      assert.ok(existsSync(join(s.project, '.data', 'started')), 'the service never started');
      assert.ok(run.wallMs < 40_000, `quit in ${run.wallMs} ms`);
    },
    async prepare() {
      port = await freePort();
    },
  } as HostileCase & { prepare(): Promise<void> };
}

const cases = [
  // db answers after 60 s: `up` is still waiting for it to be healthy when the signals come.
  signalCase('three SIGINTs 10 ms apart during up: exit 130, every process group killed, the data dir named', 60_000, (s) => existsSync(join(s.project, '.data', 'started'))),
  // db answers at once: the signals come once the stability window has begun.
  signalCase('three SIGINTs 10 ms apart during the stability window: exit 130, nothing left running', 0, (s) => existsSync(join(s.logDir, '02_stability.log'))),
];

describe('hostile signals: the last signal still cleans what is cheap to clean (local driver)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      await (c as unknown as { prepare(): Promise<void> }).prepare();
      const run = await runHostileCase(c);
      assert.doesNotMatch(run.output, /GATE PASSED/);
    });
  }
});
