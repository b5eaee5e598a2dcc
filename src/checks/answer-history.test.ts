import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../common/fake-clock.fixture.js';
import { AnswerHistory, formatAnswerHistory } from './answer-history.js';
import { waitForHttp, type HttpAttempt } from './http-wait.js';
import type { HttpProbe } from './in-service-http.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const answer = (status: number): HttpAttempt & { answer: NonNullable<HttpAttempt['answer']> } => ({ answer: { status, contentType: 'text/plain', body: '' }, problem: null });

describe('AnswerHistory', () => {
  const cases: { name: string; attempts: [HttpAttempt, number][]; text: string }[] = [
    { name: 'nothing before a first good answer', attempts: [], text: '' },
    {
      name: 'statuses and network errors counted by kind, most frequent first, with first and last time',
      attempts: [
        [{ answer: null, problem: 'connect ECONNREFUSED 127.0.0.1:8088' }, 0],
        [answer(502), 100],
        [answer(502), 200],
        [answer(500), 300],
        [answer(502), 400],
      ],
      text: '502 ×3 (10:00:00.100–10:00:00.400), connection refused ×1 (10:00:00.000), 500 ×1 (10:00:00.300)',
    },
    { name: 'a refused content', attempts: [[{ answer: answer(200).answer, problem: 'not a Prometheus exposition' }, 0]], text: '200 (content refused) ×1 (10:00:00.000)' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const history = new AnswerHistory();
      for (const [attempt, at] of c.attempts) history.add(attempt, T0 + at);
      assert.equal(formatAnswerHistory(history.entries()), c.text);
    });
  }
});

describe('waitForHttp keeps what came before the first good answer', () => {
  it('records 502 ×3 and connection refused ×2 before the 200, on a fake clock', async () => {
    const clock = new FakeClock(T0);
    const replies: (number | 'refused')[] = ['refused', 'refused', 502, 502, 502, 200];
    const probe: HttpProbe = async () => {
      const next = replies.shift();
      if (next === 'refused') throw Object.assign(new Error('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
      return { status: next as number, contentType: 'text/plain', body: 'x' };
    };
    const result = await clock.run(waitForHttp({ url: 'http://127.0.0.1:1/health', status: [200], headers: {}, probe, timeoutMs: 60_000, intervalMs: 100, clock }));
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.history.map((h) => [h.answer, h.count]),
      [
        ['502', 3],
        ['connection refused', 2],
      ],
    );
    assert.equal(result.history[1]?.firstAt, '2026-01-01T10:00:00.000Z');
  });
});
