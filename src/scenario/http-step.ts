import type { OutputSink } from '../common/output.js';
import type { ScenarioAnswer } from './failed-exchange.js';
import type { Clock } from '../common/clock.js';
import { formatDuration } from '../common/duration.js';
import type { Redactor } from '../common/redactor.js';
import { isCredentialName, isCsrfName, type CredentialProbe, type CredentialRequest } from '../model/credential-probe.js';
import { credentialFetch, splitUrlCredentials } from '../common/credential-fetch.js';
import type { CookieSession } from './cookie-session.js';
import { checkAssertion } from './assertion.js';
import { checkContent } from '../checks/http-answer.js';
import { parseJsonBody, queryJson } from '../common/json-query.js';
import type { ScenarioConfig, StepConfig } from './scenario-schema.js';
import { renderJson, renderTemplate, stringifyValue, type TemplateScope } from './template.js';

/** What one HTTP step needs from the runner. */
export interface HttpStepEnv {
  baseUrl: string;
  defaults: ScenarioConfig['defaults'];
  scope: TemplateScope;
  cookies: CookieSession;
  redactor: Redactor;
  output: OutputSink;
  clock: Clock;
  /**
   * Live selftest: each step that sent credentials (a session cookie, a token header) repeats
   * its request once without them; `probed` holds the steps done (once per step, not per run).
   * Selftest's healthy run has `list` instead: the request is listed, not resent.
   */
  credentialProbe?: { probed: Set<string>; record?(probe: Omit<CredentialProbe, 'log'>): void; list?(request: Omit<CredentialRequest, 'log'>): void };
}

/** Outcome of one attempt of a step. */
/** The status of a step's last response and the statuses it expected (null = any 2xx): the evidence selftest re-judges. */
export interface HttpStatusEvidence {
  status: number;
  expected: number[] | null;
}

export type AttemptResult =
  | { ok: true; captures: Record<string, unknown>; summary: string; http?: HttpStatusEvidence }
  | {
      ok: false;
      reason: string;
      http?: HttpStatusEvidence;
      /** True when the status alone failed the step. */
      byStatus?: boolean;
      /** The response to log with the failure, and the request it answered. */
      evidence?: ScenarioAnswer;
      /** Retrying cannot help (a config mistake such as an unknown template name). */
      fatal?: boolean;
    };

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Response bytes logged on failure. */
export const BODY_LOG_LIMIT = 2048;
/** JSON keys whose string values are credentials, redacted even when not captured as secret. */
const SECRET_KEY = /^(?:.*[_-])?(?:token|password|passwd|secret|sessionid|session_id|csrftoken|csrf_token|api_?key|access|refresh)$/i;

