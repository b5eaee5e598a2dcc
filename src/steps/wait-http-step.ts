import { z } from 'zod';
import { checkContent, contentExpectationSchema, describeAnswer } from '../checks/http-answer.js';
import { formatAnswerHistory } from '../checks/answer-history.js';
import { waitForHttp } from '../checks/http-wait.js';
import { judge } from '../checks/judges.js';
import { hostProbe, inServiceProbe, type HttpProbe } from '../checks/in-service-http.js';
import type { Redactor } from '../common/redactor.js';
import { durationMs, httpUrlSchema } from '../common/schema-parts.js';
import type { HttpExchange } from '../model/run-result.js';
import type { HttpWaitResult } from '../checks/http-wait.js';
import { errorMessage } from '../common/errors.js';
import { isCredentialName } from '../model/credential-probe.js';
import { DEFAULT_WAIT_MS, defineStepKind, type StepContext } from './step-kind.js';

/** Characters of the last answer's body kept as evidence. */
const MAX_BODY_EVIDENCE = 1024 * 1024;

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
        mode: z
          .enum(['service', 'auto', 'proxy'])
          .default('service')
          .describe('service: always from inside; auto: through baseUrl, from inside once the proxy answers an HTML page the check refuses; proxy: never from inside'),
      })
      .optional()
      .describe('Probe from inside a service: for endpoints the proxy does not expose (Korrigo: /metrics on the backend)'),
    // 100 ms: a service that turns healthy is seen within ~100 ms (p50 ~50 ms); one request
    // every 100 ms on a loopback port costs nothing, and a failing service still gets the whole timeout.
    interval: durationMs({ min: 1, default: '100ms' }).describe('Longest pause between two attempts (the backoff starts at 50ms)'),
    service: z.string().optional().describe('Service whose last log lines are shown on failure; its health changes wake the wait'),
  }),
  timeout: 'budget',
  probesCredentials: true,
  // From inside a service, the probe runs through exec; `auto` only goes inside when the proxy refuses.
  needs: (step) => (step.via?.mode === 'service' ? ['exec'] : []),
  title: (step) => `Wait for ${step.url}${step.via ? ` (from ${step.via.service})` : ''}`,
  async run(step, ctx) {
    const base = step.via?.mode === 'service' ? step.via.baseUrl : ctx.baseUrl;
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
    const via = step.via && step.via.mode !== 'proxy' ? step.via : undefined;
    const inside = via ? new URL(step.url, via.baseUrl.endsWith('/') ? via.baseUrl : `${via.baseUrl}/`).toString() : url;
    const outside = new URL(step.url, ctx.baseUrl.endsWith('/') ? ctx.baseUrl : `${ctx.baseUrl}/`).toString();
    let switched = false;
    let probe: HttpProbe | undefined;
    if (via?.mode === 'service') probe = await inServiceProbe(ctx.driver, via.service, ctx.signal);
    else if (via?.mode === 'auto') {
      // Through the proxy first, as the user's traffic goes; inside the service once the proxy
      // shows it has no such route (its SPA answers HTML): never a green on that HTML.
      let inner: HttpProbe | null = null;
      probe = async (_url, requestHeaders, signal) => {
        if (inner) return inner(inside, requestHeaders, signal);
        const answer = await hostProbe(outside, requestHeaders, signal);
        const html = answer.status >= 200 && answer.status < 300 && /html/i.test(answer.contentType);
        if (!html || checkContent(answer, step.expect) === null) return answer;
        ctx.log.line(`the proxy answers ${step.url} with ${describeAnswer(answer)}: probing inside ${via.service} at ${inside} instead (via.mode auto)`);
        switched = true;
        inner = await inServiceProbe(ctx.driver, via.service, signal);
        return inner(inside, requestHeaders, signal);
      };
    }
    const result = await waitForHttp({
      url: via?.mode === 'auto' ? outside : url,
      status: statuses,
      headers,
      expect: step.expect,
      ...(probe ? { probe } : {}),
      ...(via?.mode === 'service' ? { from: via.service } : {}),
      timeoutMs: step.timeoutMs ?? DEFAULT_WAIT_MS,
      intervalMs: step.interval,
      signal: ctx.signal,
      clock: ctx.clock,
      wake: (wake) => watch.onEvent((event) => (step.service === undefined || event.service === step.service) && wake()),
      onWait: (text) => ctx.log.progress(text),
    });
    if (switched) result.detail += ` (from inside ${via?.service}: the proxy answers HTML)`;
    ctx.log.line(result.detail);
    // What came before the first good answer (a proxy's 502s while the app booted) is evidence too.
    if (result.history.length > 0) ctx.log.line(`answers ${result.ok ? 'before the first good one' : 'received'}: ${formatAnswerHistory(result.history)}`);
    else if (result.ok) ctx.log.line('answers before the first good one: none');
    const answersBefore = result.history.length > 0 ? { answersBefore: result.history } : {};
    if (!result.ok) {
      if (result.hint) ctx.log.line(`hint: ${result.hint}`);
      const last = result.last?.answer;
      if (last) ctx.log.line(`last answer: ${last.status} ${last.contentType}\n${last.body.slice(0, 500)}`);
      if (step.service) {
        ctx.log.line(`--- last 50 log lines of ${step.service} ---`);
        await ctx.driver.logs(step.service, { tail: 50, output: ctx.log, signal: ctx.signal });
      }
    }
    const last = result.last?.answer ?? null;
    // The last answer is the evidence (its body bounded: a /metrics exposition can be long).
    const answer = last ? { ...last, body: last.body.length > MAX_BODY_EVIDENCE ? last.body.slice(0, last.body.lastIndexOf('\n', MAX_BODY_EVIDENCE) + 1) : last.body } : null;
    const verdict = judge('http-answer', { statuses, expect: step.expect, answer, problem: result.last?.problem ?? undefined });
    // waitForHttp judged each attempt with the same judge; the recorded one replays the last.
    const detail = result.hint ? `${result.detail} (${result.hint})` : result.detail;
    if (result.ok && (ctx.credentialProbes || ctx.credentialRequests)) await probeWithoutCredentials(step, ctx, switched ? inside : via?.mode === 'auto' ? outside : url, headers, probe ?? hostProbe);
    if (result.ok) return { passed: true, detail, judgements: [verdict], ...answersBefore };
    const http = exchange(url, statuses, headers, step.via?.service, result, ctx.env, ctx.redactor);
    return { passed: false, detail, http, judgements: [verdict], ...answersBefore };
  },
});

