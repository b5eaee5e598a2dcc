import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../common/fake-clock.fixture.js';
import { runTasks, type Task, type TaskStatus } from './task-loop.js';

/** A task that waits `ms` of fake time (honouring its signal), then reports `status`. */
function task(title: string, clock: FakeClock, ms: number, status: TaskStatus, log: string[], timeoutMs: number | null = null): Task {
  return {
    title,
    timeoutMs,
    async run({ signal, reason }) {
      log.push(`start ${title}`);
      try {
        await clock.sleep(ms, signal);
      } catch {
        log.push(`stopped ${title} (${reason()})`);
        return 'failed';
      }
      log.push(`end ${title}`);
      return status;
    },
  };
}

describe('runTasks', () => {
  it('runs tasks in order and passes when all pass', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const result = await clock.run(runTasks([task('a', clock, 10, 'passed', log), task('b', clock, 10, 'passed', log)], { interrupt: new AbortController().signal, clock, failFast: true }));
    assert.deepEqual(result, { status: 'passed', started: 2 });
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b']);
  });

  it('stops at the first failure when fail-fast, goes on otherwise', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const tasks = () => [task('a', clock, 10, 'failed', log), task('b', clock, 10, 'passed', log)];
    assert.deepEqual(await clock.run(runTasks(tasks(), { interrupt: new AbortController().signal, clock, failFast: true })), { status: 'failed', started: 1 });
    assert.deepEqual(await clock.run(runTasks(tasks(), { interrupt: new AbortController().signal, clock, failFast: false })), { status: 'failed', started: 2 });
  });

  it('names a task stopped by its own time limit timed out, whatever the task says', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const result = await clock.run(runTasks([task('slow', clock, 60_000, 'passed', log, 1000)], { interrupt: new AbortController().signal, clock, failFast: true }));
    assert.equal(result.status, 'timedout');
    assert.deepEqual(log, ['start slow', 'stopped slow (timedout)']);
  });

  it('stops the running task at the global deadline and starts no other', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const tasks = [task('a', clock, 500, 'passed', log), task('b', clock, 10_000, 'passed', log), task('c', clock, 10, 'passed', log)];
    const result = await clock.run(runTasks(tasks, { interrupt: new AbortController().signal, deadlineAt: clock.now() + 2000, clock, failFast: true }));
    assert.deepEqual(result, { status: 'timedout', started: 2 });
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'stopped b (timedout)']);
  });

  it('ends interrupted on the interrupt: the task is stopped, a failure it reports is the interrupt', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const interrupt = new AbortController();
    const running = runTasks([task('a', clock, 10_000, 'passed', log), task('b', clock, 10, 'passed', log)], { interrupt: interrupt.signal, clock, failFast: true });
    await clock.advance(100);
    interrupt.abort(new Error('SIGTERM'));
    const result = await clock.run(running);
    assert.deepEqual(result, { status: 'interrupted', started: 1 });
    assert.deepEqual(log, ['start a', 'stopped a (interrupted)']);
  });

  it('moves on without a task that ignores its signal, once the grace is spent', async () => {
    const clock = new FakeClock();
    const interrupt = new AbortController();
    const stubborn: Task = { title: 'stubborn', run: () => new Promise<TaskStatus>(() => undefined) };
    const running = runTasks([stubborn], { interrupt: interrupt.signal, clock, failFast: true, graceMs: 5000 });
    await clock.advance(10);
    interrupt.abort(new Error('SIGINT'));
    assert.deepEqual(await clock.run(running), { status: 'interrupted', started: 1 });
  });

  it('stops asking for tasks when the generator stops yielding', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    function* tasks(): Generator<Task> {
      yield task('a', clock, 10, 'passed', log);
      log.push('generator stopped');
    }
    assert.deepEqual(await clock.run(runTasks(tasks(), { interrupt: new AbortController().signal, clock, failFast: true })), { status: 'passed', started: 1 });
    assert.deepEqual(log, ['start a', 'end a', 'generator stopped']);
  });
});
