import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { judgeStability, type RecordedStatus } from './stability-verdict.js';

const running = (name: string, extra: Partial<RecordedStatus> = {}): RecordedStatus => ({ name, state: 'running', health: 'healthy', restartCount: 0, oomKilled: false, exitCode: null, ...extra });
const at = '2026-12-06T10:00:30.000Z';

describe('judgeStability on a stack spanning several machines: the node is named', () => {
  it('a task killed on node-b: exited on node node-b, and the summary names the service on that node', () => {
    const v = judgeStability({
      events: [{ at: '2026-12-06T10:00:10.000Z', service: 'backend', kind: 'die', exitCode: 137, node: 'node-b' }],
      baseline: { backend: 0, db: 0 },
      oneShot: [],
      services: [running('backend', { restartCount: 1, node: 'node-b', failedOn: ['node-b'] }), running('db', { node: 'node-a' })],
      at,
      observedMs: 30_000,
    });
    assert.equal(v.passed, false);
    assert.match(v.problems[0]?.what ?? '', /^exited \(.*137.*\) on node node-b$/);
    assert.match(v.detail, /\(backend on node node-b\)$/);
  });

  it('node-b went down: the restart names the node and why', () => {
    const v = judgeStability({
      events: [{ at: '2026-12-06T10:00:12.000Z', service: 'worker', kind: 'restart', node: 'node-b', detail: 'the node went down: its task is rescheduled' }],
      baseline: { worker: 0 },
      oneShot: [],
      services: [running('worker', { node: 'node-a' })],
      at,
      observedMs: 30_000,
    });
    assert.equal(v.restarts, 1);
    assert.equal(v.problems[0]?.what, 'restarted on node node-b (the node went down: its task is rescheduled)');
    assert.match(v.detail, /\(worker on node node-b\)$/);
  });

  it('a restart only the counter saw names the node it failed on', () => {
    const v = judgeStability({ events: [], baseline: { backend: 0 }, oneShot: [], services: [running('backend', { restartCount: 2, failedOn: ['node-b'] })], at, observedMs: 30_000 });
    assert.equal(v.problems[0]?.what, 'restart count rose by 2 (0 → 2) on node node-b');
    assert.match(v.detail, /\(backend on node node-b\)$/);
  });

  it('on one machine nothing changes: no node in the words', () => {
    const v = judgeStability({ events: [{ at: '2026-12-06T10:00:10.000Z', service: 'backend', kind: 'die', exitCode: 1 }], baseline: { backend: 0 }, oneShot: [], services: [running('backend', { restartCount: 1 })], at, observedMs: 30_000 });
    assert.doesNotMatch(v.detail + v.problems.map((p) => p.what).join(), /node/);
    assert.match(v.detail, /\(backend\)$/);
  });

  it('a task the manager calls running on a node whose engine does not answer (state unknown): not stable, the node named', () => {
    const v = judgeStability({ events: [], baseline: { worker: 0 }, oneShot: [], services: [running('worker', { state: 'unknown', node: 'node-b' })], at, observedMs: 30_000 });
    assert.equal(v.passed, false);
    assert.equal(v.problems[0]?.what, 'is unknown on node node-b');
    assert.match(v.detail, /\(worker on node node-b\)$/);
  });
});