/**
 * Live selftest: the same request once more, from the same place, without the headers that
 * carry a credential. Only for a wait that expects a success: a protected endpoint refuses it.
 * In selftest's healthy run the request is only listed.
 */
async function probeWithoutCredentials(
  step: { url: string; status: number | number[]; criterion?: string | undefined },
  ctx: StepContext,
  url: string,
  headers: Record<string, string>,
  probe: HttpProbe,
): Promise<void> {
  const statuses = Array.isArray(step.status) ? step.status : [step.status];
  const dropped = Object.keys(headers).filter(isCredentialName);
  if (dropped.length === 0 || !statuses.every((s) => s >= 200 && s < 300)) return;
  const kept = Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.includes(name)));
  const record = { log: `${ctx.logName}.log`, criterion: step.criterion, request: `GET ${new URL(url).pathname}`, without: dropped };
  // Selftest's healthy run lists the request; only the live run resends it.
  if (!ctx.credentialProbes) return ctx.credentialRequests?.(record);
  try {
    const answer = await probe(url, kept, AbortSignal.any([ctx.signal, AbortSignal.timeout(15_000)]));
    ctx.log.line(`selftest (live): GET ${url} without ${dropped.join(', ')} → ${answer.status}`);
    ctx.credentialProbes?.({ ...record, status: answer.status });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.line(`selftest (live): GET ${url} without ${dropped.join(', ')} → no answer (${errorMessage(err)})`);
    ctx.credentialProbes?.({ ...record, status: null, problem: errorMessage(err) });
  }
}

/** Header names whose value is a credential even when it is too short for the redactor. */
const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|password|session/i;
/** Bodies kept in the summary: enough to see the error page, small enough for summary.json. */
const BODY_EXCERPT = 2000;

/**
 * The failed wait as data for the report and its curl replay. A header holding a secret (the
 * redactor hides it, or its name says so) becomes `$VAR`: the variable of the run environment
 * holding that value, else one named after the header (`X-Metrics-Token` → `$X_METRICS_TOKEN`).
 */
export function exchange(
  url: string,
  expected: number[],
  headers: Record<string, string>,
  from: string | undefined,
  result: HttpWaitResult,
  env: Record<string, string>,
  redactor: Redactor,
): HttpExchange {
  const refs: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const secret = redactor.redact(value) !== value || SENSITIVE_HEADER.test(name);
    if (!secret) refs[name] = value;
    else refs[name] = `$${variableHolding(value, env) ?? name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  }
  const credentials = urlCredentialRefs(url, env, redactor);
  const answer = result.last?.answer;
  return {
    method: 'GET',
    url: redactor.redact(credentials?.url ?? url),
    headers: refs,
    ...(credentials ? { auth: credentials.auth } : {}),
    ...(from ? { from } : {}),
    expected,
    ...(answer ? { status: answer.status, contentType: answer.contentType, bodyExcerpt: redactor.redact(answer.body.slice(0, BODY_EXCERPT)) } : {}),
    ...(result.last?.problem ? { problem: redactor.redact(result.last.problem) } : {}),
  };
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The run-environment variable whose value is exactly `value` (the replay reads it from there). */
function variableHolding(value: string, env: Record<string, string>): string | undefined {
  return Object.keys(env)
    .sort()
    .find((k) => env[k] === value && VARIABLE_NAME.test(k));
}

/**
 * A URL's userinfo as `$VAR` references for the replay: the password is read from the variable
 * holding it (`http://admin:${ADMIN_PASSWORD}@…` → `$ADMIN_PASSWORD`), else from one named after
 * the variable holding the whole URL (`NGINX_BASE_URL` → `$NGINX_BASE_URL_PASSWORD`), else
 * `$URL_PASSWORD`: export it and the replay works. A user is kept unless it is the secret itself.
 */
function urlCredentialRefs(url: string, env: Record<string, string>, redactor: Redactor): { url: string; auth: { user: string; password: string } } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.username === '' && parsed.password === '') return undefined;
  const user = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  const userinfo = `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@`;
  const holder = Object.keys(env)
    .sort()
    .find((k) => VARIABLE_NAME.test(k) && (env[k] ?? '').includes(userinfo));
  const ref = (value: string, suffix: string) => `$${variableHolding(value, env) ?? (holder ? `${holder}_${suffix}` : `URL_${suffix}`)}`;
  // No password: the user is the credential (`https://<token>@host`).
  const userIsSecret = password === '' || redactor.redact(user) !== user;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), auth: { user: userIsSecret ? ref(user, 'USER') : user, password: password === '' ? '' : ref(password, 'PASSWORD') } };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
