import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceStop } from '../model/stack.js';
import { judgeShutdown } from './shutdown-verdict.js';

const stop = (service: string, over: Partial<ServiceStop> = {}): ServiceStop => ({ service, signal: 'SIGTERM', graceMs: 10_000, running: true, exitCode: 0, stopMs: 150, killed: false, ...over });

describe('judgeShutdown', () => {
  const cases: { name: string; stops: ServiceStop[]; passed: boolean; detail: string }[] = [
    {
      name: 'every service exits 0 or 128+its signal within its grace: passes, naming the slowest',
      stops: [stop('backend', { graceMs: 5000 }), stop('worker', { exitCode: 143, stopMs: 40 }), stop('db', { signal: 'SIGINT', exitCode: 130, stopMs: 820 })],
      passed: true,
      detail: '3/3 stopped cleanly within their grace (slowest: db 820ms of 10s)',
    },
    {
      name: 'a service killed after its grace fails, named, with its grace and exit',
      stops: [stop('backend', { graceMs: 5000, killed: true, exitCode: 137, stopMs: 5012 }), stop('db')],
      passed: false,
      detail: 'backend ignored SIGTERM: killed after its 5s grace (exit 137) (1/2 stopped cleanly)',
    },
    {
      name: 'an error exit on the stop signal fails, with its stop time and what was expected',
      stops: [stop('worker', { exitCode: 1, stopMs: 300 })],
      passed: false,
      detail: 'worker exited 1 on SIGTERM after 300ms (expected 0 or 143) (0/1 stopped cleanly)',
    },
    {
      name: '143 is no clean exit for a service whose stop signal is SIGINT',
      stops: [stop('db', { signal: 'SIGINT', exitCode: 143 })],
      passed: false,
      detail: 'db exited 143 on SIGINT after 150ms (expected 0 or 130) (0/1 stopped cleanly)',
    },
    {
      name: 'SIGKILL as the stop signal itself: 137 is its clean exit',
      stops: [stop('cache', { signal: 'SIGKILL', exitCode: 137 })],
      passed: true,
      detail: '1/1 stopped cleanly within their grace (slowest: cache 150ms of 10s)',
    },
    {
      name: 'one-shot jobs are not judged; a service not running at the stop is named, not judged',
      stops: [stop('migrate', { oneShot: true, running: false, exitCode: 0, stopMs: 0 }), stop('worker', { running: false, exitCode: 1, stopMs: 0 }), stop('backend')],
      passed: true,
      detail: '1/1 stopped cleanly within their grace (slowest: backend 150ms of 10s); not running at the stop: worker',
    },
    {
      name: 'nothing running: no verdict to give, never a pass',
      stops: [stop('migrate', { oneShot: true, running: false, stopMs: 0 })],
      passed: false,
      detail: 'no long-running service was running at the stop',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(judgeShutdown({ stops: c.stops }), { passed: c.passed, detail: c.detail }));
  }
});
