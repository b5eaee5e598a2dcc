import { z } from 'zod';
import { parseJsonBody, queryJson } from '../common/json-query.js';
import { jsonPathSchema, regexSchema } from '../common/schema-parts.js';
import { checkExposition } from './prometheus-exposition.js';

/** One HTTP answer, however it was fetched (from this machine or from inside a service). */
export interface HttpAnswer {
  status: number;
  /** The Content-Type header, '' when absent. */
  contentType: string;
  body: string;
}

/** What an answer must hold beside its status: a 200 from the wrong page is not a pass. */
export const contentExpectationSchema = z
  .strictObject({
    contentType: z.string().min(1).optional().describe('Media type the answer must have (prefix match: text/plain, application/json)'),
    body: regexSchema((source) => new RegExp(source, 'm')).optional().describe('Regex (JS, multiline) the body must match'),
    jsonPath: jsonPathSchema().optional().describe('JSONPath that must find at least one value in the JSON body'),
    prometheus: z.boolean().optional().describe('The body must be a Prometheus text exposition with at least one sample'),
  })
  .describe('Checks on the answer content: media type, body regex, JSONPath, Prometheus exposition');

export type ContentExpectation = z.output<typeof contentExpectationSchema>;

/** First characters of a body, on one line, for messages. */
export function excerpt(body: string, max = 60): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `200 text/html, "<!doctype html>…"`: what came back, in one line. */
export function describeAnswer(answer: HttpAnswer): string {
  return `${answer.status}${answer.contentType ? ` ${answer.contentType.split(';')[0]}` : ''}${answer.body ? `, "${excerpt(answer.body)}"` : ', empty body'}`;
}

/** Null when the content meets the expectation, else why not (naming what came back). */
export function checkContent(answer: HttpAnswer, expect: ContentExpectation | undefined): string | null {
  if (!expect) return null;
  const what = describeAnswer(answer);
  const type = answer.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (expect.contentType !== undefined && !type.startsWith(expect.contentType.toLowerCase())) {
    return `${what} — expected content type ${expect.contentType}`;
  }
  if (expect.prometheus) {
    const exposition = checkExposition(answer.body);
    if (!exposition.ok) return `${what} — not a Prometheus exposition (${exposition.reason})`;
  }
  if (expect.body !== undefined && !new RegExp(expect.body, 'm').test(answer.body)) return `${what} — body does not match /${expect.body}/`;
  if (expect.jsonPath !== undefined) {
    const json = parseJsonBody(answer.body);
    if (json === undefined) return `${what} — not JSON (expected ${expect.jsonPath})`;
    if (queryJson(json, expect.jsonPath).length === 0) return `${what} — ${expect.jsonPath} finds nothing`;
  }
  return null;
}
