import { z } from 'zod';
import { waitForHttp } from '../checks/http-wait.js';
import { parseDuration } from '../common/duration.js';
import { durationSchema } from '../common/schema-parts.js';
import { defineStepKind } from './step-kind.js';

/** Polls a URL until the expected status; on timeout shows the last answer and the service's last 50 log lines. */
export const waitHttpStep = defineStepKind({
  name: 'wait-http',
  schema: z.strictObject({
    url: z.string().describe('Absolute URL, or a path joined to baseUrl'),
    status: z.union([z.number().int(), z.array(z.number().int())]).default(200).describe('Expected status(es)'),
    headers: z.record(z.string(), z.string()).default({}),
    interval: durationSchema().default('1s').describe('Longest pause between two attempts (the backoff starts at 50ms)'),
    service: z.string().optional().describe('Service whose last log lines are shown on timeout; its health changes wake the wait'),
  }),
  timeout: 'budget',
  title: (step) => `Wait for ${step.url}`,
  async run(step, ctx) {
    const url = new URL(step.url, ctx.baseUrl.endsWith('/') ? ctx.baseUrl : `${ctx.baseUrl}/`).toString();
    const statuses = Array.isArray(step.status) ? step.status : [step.status];
    const headers = Object.fromEntries(Object.entries(step.headers).filter(([, v]) => v !== ''));
    ctx.log.line(`GET ${url} until ${statuses.join('|')}${Object.keys(headers).length ? ` (headers: ${Object.keys(headers).join(', ')})` : ''}`);
    const watch = await ctx.watch();
    const result = await waitForHttp({
      url,
      status: statuses,
      headers,
      timeoutMs: parseDuration(step.timeout ?? '120s') ?? 120_000,
      intervalMs: parseDuration(step.interval) ?? 1000,
      signal: ctx.signal,
      clock: ctx.clock,
      wake: (wake) => watch.onEvent((event) => (step.service === undefined || event.service === step.service) && wake()),
      onWait: (text) => ctx.log.progress(text),
    });
    ctx.log.line(result.detail);
    if (!result.ok) {
      if (result.last?.snippet) ctx.log.line(`last body: ${result.last.snippet}`);
      if (step.service) {
        ctx.log.line(`--- last 50 log lines of ${step.service} ---`);
        await ctx.driver.logs(step.service, { tail: 50, output: ctx.log, signal: ctx.signal });
      }
    }
    return { passed: result.ok, detail: result.detail, evidence: result.last?.status === null || !result.last ? 0 : 1 };
  },
});
