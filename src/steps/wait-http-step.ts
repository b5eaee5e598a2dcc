import { z } from 'zod';
import { contentExpectationSchema } from '../checks/http-answer.js';
import { waitForHttp } from '../checks/http-wait.js';
import { inServiceProbe } from '../checks/in-service-http.js';
import { parseDuration } from '../common/duration.js';
import { durationSchema, httpUrlSchema } from '../common/schema-parts.js';
import { defineStepKind } from './step-kind.js';

/**
 * Polls a URL until the expected status and content; on failure shows the last answer and the
 * service's last 50 log lines. With `via`, the request is made from inside a service.
 */
export const waitHttpStep = defineStepKind({
  name: 'wait-http',
  schema: z.strictObject({
    url: httpUrlSchema({ relative: true }).describe('Absolute URL, or a path joined to baseUrl (or to via.baseUrl)'),
    status: z.union([z.number().int(), z.array(z.number().int())]).default(200).describe('Expected status(es)'),
    headers: z.record(z.string(), z.string()).default({}).describe('Request headers; an empty value is not sent'),
    expect: contentExpectationSchema.optional(),
    via: z
      .strictObject({
        service: z.string().describe('Service the request is made from (its curl, wget, python or node)'),
        baseUrl: httpUrlSchema().default('http://127.0.0.1:8000').describe('Base URL as seen from inside that service'),
      })
      .optional()
      .describe('Probe from inside a service: for endpoints the proxy does not expose (Korrigo: /metrics on the backend)'),
    interval: durationSchema({ min: 1 }).default('1s').describe('Longest pause between two attempts (the backoff starts at 50ms)'),
    service: z.string().optional().describe('Service whose last log lines are shown on failure; its health changes wake the wait'),
  }),
  timeout: 'budget',
  title: (step) => `Wait for ${step.url}${step.via ? ` (from ${step.via.service})` : ''}`,
  async run(step, ctx) {
    const base = step.via?.baseUrl ?? ctx.baseUrl;
    const url = new URL(step.url, base.endsWith('/') ? base : `${base}/`).toString();
    const statuses = Array.isArray(step.status) ? step.status : [step.status];
    const headers = Object.fromEntries(Object.entries(step.headers).filter(([, v]) => v !== ''));
    const checks = step.expect ? Object.keys(step.expect).join(', ') : '';
    ctx.log.line(
      `GET ${url}${step.via ? ` from inside ${step.via.service}` : ''} until ${statuses.join('|')}${checks ? ` with ${checks}` : ''}${
        Object.keys(headers).length ? ` (headers: ${Object.keys(headers).join(', ')})` : ''
      }`,
    );
    const watch = await ctx.watch();
    const probe = step.via ? await inServiceProbe(ctx.driver, step.via.service, ctx.signal) : undefined;
    const result = await waitForHttp({
      url,
      status: statuses,
      headers,
      expect: step.expect,
      ...(probe ? { probe, from: step.via?.service } : {}),
      timeoutMs: parseDuration(step.timeout ?? '120s') ?? 120_000,
      intervalMs: parseDuration(step.interval) ?? 1000,
      signal: ctx.signal,
      clock: ctx.clock,
      wake: (wake) => watch.onEvent((event) => (step.service === undefined || event.service === step.service) && wake()),
      onWait: (text) => ctx.log.progress(text),
    });
    ctx.log.line(result.detail);
    if (!result.ok) {
      if (result.hint) ctx.log.line(`hint: ${result.hint}`);
      const last = result.last?.answer;
      if (last) ctx.log.line(`last answer: ${last.status} ${last.contentType}\n${last.body.slice(0, 500)}`);
      if (step.service) {
        ctx.log.line(`--- last 50 log lines of ${step.service} ---`);
        await ctx.driver.logs(step.service, { tail: 50, output: ctx.log, signal: ctx.signal });
      }
    }
    return { passed: result.ok, detail: result.hint ? `${result.detail} (${result.hint})` : result.detail };
  },
});
