import { waitForHttp } from '../../checks/http-wait.js';
import { parseDuration } from '../../common/duration.js';
import type { StepHandler } from '../step-context.js';

/** Polls a URL until the expected status; on timeout shows the last answer and the service's last 50 log lines. */
export const waitHttpStep: StepHandler<'wait-http'> = async (step, ctx) => {
  const url = new URL(step.url, ctx.config.baseUrl.endsWith('/') ? ctx.config.baseUrl : `${ctx.config.baseUrl}/`).toString();
  const statuses = Array.isArray(step.status) ? step.status : [step.status];
  const headers = Object.fromEntries(Object.entries(step.headers).filter(([, v]) => v !== ''));
  ctx.log.line(`GET ${url} until ${statuses.join('|')}${Object.keys(headers).length ? ` (headers: ${Object.keys(headers).join(', ')})` : ''}`);
  const result = await waitForHttp({
    url,
    status: statuses,
    headers,
    timeoutMs: parseDuration(step.timeout ?? '120s') ?? 120_000,
    intervalMs: parseDuration(step.interval) ?? 1000,
    signal: ctx.signal,
    clock: ctx.clock,
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
  return { passed: result.ok, detail: result.detail };
};