/** A relative URL joined to the base URL (keeping any path prefix); absolute URLs as is. */
export function resolveUrl(baseUrl: string, target: string): string {
  if (/^https?:\/\//i.test(target)) return target;
  return `${baseUrl.replace(/\/+$/, '')}${target.startsWith('/') ? '' : '/'}${target}`;
}

/**
 * A `next` link followed on the base URL's origin: DRF builds it from the Host header,
 * which a reverse proxy may rewrite (nginx `$host` drops the port).
 */
export function rebaseNextLink(baseUrl: string, current: string, next: string): string {
  const link = new URL(next, current);
  return `${new URL(baseUrl).origin}${link.pathname}${link.search}`;
}

/** `/api/login/` for a URL on the base origin, the full URL otherwise. */
export function displayPath(baseUrl: string, url: string): string {
  const u = new URL(url);
  return u.origin === new URL(baseUrl).origin ? `${u.pathname}${u.search}` : url;
}

function expectedStatuses(step: StepConfig): number[] | null {
  const status = step.expect?.status;
  if (status === undefined) return null;
  return Array.isArray(status) ? status : [status];
}

/** Registers string values under credential-like keys (`token`, `password`, …) anywhere in json. */
export function registerLikelySecrets(json: unknown, redactor: Redactor): void {
  if (Array.isArray(json)) {
    for (const item of json) registerLikelySecrets(item, redactor);
  } else if (json !== null && typeof json === 'object') {
    for (const [key, value] of Object.entries(json)) {
      if (typeof value === 'string' && SECRET_KEY.test(key)) redactor.addSecret(value);
      else registerLikelySecrets(value, redactor);
    }
  }
}

/**
 * One attempt of a request step: send (following `next` links when paginating), check the
 * status, capture, assert. Logs one line per request. Throws only when signal aborts or a
 * template name is unknown; every other failure is a result.
 */
export async function attemptHttpStep(step: StepConfig, env: HttpStepEnv, signal: AbortSignal): Promise<AttemptResult> {
  const request = step.request;
  if (!request) throw new Error(`step ${step.name} has no request`);
  const method = request.method;
  const headers = new Headers({ Accept: 'application/json' });
  const addHeaders = (source: Record<string, string> | undefined) => {
    for (const [name, value] of Object.entries(source ?? {})) headers.set(name, renderTemplate(value, env.scope));
  };
  addHeaders(env.defaults.headers);
  if (UNSAFE_METHODS.has(method)) addHeaders(env.defaults.unsafeHeaders);
  addHeaders(request.headers);
  let body: string | undefined;
  if (request.json !== undefined) {
    body = JSON.stringify(renderJson(request.json, env.scope));
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
  }

  const expected = expectedStatuses(step);
  const captures = step.capture ?? {};
  const found: Record<string, unknown> = {};
  const missing = () => Object.keys(captures).filter((name) => !Object.hasOwn(found, name));
  let url = resolveUrl(env.baseUrl, renderTemplate(request.url, env.scope));
  let pages = 0;
  let json: unknown;
  let summary = '';
  let evidence: ScenarioAnswer = { method, url, status: 0, contentType: '', body: '' };

  for (;;) {
    pages++;
    const path = displayPath(env.baseUrl, url);
    const started = env.clock.now();
    const cookie = await env.cookies.header(url);
    if (cookie === undefined) headers.delete('cookie');
    else headers.set('Cookie', cookie);
    // The session this request carries, taken before its answer can set one (a login's).
    const session = env.credentialProbe && pages === 1 ? await env.cookies.sessionCookiesFor(url) : [];
    let status: number;
    let text: string;
    let contentType: string;
    try {
      const res = await credentialFetch(url, { method, headers, body, redirect: 'manual', signal });
      // Cookies first: they are registered as secrets before any line can show them.
      await env.cookies.store(url, res.headers.getSetCookie(), { method, path, status: res.status });
      status = res.status;
      contentType = res.headers.get('content-type') ?? '';
      text = await res.text();
    } catch (err) {
      if (signal.aborted) {
        env.output.line(`${step.name} → ${method} ${path} no response (gave up after ${formatDuration(env.clock.now() - started)})`);
        throw signal.reason;
      }
      const reason = `${method} ${path} → ${networkError(err)}`;
      env.output.line(`${step.name} → ${method} ${path} failed: ${networkError(err)} (${formatDuration(env.clock.now() - started)})`);
      return { ok: false, reason };
    }
    json = parseJsonBody(text);
    registerLikelySecrets(json, env.redactor);
    for (const [name, spec] of Object.entries(captures)) {
      if (typeof spec !== 'string' && spec.secret) {
        for (const value of queryJson(json, spec.path)) env.redactor.addSecret(stringifyValue(value));
      }
    }
    env.output.line(`${step.name} → ${method} ${path} ${status} (${formatDuration(env.clock.now() - started)})`);
    summary = `${method} ${path} → ${status}`;
    evidence = { method, url, status, contentType, body: text };

    const statusOk = expected ? expected.includes(status) : status >= 200 && status < 300;
    if (statusOk && pages === 1 && env.credentialProbe && !env.credentialProbe.probed.has(step.name)) await probeWithoutCredentials(step, env, { method, url, headers, body, session }, expected, signal);
    if (!statusOk) {
      return { ok: false, reason: `${summary} (expected ${expected ? expected.join(' or ') : '2xx'})`, evidence, http: { status, expected }, byStatus: true };
    }
    const { status: _status, exitCode: _exitCode, ...content } = step.expect ?? {};
    const wrongContent = checkContent({ status, contentType, body: text }, content);
    if (wrongContent) return { ok: false, reason: `${method} ${path} → ${wrongContent}`, evidence, http: { status: evidence.status, expected } };
    for (const name of missing()) {
      const spec = captures[name];
      const matches = json === undefined || spec === undefined ? [] : queryJson(json, typeof spec === 'string' ? spec : spec.path);
      if (matches.length > 0) found[name] = matches[0];
    }
    if (!step.paginate || (missing().length === 0 && Object.keys(captures).length > 0)) break;
    const next = json === undefined ? undefined : queryJson(json, step.paginate.next)[0];
    if (typeof next !== 'string' || next === '') break;
    if (pages >= step.paginate.maxPages) {
      return { ok: false, reason: `${summary}: still a next page after ${pages} pages (paginate.maxPages)`, evidence, http: { status: evidence.status, expected } };
    }
    url = rebaseNextLink(env.baseUrl, url, next);
  }

  const lacking = missing();
  if (lacking.length > 0) {
    const paths = lacking.map((name) => {
      const spec = captures[name];
      return typeof spec === 'string' ? spec : (spec?.path ?? name);
    });
    const where = json === undefined ? 'the response is not JSON' : step.paginate ? `no page had ${paths.join(', ')} (${pages} page${pages === 1 ? '' : 's'})` : `nothing matched ${paths.join(', ')}`;
    return { ok: false, reason: `${summary}: capture ${lacking.join(', ')} failed: ${where}`, evidence, http: { status: evidence.status, expected } };
  }
  for (const assertion of step.assert ?? []) {
    const failure = json === undefined ? `${assertion.path}: the response is not JSON` : checkAssertion(assertion, json);
    if (failure) return { ok: false, reason: `${summary}: assert ${failure}`, evidence, http: { status: evidence.status, expected } };
  }
  return { ok: true, captures: found, summary, http: { status: evidence.status, expected } };
}

/**
 * The request once more without its session cookies, token headers and CSRF pair: a protected
 * endpoint must refuse it. Its cookies are not stored; a step expecting a non-2xx is not probed.
 */
async function probeWithoutCredentials(
  step: StepConfig,
  env: HttpStepEnv,
  request: { method: string; url: string; headers: Headers; body: string | undefined; session: string[] },
  expected: number[] | null,
  signal: AbortSignal,
): Promise<void> {
  const sink = env.credentialProbe;
  if (!sink || (expected && !expected.every((s) => s >= 200 && s < 300))) return;
  const tokenHeaders = [...request.headers.entries()].filter(([name, value]) => name !== 'cookie' && value !== '' && isCredentialName(name)).map(([name]) => name);
  const { session } = request;
  if (tokenHeaders.length === 0 && session.length === 0 && !splitUrlCredentials(request.url).authorization) return;
  sink.probed.add(step.name);
  const headers = new Headers(request.headers);
  headers.delete('cookie');
  for (const name of [...headers.keys()]) if (tokenHeaders.includes(name) || isCsrfName(name)) headers.delete(name);
  // Credentials in the URL (Basic auth) are credentials too: the repeat goes without them.
  const bare = splitUrlCredentials(request.url);
  const without = [...tokenHeaders, ...session.map((c) => `cookie ${c}`), ...(bare.authorization ? ['URL credentials'] : [])];
  const path = displayPath(env.baseUrl, request.url);
  const record = { ...(step.criterion ? { criterion: step.criterion } : {}), step: step.name, request: `${step.name}: ${request.method} ${path}`, without };
  if (!sink.record) return sink.list?.(record);
  try {
    const res = await fetch(bare.url, { method: request.method, headers, body: request.body, redirect: 'manual', signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    await res.arrayBuffer();
    env.output.line(`selftest (live): ${step.name} → ${request.method} ${path} without ${without.join(', ')} → ${res.status}`);
    sink.record({ ...record, status: res.status });
  } catch (err) {
    if (signal.aborted) throw err;
    env.output.line(`selftest (live): ${step.name} → ${request.method} ${path} without ${without.join(', ')} → no answer (${networkError(err)})`);
    sink.record({ ...record, status: null, problem: networkError(err) });
  }
}

function networkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
