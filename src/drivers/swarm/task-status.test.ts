import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { slotStatuses, type TaskLike } from './task-status.js';

const task = (id: string, slot: number, state: string, created: string, extra: Partial<TaskLike> = {}): TaskLike => ({
  ID: id,
  Slot: slot,
  CreatedAt: `2026-12-02T00:00:${created}Z`,
  DesiredState: state === 'running' || state === 'starting' || state === 'ready' ? 'running' : 'shutdown',
  Status: { State: state, Timestamp: `2026-12-02T00:00:${created}Z`, ContainerStatus: { ContainerID: `c-${id}`, ...(state === 'running' ? {} : { ExitCode: state === 'complete' ? 0 : 1 }) } },
  ...extra,
});

describe('slotStatuses: swarm tasks → one status per replica slot', () => {
  const cases: { name: string; tasks: TaskLike[]; desired: number | null; want: { name: string; state: string; restarts: number; exitCode: number | null; containerId: string | null }[] }[] = [
    {
      name: 'one running task: running, no restart',
      tasks: [task('a', 1, 'running', '01')],
      desired: 1,
      want: [{ name: 'backend', state: 'running', restarts: 0, exitCode: null, containerId: 'c-a' }],
    },
    {
      name: 'a failed task replaced by a running one in the same slot: one restart, running again',
      tasks: [task('b', 1, 'running', '09'), task('a', 1, 'failed', '01')],
      desired: 1,
      want: [{ name: 'backend', state: 'running', restarts: 1, exitCode: null, containerId: 'c-b' }],
    },
    {
      name: 'three failures then a task waiting out the restart delay: restarting, exit code of the last failure',
      tasks: [task('a', 1, 'failed', '01'), task('b', 1, 'failed', '05'), task('c', 1, 'failed', '09'), task('d', 1, 'ready', '14')],
      desired: 1,
      want: [{ name: 'backend', state: 'restarting', restarts: 3, exitCode: 1, containerId: 'c-d' }],
    },
    {
      name: 'a task shut down by an update is not a restart',
      tasks: [task('a', 1, 'shutdown', '01'), task('b', 1, 'running', '05')],
      desired: 1,
      want: [{ name: 'backend', state: 'running', restarts: 0, exitCode: null, containerId: 'c-b' }],
    },
    {
      name: 'a one-shot job that completed (condition none): exited 0, no restart',
      tasks: [task('a', 1, 'complete', '01')],
      desired: 1,
      want: [{ name: 'backend', state: 'exited', restarts: 0, exitCode: 0, containerId: 'c-a' }],
    },
    {
      name: 'a failed task swarm still wants running (no replacement yet): restarting',
      tasks: [task('a', 1, 'failed', '01', { DesiredState: 'running' })],
      desired: 1,
      want: [{ name: 'backend', state: 'restarting', restarts: 0, exitCode: 1, containerId: 'c-a' }],
    },
    {
      name: 'a task that could not start (no such image): dead',
      tasks: [task('a', 1, 'rejected', '01')],
      desired: 1,
      want: [{ name: 'backend', state: 'dead', restarts: 0, exitCode: null, containerId: 'c-a' }],
    },
    {
      name: 'two replicas, one slot without a task yet: each slot named, the missing one starting',
      tasks: [task('a', 1, 'running', '01'), task('b', 1, 'failed', '00')],
      desired: 2,
      want: [
        { name: 'backend-1', state: 'running', restarts: 1, exitCode: null, containerId: 'c-a' },
        { name: 'backend-2', state: 'starting', restarts: 0, exitCode: null, containerId: null },
      ],
    },
    {
      name: 'a global service: slots by node',
      tasks: [task('a', 0, 'running', '01', { NodeID: 'n1' })],
      desired: null,
      want: [{ name: 'backend', state: 'running', restarts: 0, exitCode: null, containerId: 'c-a' }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = slotStatuses('backend', c.tasks, c.desired).map((s) => ({ name: s.name, state: s.state, restarts: s.replacedFailures.length, exitCode: s.exitCode, containerId: s.containerId }));
      assert.deepEqual(got, c.want);
    });
  }

  it('names the failed tasks that were replaced (the driver keeps them when swarm prunes its history)', () => {
    const [slot] = slotStatuses('backend', [task('b', 1, 'running', '09'), task('a', 1, 'failed', '01')], 1);
    assert.deepEqual(slot?.replacedFailures, ['a']);
    assert.equal(slot?.startedAt?.toISOString(), '2026-12-02T00:00:09.000Z');
  });

  it('a task lost with its node (still "running" there, the node down) and replaced is a restart; on a node that is up, it is not', () => {
    const lost = task('a', 1, 'running', '01', { NodeID: 'node-b', DesiredState: 'shutdown' });
    const replacement = task('b', 1, 'running', '09', { NodeID: 'node-a' });
    const [down] = slotStatuses('backend', [lost, replacement], 1, new Set(['node-b']));
    assert.deepEqual(down?.replacedFailures, ['a']);
    assert.equal(down?.nodeId, 'node-a');
    const [up] = slotStatuses('backend', [lost, replacement], 1, new Set());
    assert.deepEqual(up?.replacedFailures, []);
  });
});
