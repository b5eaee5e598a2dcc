import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Generation } from '../generation.js';
import { csrfCookie, ensureCsrfCookie, login, loadSessionUser, logout } from './auth-api.js';
import { parseCookies } from './cookies.js';
import { CSRF_COOKIE, CSRF_HEADER, csrfFailure, isSafeMethod } from './csrf-guard.js';
import {
  acquireLock,
  createAnnotation,
  listAnnotations,
  listCopies,
  listExams,
  releaseLock,
} from './grading-api.js';
import { health, live, metrics, ready } from './health-api.js';
import { HttpError, RequestContext, type AppDeps } from './request-context.js';

type Handler = (ctx: RequestContext) => Promise<void>;

/** One endpoint: `route` is the low-cardinality name used in metrics. */
interface Route {
  method: string;
  pattern: RegExp;
  route: string;
  handler: Handler;
  /** The generations that have this endpoint; absent = all. */
  generations?: readonly Generation[];
}

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/api\/health\/$/, route: '/api/health/', handler: health },
  { method: 'GET', pattern: /^\/api\/health\/live\/$/, route: '/api/health/live/', handler: live },
  { method: 'GET', pattern: /^\/api\/health\/ready\/$/, route: '/api/health/ready/', handler: ready },
  { method: 'GET', pattern: /^\/metrics\/?$/, route: '/metrics', handler: metrics },
  // The seed's Korrigo had no CSRF endpoint: the cookie came with GET /api/exams/ (the gate's
  // preset asks /api/csrf/ first and falls back; v1 keeps that fallback exercised).
  { method: 'GET', pattern: /^\/api\/csrf\/$/, route: '/api/csrf/', handler: csrfCookie, generations: ['current'] },
  { method: 'POST', pattern: /^\/api\/login\/$/, route: '/api/login/', handler: login },
  { method: 'POST', pattern: /^\/api\/logout\/$/, route: '/api/logout/', handler: logout },
  { method: 'GET', pattern: /^\/api\/exams\/$/, route: '/api/exams/', handler: listExams },
  { method: 'GET', pattern: /^\/api\/exams\/(\d+)\/copies\/$/, route: '/api/exams/{id}/copies/', handler: listCopies },
  {
    method: 'POST',
    pattern: /^\/api\/grading\/copies\/(\d+)\/lock\/$/,
    route: '/api/grading/copies/{id}/lock/',
    handler: acquireLock,
    // Removed in the current Korrigo: annotations no longer need a lock.
    generations: ['v1'],
  },
  {
    method: 'DELETE',
    pattern: /^\/api\/grading\/copies\/(\d+)\/lock\/release\/$/,
    route: '/api/grading/copies/{id}/lock/release/',
    handler: releaseLock,
    generations: ['v1'],
  },
  {
    method: 'POST',
    pattern: /^\/api\/grading\/copies\/(\d+)\/annotations\/$/,
    route: '/api/grading/copies/{id}/annotations/',
    handler: createAnnotation,
  },
  {
    method: 'GET',
    pattern: /^\/api\/grading\/copies\/(\d+)\/annotations\/$/,
    route: '/api/grading/copies/{id}/annotations/',
    handler: listAnnotations,
  },
];

function firstValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(',')[0]?.trim() || undefined;
}

/** The origin the client used; behind a proxy, X-Forwarded-Host/Proto (nginx passes the public host). */
function requestOrigin(req: IncomingMessage): string {
  const host = firstValue(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
  const proto = firstValue(req.headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

function logLevel(status: number): string {
  if (status >= 500) return 'ERROR';
  return status >= 400 ? 'WARNING' : 'INFO';
}

/** The endpoints one generation serves; the others answer 404 as unknown URLs. */
export function routesOf(generation: Generation): readonly Route[] {
  return ROUTES.filter((r) => r.generations === undefined || r.generations.includes(generation));
}

/** The backend: routing, Django-like CSRF and session middleware, one log line per request. */
export function createAppServer(deps: AppDeps): Server {
  const generation = deps.settings.generation;
  const routes = routesOf(generation);
  const handle = async (req: IncomingMessage, res: ServerResponse, started: bigint): Promise<void> => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', requestOrigin(req));
    } catch {
      url = new URL(req.url ?? '/', 'http://localhost');
    }
    const ctx = new RequestContext(req, res, url, parseCookies(req.headers.cookie), deps);
    const matches = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matches.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
    const routeName = route?.route ?? matches[0]?.route ?? 'unmatched';
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      deps.metrics.observe(method, routeName, res.statusCode, ms / 1000);
      // Path only: the query string may carry the metrics token.
      deps.log(`${logLevel(res.statusCode)} ${method} ${url.pathname} ${res.statusCode} ${Math.round(ms)}ms`);
    });
    try {
      if (generation === 'v1' && url.pathname.startsWith('/api/') && isSafeMethod(method)) {
        // v1: like ensure_csrf_cookie on every view, the first GET gives the client a token for its
        // unsafe requests. The current Korrigo sets it only from GET /api/csrf/ (and on login).
        ensureCsrfCookie(ctx);
      }
      if (!route) {
        if (matches.length > 0) throw new HttpError(405, { detail: `Method "${method}" not allowed.` });
        throw new HttpError(404, { detail: 'Not found.' });
      }
      ctx.params = url.pathname.match(route.pattern)?.slice(1) ?? [];
      if (url.pathname.startsWith('/api/') && !url.pathname.startsWith('/api/health/')) {
        const reason = csrfFailure({
          method,
          origin: url.origin,
          originHeader: ctx.header('origin'),
          referer: ctx.header('referer'),
          cookieToken: ctx.cookies.get(CSRF_COOKIE),
          headerToken: ctx.header(CSRF_HEADER),
        });
        if (reason) throw new HttpError(403, { detail: `CSRF Failed: ${reason}` });
        ctx.user = await loadSessionUser(ctx);
      }
      await route.handler(ctx);
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.json(err.status, err.body);
        return;
      }
      const e = err as Error;
      console.error(`ERROR ${method} ${url.pathname}: unhandled ${e.name}: ${e.message}\n${e.stack ?? ''}`);
      if (!res.headersSent) ctx.json(500, { detail: 'A server error occurred.' });
      else res.destroy();
    }
  };
  return createServer((req, res) => {
    void handle(req, res, process.hrtime.bigint());
  });
}
