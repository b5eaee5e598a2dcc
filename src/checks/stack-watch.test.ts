import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../common/fake-clock.fixture.js';
import type { ServiceStatus, StackDriver, StackEvent } from '../model/stack.js';
import { StackWatch } from './stack-watch.js';

/*
 * The watch's judgement is pure logic over events and counters: a scripted driver feeds it
 * (the real drivers are tested on real processes and containers elsewhere).
 */
function scripted(initial: ServiceStatus[]) {
  let statuses = initial;
  let emit: (event: StackEvent) => void = () => undefined;
  const driver = {
    name: 'scripted',
    services: async () => statuses,
    watch: async (onEvent: (event: StackEvent) => void) => {
      emit = onEvent;
      return () => (emit = () => undefined);
    },
  } as unknown as StackDriver;
  return { driver, set: (next: ServiceStatus[]) => (statuses = next), emit: (event: StackEvent) => emit(event) };
}

const running = (name: string, extra: Partial<ServiceStatus> = {}): ServiceStatus => ({
  name,
  state: 'running',
  health: 'healthy',
  restartCount: 0,
  oomKilled: false,
  exitCode: null,
  startedAt: new Date(0),
  ...extra,
});

describe('StackWatch', () => {
  it('passes a stack where nothing happened, and says how long it watched', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web'), running('db')]);
    const watch = await StackWatch.start(stack.driver, clock);
    await clock.advance(180_000);
    const verdict = await watch.judge();
    assert.equal(verdict.passed, true);
    assert.equal(verdict.detail, '0 restarts, 0 exits, 0 OOM, 0 unhealthy over 180s');
  });

  it('counts a restart the events missed from the counter, against the baseline taken at the start', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web', { restartCount: 2 })]);
    const watch = await StackWatch.start(stack.driver, clock);
    stack.set([running('web', { restartCount: 3 })]);
    const verdict = await watch.judge();
    assert.equal(verdict.passed, false);
    assert.equal(verdict.restarts, 1);
    assert.match(verdict.problems[0]?.what ?? '', /restart count rose by 1 \(2 → 3\)/);
  });

  it('judges a one-shot job by its exit code: exit 0 is its purpose, exit 1 is a failure', async () => {
    const clock = new FakeClock();
    const done = { state: 'exited' as const, exitCode: 0, oneShot: true };
    const stack = scripted([running('web'), running('migrate', { oneShot: true })]);
    const watch = await StackWatch.start(stack.driver, clock);
    stack.emit({ at: new Date(clock.now()), service: 'migrate', kind: 'die', exitCode: 0 });
    stack.set([running('web'), running('migrate', done)]);
    assert.equal((await watch.judge()).passed, true);
    stack.emit({ at: new Date(clock.now()), service: 'migrate', kind: 'die', exitCode: 1 });
    const verdict = await watch.judge();
    assert.equal(verdict.passed, false);
    assert.match(verdict.detail, /1 exits.*\(migrate\)/);
  });

  it('names an OOM kill, an unhealthy turn and a service that never started, each once', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web'), running('worker'), running('nginx', { state: 'created' })]);
    const watch = await StackWatch.start(stack.driver, clock);
    stack.emit({ at: new Date(clock.now()), service: 'web', kind: 'health', health: 'unhealthy' });
    stack.set([running('web', { health: 'unhealthy' }), running('worker', { oomKilled: true }), running('nginx', { state: 'created' })]);
    const verdict = await watch.judge();
    assert.deepEqual(
      verdict.problems.map((p) => `${p.service}: ${p.what}`),
      ['web: turned unhealthy', 'worker: OOMKilled', 'nginx: never started'],
    );
    assert.equal(verdict.exits, 0);
  });

  it('tells which problems fall within a step, for blaming a failed step on a crash', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web')]);
    const watch = await StackWatch.start(stack.driver, clock);
    await clock.advance(10_000);
    stack.emit({ at: new Date(clock.now()), service: 'web', kind: 'die', exitCode: 137 });
    assert.equal(watch.problemsBetween(clock.now() - 1000, clock.now()).length, 1);
    assert.equal(watch.problemsBetween(clock.now() - 60_000, clock.now() - 30_000, 0).length, 0);
    assert.match(watch.problemsSoFar()[0]?.what ?? '', /exited \(exit 137 \(SIGKILL\)\)/);
  });

  it('fails on a pause that ended, naming the service, when and how long, and not its health checks failing meanwhile', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web'), running('db')]);
    const watch = await StackWatch.start(stack.driver, clock);
    await clock.advance(10_000);
    const pausedAt = new Date(clock.now());
    stack.emit({ at: pausedAt, service: 'web', kind: 'pause' });
    assert.equal(watch.problemsSoFar().length, 1, 'a pause is a problem at once (fail fast)');
    await clock.advance(3_000);
    // Docker's health checks fail in a paused container (here told by the poll).
    stack.emit({ at: new Date(clock.now()), service: 'web', kind: 'health', health: 'unhealthy', detail: 'read by poll' });
    await clock.advance(4_300);
    stack.emit({ at: new Date(clock.now()), service: 'web', kind: 'unpause' });
    await clock.advance(10_000);
    const verdict = await watch.judge();
    assert.equal(verdict.passed, false);
    assert.equal(verdict.pauses, 1);
    assert.equal(verdict.unhealthy, 0);
    assert.deepEqual(verdict.problems.map((p) => `${p.service}: ${p.what}`), [`web: paused at ${pausedAt.toISOString()} for 7.3s`]);
    assert.equal(verdict.detail, `0 restarts, 0 exits, 0 OOM, 0 unhealthy, 1 pause over 27s (web paused at ${pausedAt.toISOString()} for 7.3s)`);
  });

  it('reports a service paused until the verdict as paused, not as an exit nor unknown', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web')]);
    const watch = await StackWatch.start(stack.driver, clock);
    const pausedAt = new Date(clock.now());
    stack.emit({ at: pausedAt, service: 'web', kind: 'pause' });
    await clock.advance(12_000);
    stack.set([running('web', { state: 'paused', health: 'unhealthy' })]);
    const verdict = await watch.judge();
    assert.equal(verdict.passed, false);
    assert.deepEqual([verdict.exits, verdict.unhealthy, verdict.pauses], [0, 0, 1]);
    assert.match(verdict.detail, /^0 restarts, 0 exits, 0 OOM, 0 unhealthy, 1 pause over 12s \(web paused at .*, still paused at the verdict \(12\.0s\)\)$/);
  });

  it('counts a service found paused with no pause event seen (paused before the watch)', async () => {
    const clock = new FakeClock();
    const stack = scripted([running('web', { state: 'paused' })]);
    const watch = await StackWatch.start(stack.driver, clock);
    const verdict = await watch.judge();
    assert.deepEqual([verdict.passed, verdict.exits, verdict.pauses], [false, 0, 1]);
    assert.match(verdict.detail, /\(web is paused\)$/);
  });
});
