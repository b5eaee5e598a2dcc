import type { Redactor } from '../common/redactor.js';
import { URL_USERINFO } from '../common/url-credentials.js';
import type { HttpExchange } from '../model/run-result.js';

/** Body kept for the console and the report: enough to read an API's error, small enough for summary.json. */
export const EXCHANGE_BODY_LIMIT = 2048;

/** The answer a scenario step got, as it came (the redaction happens in `failedExchange`). */
export interface ScenarioAnswer {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

/**
 * A failed scenario step's last exchange, redacted, for the console and the report's "What
 * failed" box (issue 25: the annotation POST's `400 {"detail":"Invalid annotation."}` was only
 * in the step log). The request's headers are not kept: its session (cookies, CSRF) is the
 * scenario's, so the report offers no curl replay of it.
 */
export function failedExchange(step: string, answer: ScenarioAnswer, expected: number[] | null, problem: string, redactor: Pick<Redactor, 'redact'>): HttpExchange {
  const userinfo = URL_USERINFO.exec(answer.url)?.[1];
  const url = userinfo ? answer.url.replace(`${userinfo}@`, '') : answer.url;
  return {
    method: answer.method,
    url: redactor.redact(url),
    headers: {},
    // null = any 2xx: the report shows the range the step accepted.
    expected: expected ?? [],
    status: answer.status,
    ...(answer.contentType ? { contentType: redactor.redact(answer.contentType) } : {}),
    bodyExcerpt: redactor.redact(answer.body.slice(0, EXCHANGE_BODY_LIMIT)),
    problem: redactor.redact(problem),
    scenarioStep: step,
  };
}
