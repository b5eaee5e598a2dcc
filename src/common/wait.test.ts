import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from './fake-clock.fixture.js';
import { waitFor, type WakeSource } from './wait.js';

/** Records when each attempt ran, in fake ms since the start. */
function attemptsAt(clock: FakeClock, doneAfter: number, start = clock.now()) {
  const times: number[] = [];
  const attempt = async () => {
    times.push(clock.now() - start);
    return { done: times.length >= doneAfter, value: times.length };
  };
  return { times, attempt };
}

describe('waitFor', () => {
  it('backs off from 50 ms, doubling up to the interval', async () => {
    const clock = new FakeClock();
    const { times, attempt } = attemptsAt(clock, 7);
    const outcome = await clock.run(waitFor(attempt, { timeoutMs: 60_000, intervalMs: 1000, clock }));
    assert.equal(outcome.ok, true);
    assert.deepEqual(times, [0, 50, 150, 350, 750, 1550, 2550]);
  });

  it('gives up when the budget runs out, keeping the last value as evidence', async () => {
    const clock = new FakeClock();
    const outcome = await clock.run(waitFor(async () => ({ done: false, value: 'last: 503' }), { timeoutMs: 3000, intervalMs: 1000, clock }));
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.last === 'last: 503' && !outcome.stopped);
    assert.equal(outcome.elapsedMs, 3000);
  });

  it('stops at once when an attempt says the verdict cannot change', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const outcome = await clock.run(waitFor(async () => ({ done: false, stop: ++calls === 2, value: calls }), { timeoutMs: 60_000, intervalMs: 1000, clock }));
    assert.ok(!outcome.ok && outcome.stopped);
    assert.equal(calls, 2);
  });

  it('keeps the error of an attempt that throws and tries again', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const outcome = await clock.run(
      waitFor(
        async () => {
          calls++;
          if (calls < 3) throw new Error('ECONNREFUSED');
          return { done: true, value: calls };
        },
        { timeoutMs: 10_000, intervalMs: 1000, clock },
      ),
    );
    assert.ok(outcome.ok);
    assert.equal(outcome.attempts, 3);
  });

  it('wakes at once on an event instead of waiting for the next poll', async () => {
    const clock = new FakeClock();
    let fire: () => void = () => undefined;
    const wake: WakeSource = (notify) => {
      fire = notify;
      return () => (fire = () => undefined);
    };
    let ready = false;
    const start = clock.now();
    const seen: number[] = [];
    const waiting = waitFor(
      async () => {
        seen.push(clock.now() - start);
        return { done: ready, value: null };
      },
      { timeoutMs: 60_000, intervalMs: 10_000, initialDelayMs: 10_000, clock, wake },
    );
    await clock.advance(2000);
    ready = true;
    fire();
    const outcome = await clock.run(waiting);
    assert.ok(outcome.ok);
    // The second attempt came at the event (2 s), not at the 10 s poll.
    assert.deepEqual(seen, [0, 2000]);
  });

  it('throws the abort reason when the signal aborts, and ends the pending delay', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const waiting = waitFor(async () => ({ done: false, value: null }), { timeoutMs: 60_000, intervalMs: 1000, clock, signal: controller.signal });
    await clock.advance(100);
    controller.abort(new Error('SIGINT'));
    await assert.rejects(waiting, /SIGINT/);
    assert.equal(clock.pending, 0);
  });
});
