import type { Clock } from '../common/clock.js';
import { formatDuration } from '../common/duration.js';
import { waitFor, type WakeSource } from '../common/wait.js';
import { checkContent, describeAnswer, type ContentExpectation, type HttpAnswer } from './http-answer.js';
import type { AnswerCount } from '../model/run-result.js';
import { AnswerHistory, type HttpAttempt } from './answer-history.js';
import { hostProbe, type HttpProbe } from './in-service-http.js';
import { judgeHttpAnswer } from './judges.js';

export interface HttpWaitOptions {
  url: string;
  /** Accepted statuses. */
  status: number[];
  headers: Record<string, string>;
  /** What the content must be beside the status (a 200 SPA page is not /metrics). */
  expect?: ContentExpectation | undefined;
  /** How a request is made: from this machine (default) or from inside a service. */
  probe?: HttpProbe;
  /** Where the request is made from, for messages (`from backend`). */
  from?: string;
  timeoutMs: number;
  intervalMs: number;
  signal?: AbortSignal;
  clock: Clock;
  /** Events that make the next attempt come at once (the service turned healthy). */
  wake?: WakeSource;
  onWait?: (text: string) => void;
}

export type { HttpAttempt };

export interface HttpWaitResult {
  ok: boolean;
  last: HttpAttempt | null;
  attempts: number;
  elapsedMs: number;
  /** `GET /metrics → 200 after 1.2s (3 attempts)` or `… not 200 after 120s (last: 503)`. */
  detail: string;
  /** What to do next, when the wait failed for a reason a user can fix. */
  hint?: string;
  /** The answers before the first good one (all of them when none was), by kind. */
  history: AnswerCount[];
}

/** Identical refusals in a row after which the answer is taken as final (a rejected token, the wrong page). */
const SETTLED_AFTER = 3;

/**
 * Waits until a URL answers one of the expected statuses with the expected content, or the
 * budget runs out. A 5xx or a refused connection is waited for (the app is starting); the
 * same 401/403, or the same wrong content, three times in a row is an answer: it fails at once.
 */
export async function waitForHttp(opts: HttpWaitOptions): Promise<HttpWaitResult> {
  const path = displayPath(opts.url);
  const probe = opts.probe ?? hostProbe;
  let streak = { key: '', count: 0 };
  const history = new AnswerHistory();
  const outcome = await waitFor<HttpAttempt>(
    async (signal) => {
      const attemptSignal = AbortSignal.any([AbortSignal.timeout(Math.max(2000, Math.min(10_000, opts.intervalMs * 5))), ...(signal ? [signal] : [])]);
      let attempt: HttpAttempt;
      try {
        const answer = await probe(opts.url, opts.headers, attemptSignal);
        const statusOk = opts.status.includes(answer.status);
        attempt = { answer, problem: statusOk ? checkContent(answer, opts.expect) : null };
      } catch (err) {
        if (signal?.aborted) throw err;
        const cause = (err as Error & { cause?: Error }).cause;
        attempt = { answer: null, problem: cause?.message ?? (err as Error).message };
      }
      // The same judge the recorded evidence is re-judged with (selftest).
      const done = attempt.answer !== null && judgeHttpAnswer({ statuses: opts.status, expect: opts.expect, answer: attempt.answer }).passed;
      if (!done) history.add(attempt, opts.clock.now());
      const key = settledKey(attempt);
      streak = key && key === streak.key ? { key, count: streak.count + 1 } : { key, count: key ? 1 : 0 };
      return { done, value: attempt, stop: streak.count >= SETTLED_AFTER };
    },
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: opts.intervalMs,
      signal: opts.signal,
      clock: opts.clock,
      wake: opts.wake,
      onWait: (last, remaining) =>
        opts.onWait?.(`waiting for GET ${path} → ${opts.status.join('|')} (last: ${describe(last ?? null)}; ${formatDuration(remaining)} left)`),
    },
  );
  const from = opts.from ? ` from ${opts.from}` : '';
  const last = outcome.ok ? outcome.value : (outcome.last ?? null);
  if (outcome.ok) {
    const answer = last?.answer;
    return {
      ok: true,
      last,
      attempts: outcome.attempts,
      elapsedMs: outcome.elapsedMs,
      history: history.entries(),
      detail: `GET ${path}${from} → ${answer?.status}${answer?.contentType ? ` ${answer.contentType.split(';')[0]}` : ''} after ${formatDuration(outcome.elapsedMs)} (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`,
    };
  }
  const status = last?.answer?.status;
  if (outcome.stopped && (status === 401 || status === 403)) {
    return {
      ok: false,
      last,
      attempts: outcome.attempts,
      elapsedMs: outcome.elapsedMs,
      history: history.entries(),
      detail: `GET ${path}${from} → ${status} ${SETTLED_AFTER} times in a row: token rejected (or missing)`,
      hint: 'Give the token the app really uses: the same value as in the stack env file (METRICS_TOKEN in .env), or set it in the environment.',
    };
  }
  if (outcome.stopped && last?.problem) {
    return {
      ok: false,
      last,
      attempts: outcome.attempts,
      elapsedMs: outcome.elapsedMs,
      history: history.entries(),
      detail: `GET ${path}${from} → ${last.problem}`,
      hint: opts.expect?.prometheus
        ? `Is ${path} routed by the proxy? If the proxy hides it, probe it inside the app: \`via: { service: <backend>, baseUrl: http://127.0.0.1:<port> }\`.`
        : 'The endpoint answers, but not with what the step expects: check the URL and the proxy routes.',
    };
  }
  return {
    ok: false,
    last,
    attempts: outcome.attempts,
    elapsedMs: outcome.elapsedMs,
    history: history.entries(),
    detail: `GET ${path}${from} not ${opts.status.join('|')}${opts.expect ? ' with the expected content' : ''} after ${formatDuration(opts.timeoutMs)} (last: ${describe(last)})`,
  };
}

/** The identity of a final-looking refusal; '' for what may still change (5xx, refused connection). */
function settledKey(attempt: HttpAttempt): string {
  const answer = attempt.answer;
  if (!answer) return '';
  if (answer.status === 401 || answer.status === 403) return `auth:${answer.status}`;
  if (answer.status >= 200 && answer.status < 300 && attempt.problem) return `content:${attempt.problem}`;
  return '';
}

function describe(attempt: HttpAttempt | null): string {
  if (!attempt) return 'no answer';
  if (!attempt.answer) return attempt.problem ?? 'no answer';
  return attempt.problem ?? describeAnswer(attempt.answer);
}

function displayPath(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + (parsed.search ? '?…' : '');
  } catch {
    return url;
  }
}
